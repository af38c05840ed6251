//! `standard-lead-mapping`: maps a contact to the standard Salesforce Lead fields.
//!
//! # Configuration
//!
//! | Key                 | Default          | Meaning |
//! |---------------------|------------------|---------|
//! | `default-company`   | `[not provided]` | `Company` for contacts without one (Salesforce requires a Company); must not be blank. |
//! | `default-last-name` | none             | `LastName` for contacts without one. When not set, such a contact fails with invalid-input naming the contact and the missing field. Must not be blank when set. |
//! | `lead-source`       | `Web`            | `LeadSource` of every Lead; a blank value sends no `LeadSource`. |
//! | `status`            | none             | `Status` (Lead Status picklist value) of every Lead; none or blank sends no `Status`. |
//! | `external-id-field` | none             | API name of a field that gets the contact id, e.g. `Leadgate_Contact_Id__c`. |
//! | `description`       | `true`           | `true` or `false`: write the contact's score totals into `Description`. |
//!
//! Any other key is rejected as invalid-config.
//!
//! # Fields
//!
//! | Lead field                                   | From |
//! |----------------------------------------------|------|
//! | `FirstName`, `LastName`, `Company`, `Email`, `Phone`, `Title` | the contact (`LastName` and `Company` fall back to the defaults above) |
//! | `Street`, `City`, `State`, `PostalCode`, `Country` | the contact's address |
//! | `LeadSource`, `Status`                       | the configuration |
//! | `Description`                                | one line per score, e.g. `leadgate score Office buyers: 3000 points`, when enabled and the contact has scores |
//! | the `external-id-field`                      | the contact id |
//!
//! Every value is trimmed; a value that is absent or blank is left out (never sent as null, which
//! would clear the field in Salesforce). When the host passes the org's describe of the Lead
//! object, fields it does not list or that are not createable are left out, and text is cut to
//! the field's length in characters (never splitting a character).

use leadgate_plugin_sdk::text::non_blank;
use leadgate_plugin_sdk::{
    Config, FieldMapping, LeadField, LeadFields, MappingInput, PluginError, Result, ScoreTotal, Timestamp,
    register_field_mapping,
};

const DEFAULT_COMPANY: &str = "default-company";
const DEFAULT_LAST_NAME: &str = "default-last-name";
const LEAD_SOURCE: &str = "lead-source";
const STATUS: &str = "status";
const EXTERNAL_ID_FIELD: &str = "external-id-field";
const DESCRIPTION: &str = "description";
const KNOWN_KEYS: &[&str] = &[
    DEFAULT_COMPANY,
    DEFAULT_LAST_NAME,
    LEAD_SOURCE,
    STATUS,
    EXTERNAL_ID_FIELD,
    DESCRIPTION,
];

/// The Lead fields this mapping fills from the contact and its configuration, which the
/// external id must not collide with.
const MAPPED_FIELDS: &[&str] = &[
    "FirstName",
    "LastName",
    "Company",
    "Email",
    "Phone",
    "Title",
    "Street",
    "City",
    "State",
    "PostalCode",
    "Country",
    "LeadSource",
    "Status",
    "Description",
];

/// The mapping, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StandardLeadMapping {
    default_company: String,
    default_last_name: Option<String>,
    lead_source: Option<String>,
    status: Option<String>,
    external_id_field: Option<String>,
    description: bool,
}

impl FieldMapping for StandardLeadMapping {
    fn from_config(config: &Config) -> Result<Self> {
        config.reject_unknown(KNOWN_KEYS)?;
        let default_company = match config.get(DEFAULT_COMPANY) {
            None => "[not provided]",
            Some(value) => non_blank(Some(value)).ok_or_else(|| {
                PluginError::invalid_config_key(
                    DEFAULT_COMPANY,
                    "must not be blank: Salesforce requires a Company on every Lead",
                )
            })?,
        };
        let default_last_name = match config.get(DEFAULT_LAST_NAME) {
            None => None,
            Some(value) => Some(non_blank(Some(value)).ok_or_else(|| {
                PluginError::invalid_config_key(
                    DEFAULT_LAST_NAME,
                    "must not be blank; leave the key out to reject contacts without a last name",
                )
            })?),
        };
        let lead_source = match config.get(LEAD_SOURCE) {
            None => Some("Web"),
            Some(value) => non_blank(Some(value)),
        };
        let status = non_blank(config.get(STATUS));
        let external_id_field = non_blank(config.get(EXTERNAL_ID_FIELD));
        if let Some(field) = external_id_field {
            check_api_name(field)?;
        }
        Ok(Self {
            default_company: default_company.to_owned(),
            default_last_name: default_last_name.map(str::to_owned),
            lead_source: lead_source.map(str::to_owned),
            status: status.map(str::to_owned),
            external_id_field: external_id_field.map(str::to_owned),
            description: config.get_bool(DESCRIPTION)?.unwrap_or(true),
        })
    }

    fn map(&self, input: &MappingInput, lead_fields: &LeadFields, _now: Timestamp) -> Result<Vec<LeadField>> {
        let contact = &input.contact;
        let last_name = non_blank(contact.last_name.as_deref())
            .or(self.default_last_name.as_deref())
            .ok_or_else(|| {
                PluginError::invalid_input(format!(
                    "contact `{}` has no last name (`last-name`), which Salesforce requires on a \
                     Lead; set `{DEFAULT_LAST_NAME}` to map such contacts anyway",
                    contact.id
                ))
            })?;
        let company = non_blank(contact.company.as_deref()).unwrap_or(&self.default_company);
        let address = &contact.address;

        let mut fields = Fields {
            lead_fields,
            fields: Vec::with_capacity(16),
        };
        fields.text("FirstName", contact.first_name.as_deref());
        fields.text("LastName", Some(last_name));
        fields.text("Company", Some(company));
        fields.text("Email", contact.email.as_deref());
        fields.text("Phone", contact.phone.as_deref());
        fields.text("Title", contact.title.as_deref());
        fields.text("Street", address.street.as_deref());
        fields.text("City", address.city.as_deref());
        fields.text("State", address.state.as_deref());
        fields.text("PostalCode", address.postal_code.as_deref());
        fields.text("Country", address.country.as_deref());
        fields.text("LeadSource", self.lead_source.as_deref());
        fields.text("Status", self.status.as_deref());
        if self.description && !input.scores.is_empty() {
            fields.text("Description", Some(&describe_scores(&input.scores)));
        }
        if let Some(external_id_field) = &self.external_id_field {
            fields.text(external_id_field, Some(&contact.id));
        }
        Ok(fields.fields)
    }
}

/// The fields of one Lead being built, fitted to the describe as they are added.
struct Fields<'a> {
    lead_fields: &'a LeadFields,
    fields: Vec<LeadField>,
}

impl Fields<'_> {
    /// Adds `name` with the trimmed `value`, unless the value is absent or blank, or the
    /// describe (when there is one) does not let the field be set on create. Text is cut to
    /// the field's length.
    fn text(&mut self, name: &str, value: Option<&str>) {
        let Some(value) = fit(self.lead_fields, name, value) else {
            return;
        };
        self.fields.push(LeadField::text(name, value));
    }
}

/// The value to send for the text field `name`, or `None` to leave the field out.
fn fit<'v>(lead_fields: &LeadFields, name: &str, value: Option<&'v str>) -> Option<&'v str> {
    let value = non_blank(value)?;
    if lead_fields.is_empty() {
        return Some(value);
    }
    let description = lead_fields.get(name).filter(|field| field.createable)?;
    // Cutting may leave whitespace at the end ("Acme Corp" at 5 is "Acme "): trim it again.
    non_blank(Some(description.fit_text(value)))
}

/// One line per score: `leadgate score Office buyers: 3000 points`.
fn describe_scores(scores: &[ScoreTotal]) -> String {
    let mut description = String::new();
    for score in scores {
        if !description.is_empty() {
            description.push('\n');
        }
        let unit = if score.points == 1 || score.points == -1 {
            "point"
        } else {
            "points"
        };
        description.push_str(&format!(
            "leadgate score {}: {} {unit}",
            score.score, score.points
        ));
    }
    description
}

/// Checks that `field` looks like a Salesforce API name (`Leadgate_Contact_Id__c`) and is not
/// one of the fields this mapping already fills.
fn check_api_name(field: &str) -> Result<()> {
    let starts_with_letter = field
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic());
    let allowed = field
        .chars()
        .all(|character| character.is_ascii_alphanumeric() || character == '_');
    if !starts_with_letter || !allowed {
        return Err(PluginError::invalid_config_key(
            EXTERNAL_ID_FIELD,
            format_args!(
                "expected a field API name such as `Leadgate_Contact_Id__c` (a letter, then letters, digits and `_`), got `{field}`"
            ),
        ));
    }
    if MAPPED_FIELDS.contains(&field) {
        return Err(PluginError::invalid_config_key(
            EXTERNAL_ID_FIELD,
            format_args!("`{field}` is already filled from the contact; choose a field of its own"),
        ));
    }
    Ok(())
}

register_field_mapping!(StandardLeadMapping);

#[cfg(test)]
mod tests {
    use super::*;
    use leadgate_plugin_sdk::{
        Contact, FieldDescription, FieldType, FieldValue, ScoreTotal, run_mapping_batch,
    };

    fn mapping(entries: &[(&str, &str)]) -> Result<StandardLeadMapping> {
        StandardLeadMapping::from_config(&Config::from_entries(entries.iter().copied()))
    }

    fn contact() -> Contact {
        let mut contact = Contact {
            email: Some("jane@example.com".into()),
            first_name: Some(" Jane ".into()),
            last_name: Some("Doe".into()),
            company: Some("Acme Corporation".into()),
            title: Some("IT Director".into()),
            phone: Some("   ".into()),
            ..Contact::new("c-1")
        };
        contact.address.city = Some("Zürich".into());
        contact.address.country = Some("CH".into());
        contact
    }

    fn input(contact: Contact, scores: &[(&str, i64)]) -> MappingInput {
        MappingInput {
            contact,
            scores: scores
                .iter()
                .map(|&(score, points)| ScoreTotal {
                    score: score.into(),
                    points,
                })
                .collect(),
        }
    }

    fn describe(name: &str, length: u32, createable: bool) -> FieldDescription {
        FieldDescription {
            name: name.into(),
            label: name.into(),
            field_type: FieldType::Text,
            length,
            required: false,
            createable,
            updateable: createable,
            picklist_values: Vec::new(),
            restricted_picklist: false,
        }
    }

    fn map(
        entries: &[(&str, &str)],
        input: &MappingInput,
        lead_fields: &LeadFields,
    ) -> Result<Vec<(String, String)>> {
        let fields = mapping(entries)?.map(input, lead_fields, 0)?;
        Ok(fields
            .into_iter()
            .map(|field| match field.value {
                FieldValue::Text(text) => (field.name, text),
                other => panic!("{} is not text: {other:?}", field.name),
            })
            .collect())
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|&(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    }

    #[test]
    fn maps_the_standard_fields() {
        let input = input(contact(), &[("Office buyers", 3000), ("Pricing visits", 1)]);
        let fields = map(&[], &input, &LeadFields::default());
        assert_eq!(
            fields,
            Ok(pairs(&[
                ("FirstName", "Jane"),
                ("LastName", "Doe"),
                ("Company", "Acme Corporation"),
                ("Email", "jane@example.com"),
                ("Title", "IT Director"),
                ("City", "Zürich"),
                ("Country", "CH"),
                ("LeadSource", "Web"),
                (
                    "Description",
                    "leadgate score Office buyers: 3000 points\nleadgate score Pricing visits: 1 point"
                ),
            ]))
        );
    }

    #[test]
    fn configuration_sets_defaults_status_and_external_id() {
        let contact = Contact {
            company: None,
            last_name: Some(" ".into()),
            ..contact()
        };
        let entries = [
            ("default-company", "Unknown Inc."),
            ("default-last-name", "[unknown]"),
            ("lead-source", " "),
            ("status", "Open - Not Contacted"),
            ("external-id-field", "Leadgate_Contact_Id__c"),
            ("description", "false"),
        ];
        let fields = map(
            &entries,
            &input(contact, &[("Office buyers", 5)]),
            &LeadFields::default(),
        );
        assert_eq!(
            fields,
            Ok(pairs(&[
                ("FirstName", "Jane"),
                ("LastName", "[unknown]"),
                ("Company", "Unknown Inc."),
                ("Email", "jane@example.com"),
                ("Title", "IT Director"),
                ("City", "Zürich"),
                ("Country", "CH"),
                ("Status", "Open - Not Contacted"),
                ("Leadgate_Contact_Id__c", "c-1"),
            ]))
        );
    }

    #[test]
    fn missing_company_uses_the_default() {
        let contact = Contact {
            company: Some("  ".into()),
            ..contact()
        };
        let fields = map(&[], &input(contact, &[]), &LeadFields::default());
        let company = fields.map(|fields| fields.into_iter().find(|(name, _)| name == "Company"));
        assert_eq!(
            company,
            Ok(Some(("Company".to_owned(), "[not provided]".to_owned())))
        );
    }

    #[test]
    fn a_missing_last_name_names_the_contact() {
        let contact = Contact {
            last_name: None,
            ..contact()
        };
        assert_eq!(
            map(&[], &input(contact, &[]), &LeadFields::default()),
            Err(PluginError::invalid_input(
                "contact `c-1` has no last name (`last-name`), which Salesforce requires on a Lead; \
                 set `default-last-name` to map such contacts anyway"
            ))
        );
    }

    #[test]
    fn fits_fields_to_the_describe() {
        let lead_fields = LeadFields::new(vec![
            describe("LastName", 80, true),
            describe("FirstName", 2, true),
            describe("Company", 5, true),
            describe("City", 3, true),
            describe("Email", 80, false),
            describe("LeadSource", 0, true),
            describe("Description", 0, true),
        ]);
        let input = input(contact(), &[("Office buyers", 3000)]);
        assert_eq!(
            map(
                &[("external-id-field", "Leadgate_Contact_Id__c")],
                &input,
                &lead_fields
            ),
            Ok(pairs(&[
                ("FirstName", "Ja"),
                ("LastName", "Doe"),
                ("Company", "Acme"),
                ("City", "Zür"),
                ("LeadSource", "Web"),
                ("Description", "leadgate score Office buyers: 3000 points"),
            ]))
        );
    }

    #[test]
    fn configuration_errors_name_the_key() {
        let message = |entries: &[(&str, &str)]| match mapping(entries) {
            Ok(mapping) => panic!("accepted {mapping:?}"),
            Err(PluginError::InvalidConfig(message)) => message,
            Err(other) => panic!("not invalid-config: {other}"),
        };
        assert!(
            message(&[("default-company", " ")])
                .starts_with("config key `default-company`: must not be blank")
        );
        assert!(
            message(&[("default-last-name", "")])
                .starts_with("config key `default-last-name`: must not be blank")
        );
        assert_eq!(
            message(&[("description", "yes")]),
            "config key `description`: expected `true` or `false`, got `yes`"
        );
        assert!(
            message(&[("external-id-field", "Leadgate Id")])
                .starts_with("config key `external-id-field`: expected a field API name")
        );
        assert!(
            message(&[("external-id-field", "Email")])
                .starts_with("config key `external-id-field`: `Email` is already filled")
        );
        assert!(message(&[("source", "Web")]).starts_with("config key `source` is not known"));
    }

    #[test]
    fn one_result_per_input() {
        let inputs = vec![input(contact(), &[]), input(Contact::new("c-2"), &[])];
        let results =
            run_mapping_batch::<StandardLeadMapping>(&Config::default(), &inputs, &LeadFields::default(), 0);
        assert_eq!(results.len(), 2);
        assert!(results[0].is_ok());
        assert!(matches!(&results[1], Err(PluginError::InvalidInput(message)) if message.contains("`c-2`")));
    }

    #[test]
    fn score_lines() {
        let scores = [
            ScoreTotal {
                score: "A".into(),
                points: -1,
            },
            ScoreTotal {
                score: "B".into(),
                points: 0,
            },
        ];
        assert_eq!(
            describe_scores(&scores),
            "leadgate score A: -1 point\nleadgate score B: 0 points"
        );
    }
}
