//! The in-memory org: its Leads (live, converted, deleted and merged), the indexes of its lookup
//! fields, and the writes with Salesforce's rules (validation, unique fields, the duplicate rule
//! on e-mail, converted leads are read only).
//!
//! The org is plain data; the server keeps it behind a mutex and every operation here runs with
//! the lock held, so each write (or each whole collection, for allOrNone) is atomic.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::api_error::RecordError;
use crate::lead_schema::LeadSchema;
use crate::record_id::{ACCOUNT_PREFIX, CONTACT_PREFIX, LEAD_PREFIX, OPPORTUNITY_PREFIX, RecordId};
use crate::soql::{Condition, Literal, Query, matches, sort_records};
use crate::validation::{WriteKind, check_record, clean_changes};

/// The message of the duplicate rule on Lead e-mail addresses.
pub const DUPLICATE_MESSAGE: &str = "Use one of these records?";

/// One Lead with all its field values (system fields included), by API name.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Lead {
    id: RecordId,
    fields: Map<String, Value>,
}

impl Lead {
    /// The id.
    pub fn id(&self) -> &RecordId {
        &self.id
    }

    /// Every field value by API name (`Id` in its 18-character form).
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// One field's value (null when unset).
    pub fn field(&self, name: &str) -> &Value {
        self.fields.get(name).unwrap_or(&Value::Null)
    }

    /// Whether it was deleted (or merged into another Lead).
    pub fn is_deleted(&self) -> bool {
        self.field("IsDeleted") == &Value::Bool(true)
    }

    /// Whether it was converted.
    pub fn is_converted(&self) -> bool {
        self.field("IsConverted") == &Value::Bool(true)
    }

    /// The record as the REST API returns it: `attributes`, then the fields (all of them, or
    /// those named, in the order given).
    pub fn to_json(&self, version: &str, only: Option<&[String]>) -> Value {
        let mut object = Map::new();
        object.insert("attributes".into(), attributes(version, &self.id));
        match only {
            Some(names) => {
                for name in names {
                    object.insert(name.clone(), self.field(name).clone());
                }
            }
            None => object.extend(
                self.fields
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone())),
            ),
        }
        Value::Object(object)
    }
}

/// `{"type":"Lead","url":…}`.
pub fn attributes(version: &str, id: &RecordId) -> Value {
    json!({"type": "Lead", "url": format!("/services/data/v{version}/sobjects/Lead/{}", id.long())})
}

/// Who writes, and how.
#[derive(Debug, Clone)]
pub struct WriteContext {
    /// The user's id (owner of new Leads, `LastModifiedById`).
    pub user_id: String,
    /// `Sforce-Duplicate-Rule-Header: allowSave=true`.
    pub allow_duplicate_save: bool,
    /// Now, in Salesforce's datetime form.
    pub now: String,
    /// The API version of the request (for URLs in the answer).
    pub version: String,
    /// The Lead assignment rule `Sforce-Auto-Assign` asks for: `default` (the header is absent
    /// or `TRUE`), a rule id, or `None` for `FALSE`.
    pub assignment_rule: Option<String>,
}

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsertOutcome {
    /// The Lead's id.
    pub id: RecordId,
    /// Whether it was created (rather than updated).
    pub created: bool,
}

/// Why an upsert did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum UpsertError {
    /// More than one Lead has the key (HTTP 300 with their URLs).
    MultipleMatches(Vec<RecordId>),
    /// Any other failure.
    Record(RecordError),
}

impl From<RecordError> for UpsertError {
    fn from(error: RecordError) -> Self {
        Self::Record(error)
    }
}

/// Why an administrative action (convert, merge, delete) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// No Lead has this id.
    #[error("no lead has the id `{0}`")]
    NotFound(String),
    /// The Lead was deleted or merged.
    #[error("lead `{0}` is deleted")]
    Deleted(String),
    /// The Lead was converted already.
    #[error("lead `{0}` is converted already")]
    AlreadyConverted(String),
    /// A Lead cannot be merged into itself.
    #[error("a lead cannot be merged into itself")]
    SameLead,
}

/// The ids a conversion created.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversion {
    /// The converted Lead.
    pub lead_id: String,
    /// The new Account.
    pub account_id: String,
    /// The new Contact.
    pub contact_id: String,
    /// The new Opportunity.
    pub opportunity_id: String,
}

/// The org's saved form (see `state_file`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgState {
    /// Every Lead, deleted ones included.
    pub leads: Vec<Lead>,
    /// The sequence number of the next Lead id.
    pub next_lead: u64,
    /// The sequence number of the next id of another object.
    pub next_other: u64,
}

/// The org's data.
#[derive(Debug)]
pub struct Org {
    schema: Arc<LeadSchema>,
    duplicate_rule: bool,
    leads: BTreeMap<RecordId, Lead>,
    /// Live Leads by lookup field (Email and the unique custom fields), then by lower-cased value.
    lookup: HashMap<String, HashMap<String, BTreeSet<RecordId>>>,
    lookup_fields: Vec<String>,
    next_lead: u64,
    next_other: u64,
    /// The assignment rule that last ran on each Lead (create, update or upsert), as
    /// `Sforce-Auto-Assign` chose it; a Lead written with `FALSE` keeps what it had.
    assignments: BTreeMap<RecordId, String>,
}

impl Org {
    /// An empty org.
    pub fn new(schema: Arc<LeadSchema>, duplicate_rule: bool) -> Self {
        let lookup_fields: Vec<String> = schema
            .fields()
            .iter()
            .filter(|field| field.id_lookup && field.name != "Id")
            .map(|field| field.name.clone())
            .collect();
        Self {
            schema,
            duplicate_rule,
            leads: BTreeMap::new(),
            lookup: lookup_fields
                .iter()
                .map(|name| (name.clone(), HashMap::new()))
                .collect(),
            lookup_fields,
            next_lead: 1,
            next_other: 1,
            assignments: BTreeMap::new(),
        }
    }

    /// The assignment rule that last ran on the Lead (`default` or a rule id), if any did.
    pub fn assignment(&self, id: &RecordId) -> Option<&str> {
        self.assignments.get(id).map(String::as_str)
    }

    /// Notes the assignment rule the write ran, if it ran one.
    fn record_assignment(&mut self, id: &RecordId, context: &WriteContext) {
        if let Some(rule) = &context.assignment_rule {
            self.assignments.insert(id.clone(), rule.clone());
        }
    }

    /// The Lead schema.
    pub fn schema(&self) -> &LeadSchema {
        &self.schema
    }

    /// Every Lead in id order, deleted ones included.
    pub fn leads(&self) -> impl Iterator<Item = &Lead> {
        self.leads.values()
    }

    /// The Lead with this id (deleted or not).
    pub fn lead(&self, id: &RecordId) -> Option<&Lead> {
        self.leads.get(id)
    }

    /// Live Leads.
    pub fn live_count(&self) -> usize {
        self.leads.values().filter(|lead| !lead.is_deleted()).count()
    }

    /// The saved form.
    pub fn state(&self) -> OrgState {
        OrgState {
            leads: self.leads.values().cloned().collect(),
            next_lead: self.next_lead,
            next_other: self.next_other,
        }
    }

    /// Replaces everything with a saved form.
    pub fn restore_state(&mut self, state: OrgState) {
        self.clear();
        self.next_lead = state.next_lead.max(1);
        self.next_other = state.next_other.max(1);
        for lead in state.leads {
            self.insert(lead);
        }
    }

    /// Deletes every Lead for good and starts the ids again.
    pub fn clear(&mut self) {
        self.leads.clear();
        self.assignments.clear();
        for index in self.lookup.values_mut() {
            index.clear();
        }
        self.next_lead = 1;
        self.next_other = 1;
    }

    /// Creates a Lead.
    pub fn create(
        &mut self,
        input: &Map<String, Value>,
        context: &WriteContext,
    ) -> Result<RecordId, RecordError> {
        let changes = clean_changes(&self.schema, input, WriteKind::Create)?;
        let mut fields = Map::new();
        for field in self.schema.fields() {
            let value = if field.defaulted_on_create && !field.default_value.is_null() {
                field.default_value.clone()
            } else {
                Value::Null
            };
            fields.insert(field.name.clone(), value);
        }
        fields.extend(changes.iter().map(|(name, value)| (name.clone(), value.clone())));
        check_record(&self.schema, &fields, &changes)?;
        self.check_unique(&fields, None)?;
        self.check_duplicates(&fields, None, context)?;
        let id = RecordId::mint(LEAD_PREFIX, self.next_lead);
        self.next_lead += 1;
        fields.insert("Id".into(), Value::String(id.long()));
        for (name, value) in [
            ("OwnerId", &context.user_id),
            ("CreatedById", &context.user_id),
            ("LastModifiedById", &context.user_id),
            ("CreatedDate", &context.now),
            ("LastModifiedDate", &context.now),
            ("SystemModstamp", &context.now),
        ] {
            if name != "OwnerId" || fields.get(name).is_none_or(Value::is_null) {
                fields.insert(name.into(), Value::String(value.clone()));
            }
        }
        fields.insert("IsUnreadByOwner".into(), Value::Bool(true));
        derive_compound_fields(&mut fields);
        self.insert(Lead {
            id: id.clone(),
            fields,
        });
        self.record_assignment(&id, context);
        Ok(id)
    }

    /// Updates a live, unconverted Lead.
    pub fn update(
        &mut self,
        id: &RecordId,
        input: &Map<String, Value>,
        context: &WriteContext,
    ) -> Result<(), RecordError> {
        let lead = self.writable(id)?;
        let changes = clean_changes(&self.schema, input, WriteKind::Update)?;
        let mut fields = lead.fields.clone();
        fields.extend(changes.iter().map(|(name, value)| (name.clone(), value.clone())));
        check_record(&self.schema, &fields, &changes)?;
        self.check_unique(&fields, Some(id))?;
        if changes.contains_key("Email") {
            self.check_duplicates(&fields, Some(id), context)?;
        }
        fields.insert("LastModifiedById".into(), Value::String(context.user_id.clone()));
        fields.insert("LastModifiedDate".into(), Value::String(context.now.clone()));
        fields.insert("SystemModstamp".into(), Value::String(context.now.clone()));
        derive_compound_fields(&mut fields);
        self.replace(Lead {
            id: id.clone(),
            fields,
        });
        self.record_assignment(id, context);
        Ok(())
    }

    /// Upserts by a lookup field (`Id`, `Email` or an External ID field, already checked).
    pub fn upsert(
        &mut self,
        field: &str,
        key: &str,
        input: &Map<String, Value>,
        context: &WriteContext,
    ) -> Result<UpsertOutcome, UpsertError> {
        if field == "Id" {
            let id = RecordId::parse(key).map_err(|_| RecordError::malformed_id(key))?;
            self.update(&id, input, context)?;
            return Ok(UpsertOutcome { id, created: false });
        }
        let mut body = Map::new();
        for (name, value) in input {
            if name.eq_ignore_ascii_case(field) {
                let same = value
                    .as_str()
                    .is_some_and(|given| given.eq_ignore_ascii_case(key));
                if !same {
                    return Err(RecordError::bad_request(
                        "INVALID_FIELD",
                        format!("The value of {field} in the body does not match the value in the URL"),
                        vec![field.to_owned()],
                    )
                    .into());
                }
            } else {
                body.insert(name.clone(), value.clone());
            }
        }
        let matching = self.find_by(field, key);
        match matching.as_slice() {
            [] => {
                body.insert(field.to_owned(), Value::String(key.to_owned()));
                let id = self.create(&body, context)?;
                Ok(UpsertOutcome { id, created: true })
            }
            [id] => {
                let id = id.clone();
                if self.leads.get(&id).is_some_and(Lead::is_converted) {
                    return Err(converted_error().into());
                }
                self.update(&id, &body, context)?;
                Ok(UpsertOutcome { id, created: false })
            }
            _ => Err(UpsertError::MultipleMatches(matching)),
        }
    }

    /// Deletes a live Lead (it stays visible to queryAll with `IsDeleted = true`).
    pub fn delete(&mut self, id: &RecordId, context: &WriteContext) -> Result<(), RecordError> {
        let lead = self.leads.get(id).ok_or_else(RecordError::not_found)?;
        if lead.is_deleted() {
            return Err(RecordError::entity_is_deleted());
        }
        let mut lead = lead.clone();
        lead.fields.insert("IsDeleted".into(), Value::Bool(true));
        lead.fields
            .insert("LastModifiedById".into(), Value::String(context.user_id.clone()));
        lead.fields
            .insert("LastModifiedDate".into(), Value::String(context.now.clone()));
        lead.fields
            .insert("SystemModstamp".into(), Value::String(context.now.clone()));
        self.replace(lead);
        Ok(())
    }

    /// The live Leads a condition can only match, from the lookup index, when it says so: a
    /// lookup field `IN` a list of texts, alone or as one term of an `AND`. In id order, the
    /// order a scan would give.
    fn indexed(&self, condition: &Condition) -> Option<BTreeSet<RecordId>> {
        match condition {
            Condition::In {
                field,
                values,
                negated: false,
                ..
            } if self.lookup.contains_key(field) => {
                let mut ids = BTreeSet::new();
                for value in values {
                    let Literal::Text(text) = value else {
                        return None;
                    };
                    ids.extend(self.find_by(field, text));
                }
                Some(ids)
            }
            Condition::All(terms) => terms.iter().find_map(|term| self.indexed(term)),
            _ => None,
        }
    }

    /// Live Leads whose `field` equals `key` (without regard to case).
    pub fn find_by(&self, field: &str, key: &str) -> Vec<RecordId> {
        self.lookup
            .get(field)
            .and_then(|index| index.get(&key.to_lowercase()))
            .map(|ids| ids.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Converts a Lead as an administrator would in the UI: new Account, Contact and
    /// Opportunity ids, `IsConverted`, `ConvertedDate`, Status "Closed - Converted".
    pub fn convert(&mut self, id: &RecordId, now: &str) -> Result<Conversion, AdminError> {
        let lead = self.admin_target(id)?;
        if lead.is_converted() {
            return Err(AdminError::AlreadyConverted(id.long()));
        }
        let mut lead = lead.clone();
        let account = self.mint_other(ACCOUNT_PREFIX);
        let contact = self.mint_other(CONTACT_PREFIX);
        let opportunity = self.mint_other(OPPORTUNITY_PREFIX);
        let date = now.get(..10).unwrap_or_default().to_owned();
        for (name, value) in [
            ("IsConverted", Value::Bool(true)),
            ("ConvertedDate", Value::String(date)),
            ("ConvertedAccountId", Value::String(account.long())),
            ("ConvertedContactId", Value::String(contact.long())),
            ("ConvertedOpportunityId", Value::String(opportunity.long())),
            ("Status", Value::String("Closed - Converted".into())),
            ("LastModifiedDate", Value::String(now.to_owned())),
            ("SystemModstamp", Value::String(now.to_owned())),
        ] {
            lead.fields.insert(name.into(), value);
        }
        self.replace(lead);
        Ok(Conversion {
            lead_id: id.long(),
            account_id: account.long(),
            contact_id: contact.long(),
            opportunity_id: opportunity.long(),
        })
    }

    /// Merges `loser` into `master`: the loser is deleted with `MasterRecordId` = master.
    pub fn merge(&mut self, master: &RecordId, loser: &RecordId, now: &str) -> Result<(), AdminError> {
        if master == loser {
            return Err(AdminError::SameLead);
        }
        self.admin_target(master)?;
        let mut lead = self.admin_target(loser)?.clone();
        lead.fields.insert("IsDeleted".into(), Value::Bool(true));
        lead.fields
            .insert("MasterRecordId".into(), Value::String(master.long()));
        lead.fields
            .insert("SystemModstamp".into(), Value::String(now.to_owned()));
        self.replace(lead);
        if let Some(mut master_lead) = self.leads.get(master).cloned() {
            master_lead
                .fields
                .insert("LastModifiedDate".into(), Value::String(now.to_owned()));
            master_lead
                .fields
                .insert("SystemModstamp".into(), Value::String(now.to_owned()));
            self.replace(master_lead);
        }
        Ok(())
    }

    /// Deletes a Lead as an administrator.
    pub fn admin_delete(&mut self, id: &RecordId, now: &str) -> Result<(), AdminError> {
        let mut lead = self.admin_target(id)?.clone();
        lead.fields.insert("IsDeleted".into(), Value::Bool(true));
        lead.fields
            .insert("SystemModstamp".into(), Value::String(now.to_owned()));
        self.replace(lead);
        Ok(())
    }

    /// The Lead's current state, to put back with [`Org::restore`] (allOrNone rollback).
    pub fn snapshot(&self, id: &RecordId) -> Option<Lead> {
        self.leads.get(id).cloned()
    }

    /// Puts a Lead back as it was (`None`: it did not exist).
    pub fn restore(&mut self, id: &RecordId, previous: Option<Lead>) {
        self.remove(id);
        if let Some(lead) = previous {
            self.insert(lead);
        }
    }

    /// The Leads a query selects, as the REST API returns them, and how many matched before
    /// LIMIT and OFFSET (`COUNT()` uses the count alone).
    pub fn query(&self, query: &Query, all_rows: bool, version: &str) -> (usize, Vec<Value>) {
        // `Email IN (…)` and the like go through the lookup index, as an org's index on them
        // would; the full condition is still checked on each Lead found. The index holds live
        // Leads only, so queryAll scans.
        let indexed = if all_rows {
            None
        } else {
            query
                .condition
                .as_ref()
                .and_then(|condition| self.indexed(condition))
        };
        let leads: Box<dyn Iterator<Item = &Lead>> = match indexed {
            Some(ids) => Box::new(ids.into_iter().filter_map(|id| self.leads.get(&id))),
            None => Box::new(self.leads.values()),
        };
        let mut selected: Vec<Map<String, Value>> = leads
            .filter(|lead| all_rows || !lead.is_deleted())
            .filter(|lead| {
                query
                    .condition
                    .as_ref()
                    .is_none_or(|condition| matches(condition, &lead.fields))
            })
            .map(|lead| lead.fields.clone())
            .collect();
        sort_records(&mut selected, &query.order);
        let offset = query.offset.unwrap_or(0);
        let mut records: Vec<Value> = selected
            .into_iter()
            .skip(offset)
            .take(query.limit.unwrap_or(usize::MAX))
            .map(|fields| {
                let id = fields
                    .get("Id")
                    .and_then(Value::as_str)
                    .and_then(|id| RecordId::parse(id).ok());
                let mut object = Map::new();
                if let Some(id) = id {
                    object.insert("attributes".into(), attributes(version, &id));
                }
                for name in &query.fields {
                    object.insert(name.clone(), fields.get(name).cloned().unwrap_or(Value::Null));
                }
                Value::Object(object)
            })
            .collect();
        if query.count {
            let count = records.len();
            records.clear();
            return (count, records);
        }
        (records.len(), records)
    }

    fn writable(&self, id: &RecordId) -> Result<&Lead, RecordError> {
        let lead = self.leads.get(id).ok_or_else(RecordError::not_found)?;
        if lead.is_deleted() {
            return Err(RecordError::entity_is_deleted());
        }
        if lead.is_converted() {
            return Err(converted_error());
        }
        Ok(lead)
    }

    fn admin_target(&self, id: &RecordId) -> Result<&Lead, AdminError> {
        let lead = self
            .leads
            .get(id)
            .ok_or_else(|| AdminError::NotFound(id.long()))?;
        if lead.is_deleted() {
            return Err(AdminError::Deleted(id.long()));
        }
        Ok(lead)
    }

    fn mint_other(&mut self, prefix: &str) -> RecordId {
        let id = RecordId::mint(prefix, self.next_other);
        self.next_other += 1;
        id
    }

    fn check_unique(&self, fields: &Map<String, Value>, own: Option<&RecordId>) -> Result<(), RecordError> {
        for field in self.schema.unique_fields() {
            let Some(value) = fields.get(&field.name).and_then(Value::as_str) else {
                continue;
            };
            if let Some(other) = self
                .find_by(&field.name, value)
                .into_iter()
                .find(|id| Some(id) != own)
            {
                return Err(RecordError::bad_request(
                    "DUPLICATE_VALUE",
                    format!(
                        "duplicate value found: {} duplicates value on record with id: {}",
                        field.name,
                        other.long()
                    ),
                    vec![field.name.clone()],
                ));
            }
        }
        Ok(())
    }

    /// The duplicate rule: another live Lead with the same e-mail address blocks the save
    /// unless the request says `allowSave=true`.
    fn check_duplicates(
        &self,
        fields: &Map<String, Value>,
        own: Option<&RecordId>,
        context: &WriteContext,
    ) -> Result<(), RecordError> {
        if !self.duplicate_rule || context.allow_duplicate_save {
            return Ok(());
        }
        let Some(email) = fields.get("Email").and_then(Value::as_str) else {
            return Ok(());
        };
        let matching: Vec<RecordId> = self
            .find_by("Email", email)
            .into_iter()
            .filter(|id| Some(id) != own)
            .collect();
        if matching.is_empty() {
            return Ok(());
        }
        let records: Vec<Value> = matching
            .iter()
            .map(|id| {
                json!({
                    "additionalInformation": [],
                    "fieldDiffs": [],
                    "matchConfidence": 100.0,
                    "record": {"attributes": attributes(&context.version, id), "Id": id.long()},
                })
            })
            .collect();
        let mut error = RecordError::bad_request("DUPLICATES_DETECTED", DUPLICATE_MESSAGE, Vec::new());
        error.fields = None;
        error.duplicate_result = Some(json!({
            "allowSave": true,
            "duplicateRule": "Standard_Lead_Duplicate_Rule",
            "duplicateRuleEntityType": "Lead",
            "errorMessage": DUPLICATE_MESSAGE,
            "matchResults": [{
                "entityType": "Lead",
                "errors": [],
                "matchEngine": "ExactMatchEngine",
                "matchRecords": records,
                "rule": "Standard_Lead_Match_Rule_v1_0",
                "size": matching.len(),
                "success": true,
            }],
        }));
        Err(error)
    }

    fn insert(&mut self, lead: Lead) {
        if !lead.is_deleted() {
            for name in &self.lookup_fields {
                if let Some(value) = lead.fields.get(name).and_then(Value::as_str) {
                    self.lookup
                        .entry(name.clone())
                        .or_default()
                        .entry(value.to_lowercase())
                        .or_default()
                        .insert(lead.id.clone());
                }
            }
        }
        self.leads.insert(lead.id.clone(), lead);
    }

    fn remove(&mut self, id: &RecordId) {
        let Some(lead) = self.leads.remove(id) else { return };
        for name in &self.lookup_fields {
            let Some(value) = lead.fields.get(name).and_then(Value::as_str) else {
                continue;
            };
            let key = value.to_lowercase();
            if let Some(index) = self.lookup.get_mut(name)
                && let Some(ids) = index.get_mut(&key)
            {
                ids.remove(id);
                if ids.is_empty() {
                    index.remove(&key);
                }
            }
        }
    }

    fn replace(&mut self, lead: Lead) {
        self.remove(&lead.id.clone());
        self.insert(lead);
    }
}

fn converted_error() -> RecordError {
    RecordError::with_fields(
        StatusCode::BAD_REQUEST,
        "CANNOT_UPDATE_CONVERTED_LEAD",
        "cannot reference converted lead",
        Vec::new(),
    )
}

/// Fills in the read-only compound fields `Name` and `Address` from their parts.
fn derive_compound_fields(fields: &mut Map<String, Value>) {
    let text =
        |fields: &Map<String, Value>, name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
    let name: Vec<String> = ["FirstName", "LastName"]
        .iter()
        .filter_map(|part| text(fields, part))
        .collect();
    fields.insert(
        "Name".into(),
        if name.is_empty() {
            Value::Null
        } else {
            Value::String(name.join(" "))
        },
    );
    let parts = [
        "Street",
        "City",
        "State",
        "PostalCode",
        "Country",
        "Latitude",
        "Longitude",
        "GeocodeAccuracy",
    ];
    let address = if parts
        .iter()
        .all(|part| fields.get(*part).is_none_or(Value::is_null))
    {
        Value::Null
    } else {
        let get = |name: &str| fields.get(name).cloned().unwrap_or(Value::Null);
        json!({
            "city": get("City"),
            "country": get("Country"),
            "countryCode": null,
            "geocodeAccuracy": get("GeocodeAccuracy"),
            "latitude": get("Latitude"),
            "longitude": get("Longitude"),
            "postalCode": get("PostalCode"),
            "state": get("State"),
            "stateCode": null,
            "street": get("Street"),
        })
    };
    fields.insert("Address".into(), address);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CustomField;

    fn org() -> Org {
        Org::new(Arc::new(LeadSchema::new(&[CustomField::leadgate_id()])), true)
    }

    fn context() -> WriteContext {
        WriteContext {
            assignment_rule: Some("default".into()),
            user_id: "0055e0000000001AAA".into(),
            allow_duplicate_save: false,
            now: "2026-01-01T00:00:00.000+0000".into(),
            version: "67.0".into(),
        }
    }

    fn input(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn an_indexed_in_query_finds_what_a_scan_finds() {
        let mut org = org();
        let mut ids = Vec::new();
        for (name, email) in [
            ("Doe", "a@x.com"),
            ("Roe", "B@x.com"),
            ("Doe", "c@x.com"),
            ("Doe", "d@x.com"),
        ] {
            let lead = input(json!({"LastName": name, "Company": "Acme", "Email": email}));
            ids.push(org.create(&lead, &context()).unwrap());
        }
        org.admin_delete(&ids[3], "2026-01-01T00:00:00.000+0000").unwrap();
        let schema = LeadSchema::new(&[CustomField::leadgate_id()]);
        let query = crate::soql::parse(
            "SELECT Id FROM Lead WHERE LastName = 'Doe' AND Email IN ('b@X.com', 'A@x.com', 'c@x.com', 'd@x.com')",
            &schema,
        )
        .unwrap();
        let found = |all_rows: bool| -> Vec<String> {
            org.query(&query, all_rows, "67.0")
                .1
                .iter()
                .map(|record| record["Id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            found(false),
            [ids[0].long(), ids[2].long()],
            "live Leads, in id order"
        );
        assert_eq!(
            found(true),
            [ids[0].long(), ids[2].long(), ids[3].long()],
            "queryAll scans"
        );
    }

    #[test]
    fn the_assignment_rule_a_write_runs_is_recorded_and_false_runs_none() {
        let mut org = org();
        let id = org
            .create(&input(json!({"LastName": "Doe", "Company": "Acme"})), &context())
            .unwrap();
        assert_eq!(org.assignment(&id), Some("default"));
        let named = WriteContext {
            assignment_rule: Some("01Q5e000000AbCdEAG".into()),
            ..context()
        };
        org.update(&id, &input(json!({"Title": "CEO"})), &named).unwrap();
        assert_eq!(org.assignment(&id), Some("01Q5e000000AbCdEAG"));
        let none = WriteContext {
            assignment_rule: None,
            ..context()
        };
        org.update(&id, &input(json!({"Title": "CTO"})), &none).unwrap();
        assert_eq!(
            org.assignment(&id),
            Some("01Q5e000000AbCdEAG"),
            "FALSE runs no rule"
        );
    }

    #[test]
    fn creates_with_defaults_and_system_fields() {
        let mut org = org();
        let id = org
            .create(
                &input(json!({"LastName": "Doe", "FirstName": "Jane", "Company": "Acme"})),
                &context(),
            )
            .unwrap();
        let lead = org.lead(&id).unwrap();
        assert_eq!(lead.field("Status"), "Open - Not Contacted");
        assert_eq!(lead.field("Name"), "Jane Doe");
        assert_eq!(lead.field("OwnerId"), "0055e0000000001AAA");
        assert_eq!(lead.field("IsConverted"), &Value::Bool(false));
        assert_eq!(lead.field("Id").as_str().unwrap().len(), 18);
    }

    #[test]
    fn duplicate_emails_are_blocked_unless_allowed() {
        let mut org = org();
        let lead = json!({"LastName": "Doe", "Company": "Acme", "Email": "jd@example.com"});
        org.create(&input(lead.clone()), &context()).unwrap();
        let error = org.create(&input(lead.clone()), &context()).unwrap_err();
        assert_eq!(error.code, "DUPLICATES_DETECTED");
        let allowing = WriteContext {
            allow_duplicate_save: true,
            ..context()
        };
        org.create(&input(lead), &allowing).unwrap();
        let error = org
            .upsert(
                "Email",
                "JD@example.com",
                &input(json!({"Title": "x"})),
                &context(),
            )
            .unwrap_err();
        assert!(matches!(error, UpsertError::MultipleMatches(ids) if ids.len() == 2));
    }

    #[test]
    fn rollback_restores_indexes() {
        let mut org = org();
        let id = org
            .create(
                &input(json!({"LastName": "Doe", "Company": "Acme", "LeadgateId__c": "c-1"})),
                &context(),
            )
            .unwrap();
        let before = org.snapshot(&id);
        org.update(&id, &input(json!({"LeadgateId__c": "c-2"})), &context())
            .unwrap();
        org.restore(&id, before);
        assert_eq!(org.find_by("LeadgateId__c", "C-1"), std::slice::from_ref(&id));
        assert!(org.find_by("LeadgateId__c", "c-2").is_empty());
        org.restore(&id, None);
        assert!(org.find_by("LeadgateId__c", "c-1").is_empty());
        assert_eq!(org.live_count(), 0);
    }

    #[test]
    fn converted_and_deleted_leads_refuse_writes() {
        let mut org = org();
        let id = org
            .create(&input(json!({"LastName": "Doe", "Company": "Acme"})), &context())
            .unwrap();
        org.convert(&id, "2026-01-02T00:00:00.000+0000").unwrap();
        let error = org
            .update(&id, &input(json!({"Title": "x"})), &context())
            .unwrap_err();
        assert_eq!(error.code, "CANNOT_UPDATE_CONVERTED_LEAD");
        assert_eq!(org.lead(&id).unwrap().field("ConvertedDate"), "2026-01-02");
        let other = org
            .create(&input(json!({"LastName": "Roe", "Company": "Acme"})), &context())
            .unwrap();
        org.merge(&id, &other, "2026-01-02T00:00:00.000+0000").unwrap();
        let error = org
            .update(&other, &input(json!({"Title": "x"})), &context())
            .unwrap_err();
        assert_eq!(error.code, "ENTITY_IS_DELETED");
        assert_eq!(
            org.lead(&other).unwrap().field("MasterRecordId"),
            &Value::String(id.long())
        );
    }
}
