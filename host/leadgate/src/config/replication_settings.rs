//! `[replication]`: which contacts become Salesforce Leads, and how they are written.

use std::time::Duration;

use super::lead_mapping::LeadMapping;

/// The External ID field leadgate writes its contact ids to when the file names none: the
/// name the sandbox org's Lead has.
pub const DEFAULT_EXTERNAL_ID_FIELD: &str = "LeadgateId__c";
/// The most records one sObject Collections call takes.
pub const MAX_REPLICATION_BATCH_SIZE: usize = 200;
/// The most concurrent requests leadgate sends to one org (Salesforce allows 25 concurrent
/// long-running requests per org; leadgate leaves room for everything else).
pub const MAX_REQUESTS_IN_FLIGHT: usize = 10;
/// Requests in flight when the file says nothing.
pub const DEFAULT_REQUESTS_IN_FLIGHT: usize = 4;
/// The share of the org's daily API allocation a run may use up to, in percent, by default.
pub const DEFAULT_DAILY_SHARE_PERCENT: u8 = 50;
/// How often the service replicates, by default.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// The backlog (contacts to write in one run) above which Bulk API 2.0 is used, by default:
/// 10,000 contacts are 50 collection calls, about what one bulk job costs to create, upload,
/// close, poll and read back with its results.
pub const DEFAULT_BULK_THRESHOLD: u64 = 10_000;

/// `[replication]`, checked: every value is within its range and the gating score exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationSettings {
    /// `enabled` (default true once the table is there): false keeps the settings but makes
    /// `leadgate replicate` and the service's schedule do nothing.
    pub enabled: bool,
    /// `score`: the score whose total decides who qualifies, as configured in `[[scores]]`.
    pub score: String,
    /// `min-points`: the total a contact needs to be replicated.
    pub min_points: i64,
    /// `external-id-field`: the Lead's External ID text field that holds leadgate's contact id
    /// (default [`DEFAULT_EXTERNAL_ID_FIELD`]); the org must have it as a unique External ID
    /// text field long enough for contact ids.
    pub external_id_field: String,
    /// `keep-updated` (default true): replicated contacts whose mapped fields changed are
    /// written again; otherwise a contact is written once.
    pub keep_updated: bool,
    /// `converted-leads`: what to do when a contact's Lead has been converted.
    pub converted_leads: ConvertedLeadPolicy,
    /// `deleted-leads`: what to do when a contact's Lead has been deleted. A merged Lead always
    /// follows the surviving Lead.
    pub deleted_leads: DeletedLeadPolicy,
    /// `match-by-email` (default true): a contact that was never replicated adopts an existing
    /// Lead with the same e-mail address instead of creating a duplicate.
    pub match_by_email: bool,
    /// `too-long-text`: a mapped text longer than its Lead field allows.
    pub too_long_text: TooLongText,
    /// `assignment-rule`: the `Sforce-Auto-Assign` header sent with writes.
    pub assignment_rule: AssignmentRule,
    /// `batch-size` (default and at most 200): records per sObject Collections call.
    pub batch_size: usize,
    /// `requests-in-flight` (default 4, at most [`MAX_REQUESTS_IN_FLIGHT`]).
    pub requests_in_flight: usize,
    /// `[replication.budget]`: how much of the org's API allocation a run may use.
    pub budget: ApiBudget,
    /// `interval-minutes` (default 15): how often `leadgate serve` replicates.
    pub interval: Duration,
    /// `bulk-threshold` (default [`DEFAULT_BULK_THRESHOLD`]): a run with more contacts to
    /// write than this uses Bulk API 2.0 instead of sObject Collections.
    pub bulk_threshold: u64,
    /// `[replication.mapping]`: how a contact becomes Lead fields.
    pub mapping: LeadMapping,
}

impl ReplicationSettings {
    /// The settings this build reads but does not act on yet, each with what happens instead,
    /// so that `leadgate replicate` can say so rather than ignore them.
    pub fn not_yet_effective(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.converted_leads == ConvertedLeadPolicy::FollowContact {
            notes.push(
                "`converted-leads = \"follow-contact\"` is not built yet: a converted Lead stops being written, as with \"stop\""
                    .to_owned(),
            );
        }
        notes
    }
}

/// `converted-leads`: a Lead that was converted cannot be updated any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvertedLeadPolicy {
    /// `stop` (default): stop writing the contact; its state says the Lead was converted.
    Stop,
    /// `follow-contact`: update the Contact the Lead was converted into instead.
    FollowContact,
}

/// `deleted-leads`: a contact's Lead is gone from the org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletedLeadPolicy {
    /// `disable` (default): stop writing the contact, with the reason, until it is re-enabled.
    Disable,
    /// `recreate`: create a new Lead for the contact.
    Recreate,
}

/// `too-long-text`: a mapped text longer than the Lead field's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooLongText {
    /// `truncate` (default): cut it to the field's length and record a note on the contact.
    Truncate,
    /// `suspend`: do not write the contact; suspend it with the field and both lengths.
    Suspend,
}

/// `assignment-rule`: which Lead assignment rule Salesforce runs on the written Leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentRule {
    /// `"default"` (the default): the org's active assignment rule (`Sforce-Auto-Assign: TRUE`).
    Default,
    /// `"none"`: no assignment rule (`Sforce-Auto-Assign: FALSE`).
    None,
    /// An AssignmentRule id (`01Q…`, 15 or 18 characters).
    Rule(String),
}

impl AssignmentRule {
    /// The `Sforce-Auto-Assign` header value.
    pub fn header_value(&self) -> &str {
        match self {
            Self::Default => "TRUE",
            Self::None => "FALSE",
            Self::Rule(id) => id,
        }
    }
}

/// `[replication.budget]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiBudget {
    /// `daily-share-percent` (default 50, 1 to 100): a run stops before the org's API usage
    /// today (as `Sforce-Limit-Info` reports it) passes this share of the daily allocation.
    pub daily_share_percent: u8,
    /// `max-calls-per-run` (default no cap): a run stops after this many API calls.
    pub max_calls_per_run: Option<u64>,
}

impl Default for ApiBudget {
    fn default() -> Self {
        Self {
            daily_share_percent: DEFAULT_DAILY_SHARE_PERCENT,
            max_calls_per_run: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_not_acted_on_yet_are_named() {
        let config = crate::config::Config::from_toml(
            "[[scores]]\nname = \"s\"\n[replication]\nscore = \"s\"\nmin-points = 1\n",
            "leadgate.toml",
            std::path::Path::new("/"),
        )
        .unwrap();
        let defaults = config.replication.unwrap();
        assert!(defaults.not_yet_effective().is_empty());
        let changed = ReplicationSettings {
            assignment_rule: AssignmentRule::None,
            converted_leads: ConvertedLeadPolicy::FollowContact,
            ..defaults
        };
        let notes = changed.not_yet_effective();
        assert_eq!(notes.len(), 1, "assignment rules are sent: {notes:?}");
        assert!(
            notes[0].contains("`converted-leads = \"follow-contact\"`"),
            "{notes:?}"
        );
    }

    #[test]
    fn assignment_rules_become_the_header_salesforce_reads() {
        assert_eq!(AssignmentRule::Default.header_value(), "TRUE");
        assert_eq!(AssignmentRule::None.header_value(), "FALSE");
        assert_eq!(
            AssignmentRule::Rule("01Q5e000000AbCd".into()).header_value(),
            "01Q5e000000AbCd"
        );
    }
}
