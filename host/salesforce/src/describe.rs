//! Describe: the org's objects (`GET /sobjects`) and one object's fields
//! (`GET /sobjects/{object}/describe`), cached per client because they change only when an
//! administrator changes the org. [`Client::invalidate_describe`] forgets them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api_usage::CallKind;
use crate::client::Client;
use crate::error::SalesforceError;
use crate::lock::lock;
use crate::request::ApiRequest;
use crate::sobject::check_object_name;

/// The global describe: every object of the org.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalDescribe {
    /// The encoding, `UTF-8`.
    #[serde(default)]
    pub encoding: String,
    /// Records per collection call, 200.
    #[serde(default)]
    pub max_batch_size: u32,
    /// The objects.
    pub sobjects: Vec<ObjectSummary>,
}

/// One object in the global describe.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectSummary {
    /// API name, e.g. `Lead`.
    pub name: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// Id prefix, e.g. `00Q`.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Records can be created.
    #[serde(default)]
    pub createable: bool,
    /// Records can be updated.
    #[serde(default)]
    pub updateable: bool,
    /// Records can be deleted.
    #[serde(default)]
    pub deletable: bool,
    /// Records can be queried.
    #[serde(default)]
    pub queryable: bool,
    /// A custom object.
    #[serde(default)]
    pub custom: bool,
    /// Resource URLs.
    #[serde(default)]
    pub urls: BTreeMap<String, String>,
}

/// One object's describe. It serialises back to the describe's own JSON shape, so a program
/// can keep it (leadgate caches the Lead describe in its store).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDescribe {
    /// API name.
    pub name: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// Plural label.
    #[serde(default)]
    pub label_plural: String,
    /// Id prefix.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Records can be created.
    #[serde(default)]
    pub createable: bool,
    /// Records can be updated.
    #[serde(default)]
    pub updateable: bool,
    /// Records can be deleted.
    #[serde(default)]
    pub deletable: bool,
    /// Records can be queried.
    #[serde(default)]
    pub queryable: bool,
    /// A custom object.
    #[serde(default)]
    pub custom: bool,
    /// The fields, in Salesforce's order.
    pub fields: Vec<FieldDescribe>,
    /// Resource URLs.
    #[serde(default)]
    pub urls: BTreeMap<String, String>,
    /// Every other key of the describe, as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl ObjectDescribe {
    /// The field called `name` (compared without regard to case, as Salesforce does).
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
    }

    /// The fields that can key an upsert (External IDs and id lookups).
    pub fn external_id_fields(&self) -> impl Iterator<Item = &FieldDescribe> {
        self.fields
            .iter()
            .filter(|field| field.external_id || field.id_lookup)
    }
}

/// One field of a describe.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    /// API name.
    pub name: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// Type: `string`, `email`, `picklist`, `reference`, `boolean`, `datetime` …
    #[serde(rename = "type", default)]
    pub field_type: String,
    /// Maximum length in characters for text (0 otherwise).
    #[serde(default)]
    pub length: u64,
    /// Digits for integers.
    #[serde(default)]
    pub digits: u32,
    /// Total digits for numbers and currencies.
    #[serde(default)]
    pub precision: u32,
    /// Digits after the point.
    #[serde(default)]
    pub scale: u32,
    /// May be null (not required).
    #[serde(default)]
    pub nillable: bool,
    /// Can be set on create.
    #[serde(default)]
    pub createable: bool,
    /// Can be changed on update.
    #[serde(default)]
    pub updateable: bool,
    /// Gets a value on create when none is given.
    #[serde(default)]
    pub defaulted_on_create: bool,
    /// A custom field.
    #[serde(default)]
    pub custom: bool,
    /// Marked External ID.
    #[serde(default)]
    pub external_id: bool,
    /// Unique.
    #[serde(default)]
    pub unique: bool,
    /// Can identify a record (upsert key).
    #[serde(default)]
    pub id_lookup: bool,
    /// A restricted picklist.
    #[serde(default)]
    pub restricted_picklist: bool,
    /// Picklist values.
    #[serde(default)]
    pub picklist_values: Vec<PicklistValue>,
    /// Objects a reference points to.
    #[serde(default)]
    pub reference_to: Vec<String>,
    /// The default value.
    #[serde(default)]
    pub default_value: Value,
}

impl FieldDescribe {
    /// Required on create: not nillable, createable, and not given a default.
    pub fn is_required(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted_on_create && self.field_type != "boolean"
    }
}

/// One picklist entry.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    /// The value.
    pub value: String,
    /// The label.
    #[serde(default)]
    pub label: String,
    /// Selectable.
    #[serde(default)]
    pub active: bool,
    /// The default.
    #[serde(default)]
    pub default_value: bool,
}

/// A client's describe cache.
#[derive(Debug, Default)]
pub(crate) struct DescribeCache {
    global: Mutex<Option<Arc<GlobalDescribe>>>,
    objects: Mutex<HashMap<String, Arc<ObjectDescribe>>>,
}

impl Client {
    /// Every object of the org (cached).
    pub async fn describe_global(&self) -> Result<Arc<GlobalDescribe>, SalesforceError> {
        if let Some(global) = lock(&self.describe_cache().global).clone() {
            return Ok(global);
        }
        let request = ApiRequest::data(Method::GET, ["sobjects"], CallKind::DescribeGlobal);
        let global: Arc<GlobalDescribe> = Arc::new(self.send(&request).await?.json()?);
        *lock(&self.describe_cache().global) = Some(Arc::clone(&global));
        Ok(global)
    }

    /// One object's fields (cached; object names are compared without regard to case).
    pub async fn describe(&self, object: &str) -> Result<Arc<ObjectDescribe>, SalesforceError> {
        check_object_name(object)?;
        let key = object.to_ascii_lowercase();
        if let Some(describe) = lock(&self.describe_cache().objects).get(&key).cloned() {
            return Ok(describe);
        }
        let request = ApiRequest::data(Method::GET, ["sobjects", object, "describe"], CallKind::Describe);
        let describe: Arc<ObjectDescribe> = Arc::new(self.send(&request).await?.json()?);
        lock(&self.describe_cache().objects).insert(key, Arc::clone(&describe));
        Ok(describe)
    }

    /// Forgets the cached describe of `object`, or of every object (and the global describe)
    /// with `None`: the next describe asks Salesforce again.
    pub fn invalidate_describe(&self, object: Option<&str>) {
        match object {
            Some(object) => {
                lock(&self.describe_cache().objects).remove(&object.to_ascii_lowercase());
            }
            None => {
                lock(&self.describe_cache().objects).clear();
                *lock(&self.describe_cache().global) = None;
            }
        }
    }
}
