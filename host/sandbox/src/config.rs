//! How a sandbox org is set up: API versions, limits, sessions, custom Lead fields, faults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::faults::FaultSettings;

/// The newest REST API version the sandbox serves by default (Summer '26).
pub const LATEST_API_VERSION: u32 = 67;
/// The oldest REST API version the sandbox serves by default (sObject Collections need v42).
pub const OLDEST_API_VERSION: u32 = 42;
/// The daily API request allocation of a Developer Edition org, the sandbox's default.
pub const DEVELOPER_EDITION_DAILY_LIMIT: u64 = 15_000;
/// The most CSV one Bulk API 2.0 upload may carry (150 MB, reference §5.7).
pub const BULK_UPLOAD_LIMIT: usize = 150 * 1024 * 1024;
/// Name of the External ID field that leadgate writes its contact id into.
pub const LEADGATE_ID_FIELD: &str = "LeadgateId__c";

/// The settings of one sandbox org.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 lets the system choose a free one.
    pub address: SocketAddr,
    /// The REST API versions served, oldest and newest (e.g. 42 and 67 for v42.0 … v67.0).
    pub api_versions: (u32, u32),
    /// The daily API request allocation (`DailyApiRequests.Max`).
    pub daily_api_limit: u64,
    /// How long an access token stays valid.
    pub access_token_lifetime: Duration,
    /// Approve `/services/oauth2/authorize` requests without showing the approval page.
    pub auto_approve: bool,
    /// Refresh-token rotation: each refresh answers a new refresh token and invalidates the one
    /// it used, as Salesforce does when rotation is turned on for the connected app.
    pub rotate_refresh_tokens: bool,
    /// The PEM certificate (or RSA public key) that verifies the default app's JWT bearer
    /// assertions; `None` keeps the published
    /// [`DEFAULT_JWT_CERTIFICATE_PEM`](crate::oauth::DEFAULT_JWT_CERTIFICATE_PEM), so
    /// that a user can test the flow with a key pair of their own.
    pub jwt_certificate_pem: Option<String>,
    /// Custom Lead fields, in describe order, after the standard ones.
    pub custom_fields: Vec<CustomField>,
    /// Whether the duplicate rule on Lead e-mail addresses is active.
    pub duplicate_rule: bool,
    /// Records per query page unless the `Sforce-Query-Options` header asks for fewer.
    pub query_batch_size: usize,
    /// Injected faults.
    pub faults: FaultSettings,
    /// Serve HTTPS with a generated self-signed certificate.
    pub tls: bool,
    /// Restore the org from this JSON file at start (when it exists) and save it there at shutdown.
    pub state_file: Option<PathBuf>,
    /// How long a closed Bulk API 2.0 job stays `UploadComplete`, and then `InProgress` before
    /// its records are processed, so that clients' polling sees every state.
    pub bulk_processing_delay: Duration,
    /// The largest Bulk API 2.0 upload accepted, in bytes.
    pub bulk_upload_limit: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_versions: (OLDEST_API_VERSION, LATEST_API_VERSION),
            daily_api_limit: DEVELOPER_EDITION_DAILY_LIMIT,
            access_token_lifetime: Duration::from_secs(2 * 60 * 60),
            auto_approve: false,
            rotate_refresh_tokens: false,
            jwt_certificate_pem: None,
            custom_fields: vec![CustomField::leadgate_id()],
            duplicate_rule: true,
            query_batch_size: 2000,
            faults: FaultSettings::default(),
            tls: false,
            state_file: None,
            bulk_processing_delay: Duration::from_millis(25),
            bulk_upload_limit: BULK_UPLOAD_LIMIT,
        }
    }
}

/// A custom Lead field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CustomField {
    /// API name, ending in `__c`.
    pub name: String,
    /// Label, as shown in describe and in error messages.
    pub label: String,
    /// Type and its size.
    pub kind: CustomFieldKind,
    /// Marked External ID (usable as an upsert key).
    pub external_id: bool,
    /// No two Leads may share a value (compared without regard to case).
    pub unique: bool,
    /// A value is required on every save.
    pub required: bool,
}

/// The type of a custom field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum CustomFieldKind {
    /// Text of at most `length` characters.
    Text {
        /// Maximum length in characters.
        length: usize,
    },
    /// A number with `precision` digits of which `scale` after the point.
    Number {
        /// Total digits.
        precision: u32,
        /// Digits after the point.
        scale: u32,
    },
    /// A checkbox.
    Checkbox,
    /// A date.
    Date,
    /// A date and time.
    DateTime,
    /// An e-mail address (validated like `Email`).
    Email,
    /// A picklist.
    Picklist {
        /// The values.
        values: Vec<String>,
        /// Reject values not in the list.
        restricted: bool,
    },
}

impl CustomField {
    /// `LeadgateId__c`: the unique External ID text field that holds leadgate's contact id.
    pub fn leadgate_id() -> Self {
        Self {
            name: LEADGATE_ID_FIELD.to_owned(),
            label: "Leadgate ID".to_owned(),
            kind: CustomFieldKind::Text { length: 255 },
            external_id: true,
            unique: true,
            required: false,
        }
    }
}
