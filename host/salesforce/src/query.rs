//! SOQL queries: `GET /query?q=…` (or `/queryAll`, which includes deleted and archived
//! records), one page at a time or as a [`QueryStream`] of records that fetches the next page
//! (`nextRecordsUrl`) when the current one is used up.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures_util::Stream;
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Record;
use crate::api_usage::CallKind;
use crate::client::Client;
use crate::error::SalesforceError;
use crate::request::{ApiRequest, Target};

/// How a query runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// `queryAll`: include deleted and archived records.
    pub include_deleted: bool,
    /// Records per page asked for with `Sforce-Query-Options: batchSize=N` (200 to 2000; a
    /// hint Salesforce may ignore).
    pub batch_size: Option<u32>,
}

/// One page of query results.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage<T = Record> {
    /// Records matching the whole query.
    pub total_size: u64,
    /// True on the last page.
    pub done: bool,
    /// The path of the next page, when not done.
    #[serde(default)]
    pub next_records_url: Option<String>,
    /// This page's records.
    pub records: Vec<T>,
}

impl Client {
    /// The records of a SOQL query, as JSON objects, all pages.
    pub fn query(&self, soql: &str) -> QueryStream<Record> {
        self.query_with(soql, QueryOptions::default())
    }

    /// The records of a SOQL query deserialized as `T`, all pages.
    pub fn query_as<T: DeserializeOwned + Send + 'static>(&self, soql: &str) -> QueryStream<T> {
        self.query_with(soql, QueryOptions::default())
    }

    /// `queryAll`: deleted and archived records too.
    pub fn query_all(&self, soql: &str) -> QueryStream<Record> {
        self.query_with(
            soql,
            QueryOptions {
                include_deleted: true,
                ..QueryOptions::default()
            },
        )
    }

    /// The records of a SOQL query with options, all pages.
    pub fn query_with<T: DeserializeOwned + Send + 'static>(
        &self,
        soql: &str,
        options: QueryOptions,
    ) -> QueryStream<T> {
        QueryStream::new(self.clone(), soql.to_owned(), options)
    }

    /// The first page of a query.
    pub async fn query_page(
        &self,
        soql: &str,
        options: QueryOptions,
    ) -> Result<QueryPage<Value>, SalesforceError> {
        let resource = if options.include_deleted {
            "queryAll"
        } else {
            "query"
        };
        let request = ApiRequest::data(Method::GET, [resource], CallKind::Query).query("q", soql);
        self.send(&with_batch_size(request, options)).await?.json()
    }

    /// The page at a `nextRecordsUrl`.
    pub async fn query_more(
        &self,
        next_records_url: &str,
        options: QueryOptions,
    ) -> Result<QueryPage<Value>, SalesforceError> {
        let request = ApiRequest::new(
            Method::GET,
            Target::Instance(next_records_url.to_owned()),
            CallKind::Query,
        );
        self.send(&with_batch_size(request, options)).await?.json()
    }
}

fn with_batch_size(request: ApiRequest, options: QueryOptions) -> ApiRequest {
    match options.batch_size {
        Some(size) => request.header(
            "sforce-query-options",
            format!("batchSize={}", size.clamp(200, 2000)),
        ),
        None => request,
    }
}

/// Where a query stream is.
enum Next {
    First(String),
    More(String),
    Done,
}

struct State {
    client: Client,
    options: QueryOptions,
    next: Next,
    buffer: std::vec::IntoIter<Value>,
    total_size: Arc<AtomicU64>,
}

/// The records of a query, page after page. Ends after the first error.
pub struct QueryStream<T> {
    inner: Pin<Box<dyn Stream<Item = Result<Value, SalesforceError>> + Send>>,
    total_size: Arc<AtomicU64>,
    _records: PhantomData<fn() -> T>,
}

/// `total_size` before the first page arrives.
const UNKNOWN: u64 = u64::MAX;

impl<T> QueryStream<T> {
    fn new(client: Client, soql: String, options: QueryOptions) -> Self {
        let total_size = Arc::new(AtomicU64::new(UNKNOWN));
        let state = State {
            client,
            options,
            next: Next::First(soql),
            buffer: Vec::new().into_iter(),
            total_size: Arc::clone(&total_size),
        };
        let inner = futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(record) = state.buffer.next() {
                    return Some((Ok(record), state));
                }
                let page = match std::mem::replace(&mut state.next, Next::Done) {
                    Next::Done => return None,
                    Next::First(soql) => state.client.query_page(&soql, state.options).await,
                    Next::More(url) => state.client.query_more(&url, state.options).await,
                };
                match page {
                    Ok(page) => {
                        state.total_size.store(page.total_size, Ordering::Relaxed);
                        if !page.done
                            && let Some(url) = page.next_records_url
                        {
                            state.next = Next::More(url);
                        }
                        state.buffer = page.records.into_iter();
                    }
                    Err(error) => return Some((Err(error), state)),
                }
            }
        });
        Self {
            inner: Box::pin(inner),
            total_size,
            _records: PhantomData,
        }
    }

    /// The query's `totalSize`, once the first page has arrived.
    pub fn total_size(&self) -> Option<u64> {
        match self.total_size.load(Ordering::Relaxed) {
            UNKNOWN => None,
            size => Some(size),
        }
    }
}

impl<T> std::fmt::Debug for QueryStream<T> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("QueryStream")
            .field("total_size", &self.total_size())
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Stream for QueryStream<T> {
    type Item = Result<T, SalesforceError>;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(context).map(|item| {
            item.map(|result| {
                result.and_then(|record| {
                    serde_json::from_value(record)
                        .map_err(|error| SalesforceError::decode("query record", error))
                })
            })
        })
    }
}
