//! A loaded scoring rule and the calls it answers.

use std::sync::Arc;

use leadgate_model::ActivityKindView;
use wasmtime::component::ComponentExportIndex;

use super::RuleConfig;
use super::batching::{PluginRun, run_in_batches};
use super::bindings::scoring_rule::ScoringRulePre;
use super::call::{CallStats, CallTarget, call_plugin, contact_results};
use super::contract_types::kind_view;
use super::error::{BatchLabel, ContactFailure, PluginTrap};
use super::host_state::HostState;
use super::input_view::ScoringInput;
use super::runtime::{PluginDetails, RuntimeShared};
use super::types::{ActivityKind, Award, ContactActivities, PluginError, Timestamp};

pub use super::bindings::scoring_rule::exports::leadgate::plugin::scoring::Requirements;

/// The exported interface that holds `score-batch`.
const SCORING_INTERFACE: &str = "leadgate:plugin/scoring@0.1.0";

/// What `score-batch` returns: per contact, its awards or the plugin's reason for none.
type ScoreBatchResults = Vec<Result<Vec<Award>, PluginError>>;

/// Bytes counted per award on top of its reason text, for the output cap.
const AWARD_OVERHEAD_BYTES: usize = 32;

/// The awards of one batch, one result per contact.
#[derive(Debug, Clone)]
pub struct ScoredBatch {
    /// Per contact, in input order: its unexpired awards, or why it has none.
    pub results: Vec<Result<Vec<Award>, ContactFailure>>,
    /// What the call cost.
    pub stats: CallStats,
}

/// A compiled, linked scoring rule, ready to be called. Cheap to clone.
#[derive(Clone)]
pub struct ScoringRulePlugin {
    runtime: Arc<RuntimeShared>,
    details: Arc<PluginDetails>,
    pre: ScoringRulePre<HostState>,
    /// Where `score-batch` is among the component's exports, found once at load.
    score_batch_export: ComponentExportIndex,
}

impl std::fmt::Debug for ScoringRulePlugin {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ScoringRulePlugin")
            .field("details", &self.details)
            .finish_non_exhaustive()
    }
}

impl ScoringRulePlugin {
    /// Fails when the component has no `score-batch` export, which linking against the
    /// `scoring-rule` world has already ruled out.
    pub(crate) fn new(
        runtime: Arc<RuntimeShared>,
        details: PluginDetails,
        pre: ScoringRulePre<HostState>,
    ) -> wasmtime::Result<Self> {
        let component = pre.instance_pre().component();
        let score_batch_export = component
            .get_export_index(None, SCORING_INTERFACE)
            .and_then(|interface| component.get_export_index(Some(&interface), "score-batch"))
            .ok_or_else(|| {
                wasmtime::format_err!("the plugin exports no `{SCORING_INTERFACE}#score-batch`")
            })?;
        Ok(Self {
            runtime,
            details: Arc::new(details),
            pre,
            score_batch_export,
        })
    }

    /// What is known about the plugin.
    pub fn details(&self) -> &PluginDetails {
        &self.details
    }

    /// Asks the plugin whether `config` is usable, before scoring anything with it, and what
    /// the rule needs (which activities to send).
    ///
    /// The outer error is a crash; the inner one the plugin's own verdict on the configuration.
    pub fn check_config(
        &self,
        config: &RuleConfig,
    ) -> Result<Result<Requirements, PluginError>, Box<PluginTrap>> {
        call_plugin(
            &self.runtime,
            &self.target("check-config"),
            BatchLabel::none(),
            config,
            0,
            |store| {
                self.pre
                    .instantiate(&mut *store)?
                    .leadgate_plugin_scoring()
                    .call_check_config(&mut *store)
            },
        )
        .map(|(verdict, _)| verdict)
    }

    /// Scores one batch in one call, in a fresh store.
    ///
    /// Awards that have expired at `now` are dropped; a contact whose awards are larger than
    /// the output cap gets [`ContactFailure::OutputTooLarge`]. A crash fails the whole call;
    /// [`ScoringRulePlugin::score_contacts`] isolates crashing contacts instead.
    ///
    /// `contacts` are the owned contract type ([`ContactActivities`]) or borrowed views of it
    /// ([`ContactActivitiesView`](super::ContactActivitiesView)); the plugin sees the same.
    pub fn score_batch<I: ScoringInput>(
        &self,
        config: &RuleConfig,
        contacts: &[I],
        now: Timestamp,
    ) -> Result<ScoredBatch, Box<PluginTrap>> {
        let batch = BatchLabel::from_ids(contacts.iter().map(ScoringInput::contact_id));
        let target = self.target("score-batch");
        let (awards, stats) = call_plugin(&self.runtime, &target, batch.clone(), config, now, |store| {
            let instance = self.pre.instance_pre().instantiate(&mut *store)?;
            // Typed by the input's own Rust type: the check that it matches the contract runs
            // here, once per call, and lowering then reads the input where it is.
            let score_batch = instance.get_typed_func::<(&[I], Timestamp), (ScoreBatchResults,)>(
                &mut *store,
                &self.score_batch_export,
            )?;
            score_batch
                .call(&mut *store, (contacts, now))
                .map(|(results,)| results)
        })?;
        let limit = self.runtime.limits.output_bytes_per_contact;
        let results = contact_results(awards, contacts.len(), &target, batch, &stats, limit, |awards| {
            awards
                .iter()
                .map(|award| award.reason.len() + AWARD_OVERHEAD_BYTES)
                .sum()
        })?
        .into_iter()
        .map(|result| {
            result.map(|mut awards| {
                awards.retain(|award| award.expires_at.is_none_or(|expires_at| expires_at > now));
                awards
            })
        })
        .collect();
        Ok(ScoredBatch { results, stats })
    }

    /// Scores any number of contacts in batches of `batch_size`, isolating contacts that crash
    /// the plugin (see [`PluginRun`]).
    pub fn score_contacts<I: ScoringInput>(
        &self,
        config: &RuleConfig,
        contacts: &[I],
        now: Timestamp,
        batch_size: usize,
    ) -> PluginRun<Vec<Award>> {
        run_in_batches(contacts, batch_size, |batch| {
            self.score_batch(config, batch, now)
                .map(|scored| (scored.results, scored.stats))
        })
    }

    fn target(&self, function: &'static str) -> CallTarget<'_> {
        CallTarget {
            plugin: &self.details.name,
            version: &self.details.version,
            function,
        }
    }
}

impl Requirements {
    /// True when the rule looks at activities of `kind`.
    pub fn wants(&self, kind: &ActivityKind) -> bool {
        self.activity_kinds
            .as_ref()
            .is_none_or(|kinds| kinds.contains(kind))
    }

    /// True when the rule looks at activities of `kind` (a borrowed kind, as scoring reads it
    /// from the store).
    pub fn wants_kind(&self, kind: ActivityKindView<'_>) -> bool {
        self.activity_kinds
            .as_ref()
            .is_none_or(|kinds| kinds.iter().any(|wanted| kind_view(wanted) == kind))
    }

    /// The contact with only the activities the rule looks at, as `score-batch` expects it.
    pub fn select(&self, input: &ContactActivities) -> ContactActivities {
        ContactActivities {
            contact: input.contact.clone(),
            activities: input
                .activities
                .iter()
                .filter(|activity| self.wants(&activity.kind))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Activity, Address, Contact};

    fn activity(kind: ActivityKind) -> Activity {
        Activity {
            id: "a".into(),
            kind,
            occurred_at: 0,
            subject: None,
            quantity: None,
            value: None,
            attributes: Vec::new(),
        }
    }

    #[test]
    fn the_scoring_interface_is_the_bound_contract_version() {
        assert_eq!(
            SCORING_INTERFACE,
            format!("leadgate:plugin/scoring@{}", crate::CONTRACT_VERSION)
        );
    }

    #[test]
    fn requirements_select_the_activities_a_rule_wants() {
        let input = ContactActivities {
            contact: Contact {
                id: "c".into(),
                email: None,
                first_name: None,
                last_name: None,
                company: None,
                title: None,
                phone: None,
                address: Address {
                    street: None,
                    city: None,
                    state: None,
                    postal_code: None,
                    country: None,
                },
                attributes: Vec::new(),
            },
            activities: vec![
                activity(ActivityKind::Purchase),
                activity(ActivityKind::PageVisit),
                activity(ActivityKind::Custom("webinar".into())),
            ],
        };
        let everything = Requirements { activity_kinds: None };
        assert_eq!(everything.select(&input).activities.len(), 3);
        let purchases = Requirements {
            activity_kinds: Some(vec![
                ActivityKind::Purchase,
                ActivityKind::Custom("webinar".into()),
            ]),
        };
        let selected = purchases.select(&input);
        assert_eq!(selected.activities.len(), 2);
        assert!(!purchases.wants(&ActivityKind::PageVisit));
        let nothing = Requirements {
            activity_kinds: Some(Vec::new()),
        };
        assert!(nothing.select(&input).activities.is_empty());
    }
}
