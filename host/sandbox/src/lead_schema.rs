//! The Lead object as the sandbox org has it: the standard fields of the reference's field table
//! (§8.1, from a real v59 describe) plus the configured custom fields, and its describe JSON.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::config::{CustomField, CustomFieldKind};

/// The type of a Lead field, as describe names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// The record id.
    Id,
    /// A checkbox.
    Boolean,
    /// The id of another record.
    Reference,
    /// Single-line text.
    String,
    /// One value of a list.
    Picklist,
    /// Multi-line text.
    Textarea,
    /// A floating-point number.
    Double,
    /// The compound address (read only).
    Address,
    /// A phone number (free text).
    Phone,
    /// An e-mail address (validated).
    Email,
    /// A URL (free text).
    Url,
    /// An amount of money.
    Currency,
    /// An integer.
    Int,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// A date and time, `YYYY-MM-DDThh:mm:ss.SSS+0000`.
    DateTime,
}

impl FieldType {
    /// The `type` of describe.
    pub fn describe_name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Boolean => "boolean",
            Self::Reference => "reference",
            Self::String => "string",
            Self::Picklist => "picklist",
            Self::Textarea => "textarea",
            Self::Double => "double",
            Self::Address => "address",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Url => "url",
            Self::Currency => "currency",
            Self::Int => "int",
            Self::Date => "date",
            Self::DateTime => "datetime",
        }
    }

    /// The `soapType` of describe.
    fn soap_type(self) -> &'static str {
        match self {
            Self::Id | Self::Reference => "tns:ID",
            Self::Boolean => "xsd:boolean",
            Self::Double | Self::Currency => "xsd:double",
            Self::Int => "xsd:int",
            Self::Date => "xsd:date",
            Self::DateTime => "xsd:dateTime",
            Self::Address => "urn:address",
            _ => "xsd:string",
        }
    }

    /// Whether values are text (and so have a length in characters).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Self::Id
                | Self::Reference
                | Self::String
                | Self::Picklist
                | Self::Textarea
                | Self::Phone
                | Self::Email
                | Self::Url
        )
    }
}

/// One value of a picklist.
#[derive(Debug, Clone, PartialEq)]
pub struct PicklistValue {
    /// The API value.
    pub value: String,
    /// The label.
    pub label: String,
    /// Whether it is the default of new records.
    pub default: bool,
}

/// One Lead field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDefinition {
    /// API name.
    pub name: String,
    /// Label (used in error messages such as `STRING_TOO_LONG`).
    pub label: String,
    /// Type.
    pub field_type: FieldType,
    /// Maximum length in characters (text types), 0 otherwise.
    pub length: usize,
    /// Digits in all (double and currency).
    pub precision: u32,
    /// Digits after the point (double and currency).
    pub scale: u32,
    /// Digits (int).
    pub digits: u32,
    /// Whether the field may be null.
    pub nillable: bool,
    /// Whether a create may set it.
    pub createable: bool,
    /// Whether an update may set it.
    pub updateable: bool,
    /// Whether the org fills it in on create when it is not given.
    pub defaulted_on_create: bool,
    /// The default (describe's `defaultValue`).
    pub default_value: Value,
    /// The picklist values, for picklists.
    pub picklist_values: Vec<PicklistValue>,
    /// Whether values outside the picklist are rejected.
    pub restricted_picklist: bool,
    /// Marked External ID.
    pub external_id: bool,
    /// Values are unique across Leads.
    pub unique: bool,
    /// Usable as an upsert key (`idLookup`).
    pub id_lookup: bool,
    /// A custom field (`__c`).
    pub custom: bool,
    /// What a reference points to.
    pub reference_to: Vec<&'static str>,
    /// The relationship name of a reference (`Owner`).
    pub relationship_name: Option<&'static str>,
    /// The compound field it belongs to (`Name`, `Address`).
    pub compound_field_name: Option<&'static str>,
    /// Describe's `extraTypeInfo`.
    pub extra_type_info: Option<&'static str>,
    /// Whether the field can be used in a WHERE clause (long text cannot).
    pub filterable: bool,
    /// Whether a custom field must always have a value.
    pub required_custom: bool,
}

impl FieldDefinition {
    fn new(name: &str, label: &str, field_type: FieldType) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            field_type,
            length: 0,
            precision: 0,
            scale: 0,
            digits: 0,
            nillable: true,
            createable: true,
            updateable: true,
            defaulted_on_create: false,
            default_value: Value::Null,
            picklist_values: Vec::new(),
            restricted_picklist: false,
            external_id: false,
            unique: false,
            id_lookup: false,
            custom: false,
            reference_to: Vec::new(),
            relationship_name: None,
            compound_field_name: None,
            extra_type_info: None,
            filterable: true,
            required_custom: false,
        }
    }

    fn text(name: &str, label: &str, field_type: FieldType, length: usize) -> Self {
        Self {
            length,
            ..Self::new(name, label, field_type)
        }
    }

    fn read_only(mut self) -> Self {
        self.createable = false;
        self.updateable = false;
        self
    }

    fn not_null(mut self) -> Self {
        self.nillable = false;
        self
    }

    fn defaulted(mut self, default_value: Value) -> Self {
        self.defaulted_on_create = true;
        self.default_value = default_value;
        self
    }

    fn picklist(name: &str, label: &str, length: usize, values: &[(&str, &str)]) -> Self {
        let mut field = Self::text(name, label, FieldType::Picklist, length);
        field.picklist_values = values
            .iter()
            .map(|(value, label)| PicklistValue {
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                default: false,
            })
            .collect();
        field
    }

    fn reference(name: &str, label: &str, to: &[&'static str], relationship: &'static str) -> Self {
        let mut field = Self::text(name, label, FieldType::Reference, 18);
        field.reference_to = to.to_vec();
        field.relationship_name = Some(relationship);
        field
    }

    fn number(name: &str, label: &str, field_type: FieldType, precision: u32, scale: u32) -> Self {
        Self {
            precision,
            scale,
            ..Self::new(name, label, field_type)
        }
    }

    fn checkbox(name: &str, label: &str) -> Self {
        Self::new(name, label, FieldType::Boolean)
            .not_null()
            .defaulted(Value::Bool(false))
    }

    fn custom(definition: &CustomField) -> Self {
        let mut field = match &definition.kind {
            CustomFieldKind::Text { length } => {
                Self::text(&definition.name, &definition.label, FieldType::String, *length)
            }
            CustomFieldKind::Number { precision, scale } => Self::number(
                &definition.name,
                &definition.label,
                FieldType::Double,
                *precision,
                *scale,
            ),
            CustomFieldKind::Checkbox => Self::checkbox(&definition.name, &definition.label),
            CustomFieldKind::Date => Self::new(&definition.name, &definition.label, FieldType::Date),
            CustomFieldKind::DateTime => Self::new(&definition.name, &definition.label, FieldType::DateTime),
            CustomFieldKind::Email => Self::text(&definition.name, &definition.label, FieldType::Email, 80),
            CustomFieldKind::Picklist { values, restricted } => {
                let pairs: Vec<(&str, &str)> = values
                    .iter()
                    .map(|value| (value.as_str(), value.as_str()))
                    .collect();
                let mut field = Self::picklist(&definition.name, &definition.label, 255, &pairs);
                field.restricted_picklist = *restricted;
                field
            }
        };
        field.custom = true;
        field.external_id = definition.external_id;
        field.unique = definition.unique;
        field.id_lookup = definition.external_id || definition.unique;
        field.required_custom = definition.required;
        field
    }

    /// Whether a create must give a value: not nillable, createable and not defaulted.
    pub fn required(&self) -> bool {
        self.required_custom || (!self.nillable && self.createable && !self.defaulted_on_create)
    }

    /// The field's describe JSON, with every key a real describe has.
    fn describe(&self) -> Value {
        let text = self.field_type.is_text();
        let picklist_values: Vec<Value> = self
            .picklist_values
            .iter()
            .map(|entry| {
                json!({
                    "active": true,
                    "defaultValue": entry.default,
                    "label": entry.label,
                    "validFor": null,
                    "value": entry.value,
                })
            })
            .collect();
        let long_text = self.field_type == FieldType::Textarea && self.length > 255;
        let entries: Vec<(&str, Value)> = vec![
            (
                "aggregatable",
                json!(!long_text && self.field_type != FieldType::Address),
            ),
            ("aiPredictionField", json!(false)),
            ("autoNumber", json!(false)),
            ("byteLength", json!(if text { self.length * 3 } else { 0 })),
            (
                "calculated",
                json!(self.name == "Name" || self.field_type == FieldType::Address),
            ),
            ("calculatedFormula", json!(null)),
            ("cascadeDelete", json!(false)),
            ("caseSensitive", json!(false)),
            ("compoundFieldName", json!(self.compound_field_name)),
            ("controllerName", json!(null)),
            ("createable", json!(self.createable)),
            ("custom", json!(self.custom)),
            ("defaultValue", json!(self.default_value)),
            ("defaultValueFormula", json!(null)),
            ("defaultedOnCreate", json!(self.defaulted_on_create)),
            ("dependentPicklist", json!(false)),
            ("deprecatedAndHidden", json!(false)),
            ("digits", json!(self.digits)),
            ("displayLocationInDecimal", json!(false)),
            ("encrypted", json!(false)),
            ("externalId", json!(self.external_id)),
            ("extraTypeInfo", json!(self.extra_type_info)),
            ("filterable", json!(self.filterable)),
            ("filteredLookupInfo", json!(null)),
            ("formulaTreatNullNumberAsZero", json!(false)),
            (
                "groupable",
                json!(
                    self.filterable
                        && !matches!(
                            self.field_type,
                            FieldType::Double
                                | FieldType::Currency
                                | FieldType::DateTime
                                | FieldType::Address
                        )
                ),
            ),
            ("highScaleNumber", json!(false)),
            ("htmlFormatted", json!(false)),
            ("idLookup", json!(self.id_lookup)),
            ("inlineHelpText", json!(null)),
            ("label", json!(self.label)),
            ("length", json!(if text { self.length } else { 0 })),
            ("mask", json!(null)),
            ("maskType", json!(null)),
            ("name", json!(self.name)),
            ("nameField", json!(self.name == "Name")),
            ("namePointing", json!(self.name == "OwnerId")),
            ("nillable", json!(self.nillable)),
            (
                "permissionable",
                json!(self.nillable && (self.createable || self.updateable)),
            ),
            ("picklistValues", json!(picklist_values)),
            ("polymorphicForeignKey", json!(self.reference_to.len() > 1)),
            ("precision", json!(self.precision)),
            ("queryByDistance", json!(false)),
            ("referenceTargetField", json!(null)),
            ("referenceTo", json!(self.reference_to)),
            ("relationshipName", json!(self.relationship_name)),
            ("relationshipOrder", json!(null)),
            ("restrictedDelete", json!(false)),
            ("restrictedPicklist", json!(self.restricted_picklist)),
            ("scale", json!(self.scale)),
            ("searchPrefilterable", json!(false)),
            ("soapType", json!(self.field_type.soap_type())),
            (
                "sortable",
                json!(self.filterable && self.field_type != FieldType::Address),
            ),
            ("type", json!(self.field_type.describe_name())),
            ("unique", json!(self.unique)),
            ("updateable", json!(self.updateable)),
            ("writeRequiresMasterRead", json!(false)),
        ];
        Value::Object(
            entries
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect(),
        )
    }
}

/// Lead's Status values; the first is the default of new Leads.
const STATUS_VALUES: &[(&str, &str)] = &[
    ("Open - Not Contacted", "Open - Not Contacted"),
    ("Working - Contacted", "Working - Contacted"),
    ("Closed - Converted", "Closed - Converted"),
    ("Closed - Not Converted", "Closed - Not Converted"),
];

const INDUSTRY_VALUES: &[&str] = &[
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
];

/// The Lead object: its fields in describe order, found by name without regard to case.
#[derive(Debug, Clone)]
pub struct LeadSchema {
    fields: Vec<FieldDefinition>,
    by_name: HashMap<String, usize>,
}

impl LeadSchema {
    /// The standard Lead fields followed by `custom_fields`.
    pub fn new(custom_fields: &[CustomField]) -> Self {
        let mut fields = standard_fields();
        fields.extend(custom_fields.iter().map(FieldDefinition::custom));
        let by_name = fields
            .iter()
            .enumerate()
            .map(|(position, field)| (field.name.to_ascii_lowercase(), position))
            .collect();
        Self { fields, by_name }
    }

    /// Every field, in describe order.
    pub fn fields(&self) -> &[FieldDefinition] {
        &self.fields
    }

    /// The field with this API name, compared without regard to case.
    pub fn field(&self, name: &str) -> Option<&FieldDefinition> {
        if let Some(&position) = self.by_name.get(name) {
            return self.fields.get(position);
        }
        self.by_name
            .get(&name.to_ascii_lowercase())
            .and_then(|&position| self.fields.get(position))
    }

    /// The unique fields other than `Id` (whose values no two live Leads may share).
    pub fn unique_fields(&self) -> impl Iterator<Item = &FieldDefinition> {
        self.fields.iter().filter(|field| field.unique)
    }

    /// `GET /sobjects/Lead/describe`.
    pub fn describe(&self, version: &str) -> Value {
        let base = format!("/services/data/v{version}/sobjects/Lead");
        let fields: Vec<Value> = self.fields.iter().map(FieldDefinition::describe).collect();
        let entries: Vec<(&str, Value)> = vec![
            ("actionOverrides", json!([])),
            ("activateable", json!(false)),
            ("associateEntityType", json!(null)),
            ("associateParentEntity", json!(null)),
            ("childRelationships", json!([])),
            ("compactLayoutable", json!(true)),
            ("createable", json!(true)),
            ("custom", json!(false)),
            ("customSetting", json!(false)),
            ("deepCloneable", json!(false)),
            ("defaultImplementation", json!(null)),
            ("deletable", json!(true)),
            ("deprecatedAndHidden", json!(false)),
            ("extendedBy", json!(null)),
            ("extendsInterfaces", json!(null)),
            ("feedEnabled", json!(true)),
            ("fields", json!(fields)),
            ("hasSubtypes", json!(false)),
            ("implementedBy", json!(null)),
            ("implementsInterfaces", json!(null)),
            ("isInterface", json!(false)),
            ("isSubtype", json!(false)),
            ("keyPrefix", json!("00Q")),
            ("label", json!("Lead")),
            ("labelPlural", json!("Leads")),
            ("layoutable", json!(true)),
            ("listviewable", json!(null)),
            ("lookupLayoutable", json!(null)),
            ("mergeable", json!(true)),
            ("mruEnabled", json!(true)),
            ("name", json!("Lead")),
            ("namedLayoutInfos", json!([])),
            ("networkScopeFieldName", json!(null)),
            ("queryable", json!(true)),
            (
                "recordTypeInfos",
                json!([{
                    "active": true,
                    "available": true,
                    "defaultRecordTypeMapping": true,
                    "developerName": "Master",
                    "master": true,
                    "name": "Master",
                    "recordTypeId": "012000000000000AAA",
                    "urls": {"layout": format!("{base}/describe/layouts/012000000000000AAA")},
                }]),
            ),
            ("replicateable", json!(true)),
            ("retrieveable", json!(true)),
            ("searchLayoutable", json!(true)),
            ("searchable", json!(true)),
            ("sobjectDescribeOption", json!("FULL")),
            (
                "supportedScopes",
                json!([
                    {"label": "All leads", "name": "everything"},
                    {"label": "My leads", "name": "mine"},
                    {"label": "My team's leads", "name": "team"},
                ]),
            ),
            ("triggerable", json!(true)),
            ("undeletable", json!(true)),
            ("updateable", json!(true)),
            ("urls", json!(object_urls(version, true))),
        ];
        Value::Object(
            entries
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect(),
        )
    }
}

/// The `urls` of Lead in describe (`full`) and in the global describe.
pub fn object_urls(version: &str, full: bool) -> Value {
    let base = format!("/services/data/v{version}/sobjects/Lead");
    let mut urls = Map::new();
    if full {
        urls.insert(
            "compactLayouts".into(),
            json!(format!("{base}/describe/compactLayouts")),
        );
        urls.insert(
            "approvalLayouts".into(),
            json!(format!("{base}/describe/approvalLayouts")),
        );
        urls.insert("uiDetailTemplate".into(), json!("/{ID}"));
        urls.insert("uiEditTemplate".into(), json!("/{ID}/e"));
        urls.insert("listviews".into(), json!(format!("{base}/listviews")));
        urls.insert("uiNewRecord".into(), json!("/00Q/e"));
        urls.insert("quickActions".into(), json!(format!("{base}/quickActions")));
        urls.insert("layouts".into(), json!(format!("{base}/describe/layouts")));
    }
    urls.insert("rowTemplate".into(), json!(format!("{base}/{{ID}}")));
    urls.insert("describe".into(), json!(format!("{base}/describe")));
    urls.insert("sobject".into(), json!(base));
    Value::Object(urls)
}

fn standard_fields() -> Vec<FieldDefinition> {
    use FieldType::{Address, DateTime, Double, Email, Id, Phone, Textarea, Url};
    let mut id = FieldDefinition::text("Id", "Lead ID", Id, 18)
        .read_only()
        .not_null();
    id.defaulted_on_create = true;
    id.id_lookup = true;
    let mut last_name = FieldDefinition::text("LastName", "Last Name", FieldType::String, 80).not_null();
    last_name.compound_field_name = Some("Name");
    last_name.extra_type_info = Some("personname");
    let mut first_name = FieldDefinition::text("FirstName", "First Name", FieldType::String, 40);
    first_name.compound_field_name = Some("Name");
    first_name.extra_type_info = Some("personname");
    let mut salutation = FieldDefinition::picklist(
        "Salutation",
        "Salutation",
        40,
        &[
            ("Mr.", "Mr."),
            ("Ms.", "Ms."),
            ("Mrs.", "Mrs."),
            ("Dr.", "Dr."),
            ("Prof.", "Prof."),
            ("Mx.", "Mx."),
        ],
    );
    salutation.compound_field_name = Some("Name");
    let mut name = FieldDefinition::text("Name", "Full Name", FieldType::String, 121)
        .read_only()
        .not_null();
    name.extra_type_info = Some("personname");
    let address_part = |name: &str, label: &str, field_type: FieldType, length: usize| {
        let mut field = FieldDefinition::text(name, label, field_type, length);
        field.compound_field_name = Some("Address");
        field
    };
    let coordinate = |name: &str, label: &str| {
        let mut field = FieldDefinition::number(name, label, Double, 18, 15);
        field.compound_field_name = Some("Address");
        field
    };
    let mut geocode_accuracy = FieldDefinition::picklist(
        "GeocodeAccuracy",
        "Geocode Accuracy",
        40,
        &[
            ("Address", "Address"),
            ("NearAddress", "NearAddress"),
            ("Block", "Block"),
            ("Street", "Street"),
            ("ExtendedZip", "ExtendedZip"),
            ("Zip", "Zip"),
            ("Neighborhood", "Neighborhood"),
            ("City", "City"),
            ("County", "County"),
            ("State", "State"),
            ("Unknown", "Unknown"),
        ],
    );
    geocode_accuracy.restricted_picklist = true;
    geocode_accuracy.compound_field_name = Some("Address");
    let mut email = FieldDefinition::text("Email", "Email", Email, 80);
    email.id_lookup = true;
    let mut description = FieldDefinition::text("Description", "Description", Textarea, 32000);
    description.filterable = false;
    let mut status = FieldDefinition::picklist("Status", "Status", 255, STATUS_VALUES)
        .not_null()
        .defaulted(Value::String(STATUS_VALUES[0].0.to_owned()));
    if let Some(first) = status.picklist_values.first_mut() {
        first.default = true;
    }
    let industries: Vec<(&str, &str)> = INDUSTRY_VALUES.iter().map(|value| (*value, *value)).collect();
    let mut employees = FieldDefinition::new("NumberOfEmployees", "Employees", FieldType::Int);
    employees.digits = 8;
    let mut owner = FieldDefinition::reference("OwnerId", "Owner ID", &["Group", "User"], "Owner").not_null();
    owner.defaulted_on_create = true;
    let mut is_converted = FieldDefinition::checkbox("IsConverted", "Converted");
    is_converted.updateable = false;
    let system_user = |name: &str, label: &str, relationship: &'static str| {
        let mut field = FieldDefinition::reference(name, label, &["User"], relationship)
            .read_only()
            .not_null();
        field.defaulted_on_create = true;
        field
    };
    let audit_time = |name: &str, label: &str| {
        let mut field = FieldDefinition::new(name, label, DateTime).read_only().not_null();
        field.defaulted_on_create = true;
        field
    };
    let mut clean_status = FieldDefinition::picklist(
        "CleanStatus",
        "Clean Status",
        40,
        &[
            ("Matched", "In Sync"),
            ("Different", "Different"),
            ("Acknowledged", "Reviewed"),
            ("NotFound", "Not Found"),
            ("Inactive", "Inactive"),
            ("Pending", "Not Compared"),
            ("SelectMatch", "Select Match"),
            ("Skipped", "Skipped"),
        ],
    );
    clean_status.restricted_picklist = true;
    let mut email_bounced_reason = FieldDefinition::text(
        "EmailBouncedReason",
        "Email Bounced Reason",
        FieldType::String,
        255,
    );
    email_bounced_reason.createable = false;
    let mut email_bounced_date = FieldDefinition::new("EmailBouncedDate", "Email Bounced Date", DateTime);
    email_bounced_date.createable = false;
    let mut is_deleted = FieldDefinition::checkbox("IsDeleted", "Deleted").read_only();
    is_deleted.defaulted_on_create = true;
    let mut is_unread = FieldDefinition::checkbox("IsUnreadByOwner", "Unread By Owner");
    is_unread.default_value = Value::Bool(false);

    vec![
        id,
        is_deleted,
        FieldDefinition::reference("MasterRecordId", "Master Record ID", &["Lead"], "MasterRecord")
            .read_only(),
        last_name,
        first_name,
        salutation,
        name,
        FieldDefinition::text("Title", "Title", FieldType::String, 128),
        FieldDefinition::text("Company", "Company", FieldType::String, 255).not_null(),
        address_part("Street", "Street", Textarea, 255),
        address_part("City", "City", FieldType::String, 40),
        address_part("State", "State/Province", FieldType::String, 80),
        address_part("PostalCode", "Zip/Postal Code", FieldType::String, 20),
        address_part("Country", "Country", FieldType::String, 80),
        coordinate("Latitude", "Latitude"),
        coordinate("Longitude", "Longitude"),
        geocode_accuracy,
        FieldDefinition::new("Address", "Address", Address).read_only(),
        FieldDefinition::text("Phone", "Phone", Phone, 40),
        FieldDefinition::text("MobilePhone", "Mobile Phone", Phone, 40),
        FieldDefinition::text("Fax", "Fax", Phone, 40),
        email,
        FieldDefinition::text("Website", "Website", Url, 255),
        FieldDefinition::text("PhotoUrl", "Photo URL", Url, 255).read_only(),
        description,
        FieldDefinition::picklist(
            "LeadSource",
            "Lead Source",
            255,
            &[
                ("Web", "Web"),
                ("Phone Inquiry", "Phone Inquiry"),
                ("Partner Referral", "Partner Referral"),
                ("Purchased List", "Purchased List"),
                ("Other", "Other"),
            ],
        ),
        status,
        FieldDefinition::picklist("Industry", "Industry", 255, &industries),
        FieldDefinition::picklist(
            "Rating",
            "Rating",
            255,
            &[("Hot", "Hot"), ("Warm", "Warm"), ("Cold", "Cold")],
        ),
        FieldDefinition::number("AnnualRevenue", "Annual Revenue", FieldType::Currency, 18, 0),
        employees,
        owner,
        FieldDefinition::checkbox("HasOptedOutOfEmail", "Email Opt Out"),
        is_converted,
        FieldDefinition::new("ConvertedDate", "Converted Date", FieldType::Date).read_only(),
        FieldDefinition::reference(
            "ConvertedAccountId",
            "Converted Account ID",
            &["Account"],
            "ConvertedAccount",
        )
        .read_only(),
        FieldDefinition::reference(
            "ConvertedContactId",
            "Converted Contact ID",
            &["Contact"],
            "ConvertedContact",
        )
        .read_only(),
        FieldDefinition::reference(
            "ConvertedOpportunityId",
            "Converted Opportunity ID",
            &["Opportunity"],
            "ConvertedOpportunity",
        )
        .read_only(),
        is_unread,
        audit_time("CreatedDate", "Created Date"),
        system_user("CreatedById", "Created By ID", "CreatedBy"),
        audit_time("LastModifiedDate", "Last Modified Date"),
        system_user("LastModifiedById", "Last Modified By ID", "LastModifiedBy"),
        audit_time("SystemModstamp", "System Modstamp"),
        FieldDefinition::new("LastActivityDate", "Last Activity", FieldType::Date).read_only(),
        FieldDefinition::checkbox("DoNotCall", "Do Not Call"),
        FieldDefinition::checkbox("HasOptedOutOfFax", "Fax Opt Out"),
        FieldDefinition::new("LastViewedDate", "Last Viewed Date", DateTime).read_only(),
        FieldDefinition::new("LastReferencedDate", "Last Referenced Date", DateTime).read_only(),
        FieldDefinition::text("Jigsaw", "Data.com Key", FieldType::String, 20),
        FieldDefinition::text("JigsawContactId", "Jigsaw Contact ID", FieldType::String, 20).read_only(),
        clean_status,
        FieldDefinition::text(
            "CompanyDunsNumber",
            "Company D-U-N-S Number",
            FieldType::String,
            9,
        ),
        FieldDefinition::reference(
            "DandbCompanyId",
            "D&B Company ID",
            &["DandBCompany"],
            "DandbCompany",
        ),
        email_bounced_reason,
        email_bounced_date,
        FieldDefinition::reference("IndividualId", "Individual ID", &["Individual"], "Individual"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fields_are_last_name_and_company() {
        let schema = LeadSchema::new(&[CustomField::leadgate_id()]);
        let required: Vec<&str> = schema
            .fields()
            .iter()
            .filter(|field| field.required())
            .map(|field| field.name.as_str())
            .collect();
        assert_eq!(required, ["LastName", "Company"]);
    }

    #[test]
    fn finds_fields_without_regard_to_case() {
        let schema = LeadSchema::new(&[CustomField::leadgate_id()]);
        assert_eq!(schema.field("lastname").map(|field| field.length), Some(80));
        let external = schema.field("LEADGATEID__C").unwrap();
        assert!(external.external_id && external.unique && external.custom);
        assert!(schema.field("Nope").is_none());
    }
}
