//! The org's Lead describe, cached in the store so that mapping and preflight cost no call.

use leadgate_salesforce::Client;
use leadgate_salesforce::describe::ObjectDescribe;

use super::error::ReplicationError;
use crate::store::Store;

/// How long a cached describe is trusted: fields an admin adds or changes are seen within a day,
/// and a write refused for an unknown field refreshes it at once.
pub const DESCRIBE_MAX_AGE_MS: i64 = 24 * 60 * 60 * 1000;

/// The cached Lead describe if it is younger than [`DESCRIBE_MAX_AGE_MS`]; no call is made.
fn fresh_cached_describe(store: &Store, now: i64) -> Result<Option<ObjectDescribe>, ReplicationError> {
    match store.cached_lead_describe()? {
        Some((fetched_at, json)) if now.saturating_sub(fetched_at) < DESCRIBE_MAX_AGE_MS => {
            serde_json::from_str(&json)
                .map(Some)
                .map_err(ReplicationError::CachedDescribe)
        }
        _ => Ok(None),
    }
}

/// The Lead describe: the fresh cached one, else fetched (one call) and cached.
pub(super) async fn lead_describe(
    store: &Store,
    client: &Client,
    now: i64,
) -> Result<ObjectDescribe, ReplicationError> {
    if let Some(describe) = fresh_cached_describe(store, now)? {
        return Ok(describe);
    }
    fetch_lead_describe(store, client, now).await
}

/// The Lead describe as the org has it now (one call), cached for the runs after.
pub async fn fetch_lead_describe(
    store: &Store,
    client: &Client,
    now: i64,
) -> Result<ObjectDescribe, ReplicationError> {
    let describe = client.describe("Lead").await?;
    let json = serde_json::to_string(describe.as_ref()).map_err(ReplicationError::CachedDescribe)?;
    store.cache_lead_describe(now, &json)?;
    Ok(describe.as_ref().clone())
}
