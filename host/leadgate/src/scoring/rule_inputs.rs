//! Splitting a batch of contacts into each rule's input.

use std::collections::HashSet;

use leadgate_model::ContactHistory;
use leadgate_plugin_runtime::{ContactActivitiesView, Requirements};

use super::PreparedScore;

/// What a score needs from a batch: whether it scores every contact, and what each rule reads.
#[derive(Debug, Clone)]
pub(crate) struct ScoreNeeds<'a> {
    /// True when the score is recalculated (it scores every contact, not only dirty ones).
    pub(crate) recalculate: bool,
    /// Each rule's requirements, in rule order.
    pub(crate) rules: Vec<&'a Requirements>,
}

impl<'a> ScoreNeeds<'a> {
    /// The needs of a prepared score.
    pub(crate) fn of(score: &'a PreparedScore) -> Self {
        Self {
            recalculate: score.recalculate,
            rules: score.rules.iter().map(|rule| &rule.requirements).collect(),
        }
    }
}

/// Each rule's input for one batch: the contacts its score scores, with only the activities the
/// rule asks for, pointing into the batch's decoded histories.
#[derive(Debug, Default)]
pub(crate) struct RuleInputs<'a> {
    /// Per score: the ids of the contacts it scores in this batch, in batch order.
    pub(crate) members: Vec<Vec<&'a str>>,
    /// Per score, per rule: one input per member, in the same order.
    pub(crate) inputs: Vec<Vec<Vec<ContactActivitiesView<'a>>>>,
}

impl<'a> RuleInputs<'a> {
    /// Distributes `histories` over the rules of `scores`. A score that is not recalculated
    /// scores only the `dirty` contacts.
    ///
    /// Nothing is copied: every rule's input refers to the histories, so rules that read the
    /// same contact or the same activities share them.
    pub(crate) fn distribute(
        scores: &[ScoreNeeds<'_>],
        histories: &'a [ContactHistory<'a>],
        dirty: &HashSet<&str>,
    ) -> Self {
        let mut distributed = Self {
            members: vec![Vec::new(); scores.len()],
            inputs: scores
                .iter()
                .map(|score| vec![Vec::new(); score.rules.len()])
                .collect(),
        };
        for history in histories {
            let contact_id = history.contact.id;
            let is_dirty = dirty.contains(contact_id);
            for ((score, members), inputs) in scores
                .iter()
                .zip(&mut distributed.members)
                .zip(&mut distributed.inputs)
            {
                if !(score.recalculate || is_dirty) {
                    continue;
                }
                members.push(contact_id);
                for (requirements, rule_inputs) in score.rules.iter().zip(inputs.iter_mut()) {
                    rule_inputs.push(ContactActivitiesView::select(history, |kind| {
                        requirements.wants_kind(kind)
                    }));
                }
            }
        }
        distributed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadgate_model::{ActivityKindView, ActivityView, ContactView};
    use leadgate_plugin_runtime::types::ActivityKind;

    fn history<'a>(
        id: &'a str,
        activity_ids: &'a [String],
        kinds: &[ActivityKindView<'a>],
    ) -> ContactHistory<'a> {
        ContactHistory {
            contact: ContactView {
                id,
                ..ContactView::default()
            },
            activities: kinds
                .iter()
                .zip(activity_ids)
                .enumerate()
                .map(|(index, (kind, activity_id))| ActivityView {
                    id: activity_id,
                    kind: *kind,
                    occurred_at: index as i64,
                    subject: None,
                    quantity: None,
                    value: None,
                    attributes: Vec::new(),
                })
                .collect(),
        }
    }

    fn ids<'a>(input: &ContactActivitiesView<'a>) -> Vec<&'a str> {
        input.activities.iter().map(|activity| activity.id).collect()
    }

    #[test]
    fn every_rule_gets_what_it_reads_even_when_rules_share_kinds() {
        let purchases = Requirements {
            activity_kinds: Some(vec![ActivityKind::Purchase]),
        };
        let visits = Requirements {
            activity_kinds: Some(vec![ActivityKind::PageVisit]),
        };
        let everything = Requirements { activity_kinds: None };
        let nothing = Requirements {
            activity_kinds: Some(Vec::new()),
        };
        let scores = [
            ScoreNeeds {
                recalculate: true,
                rules: vec![&purchases, &everything],
            },
            // Only dirty contacts.
            ScoreNeeds {
                recalculate: false,
                rules: vec![&visits, &purchases, &nothing],
            },
        ];
        let kinds = [
            ActivityKindView::Purchase,
            ActivityKindView::PageVisit,
            ActivityKindView::Purchase,
        ];
        let first_ids: Vec<String> = (0..3).map(|index| format!("c-1-a{index}")).collect();
        let second_ids: Vec<String> = (0..3).map(|index| format!("c-2-a{index}")).collect();
        let histories = [
            history("c-1", &first_ids, &kinds),
            history("c-2", &second_ids, &kinds),
        ];
        let dirty: HashSet<&str> = ["c-2"].into_iter().collect();
        let inputs = RuleInputs::distribute(&scores, &histories, &dirty);
        assert_eq!(inputs.members, [vec!["c-1", "c-2"], vec!["c-2"]]);
        let first = &inputs.inputs[0];
        assert_eq!(ids(&first[0][0]), ["c-1-a0", "c-1-a2"]);
        assert_eq!(ids(&first[1][0]), ["c-1-a0", "c-1-a1", "c-1-a2"]);
        assert_eq!(ids(&first[1][1]), ["c-2-a0", "c-2-a1", "c-2-a2"]);
        let second = &inputs.inputs[1];
        assert_eq!(ids(&second[0][0]), ["c-2-a1"]);
        assert_eq!(ids(&second[1][0]), ["c-2-a0", "c-2-a2"]);
        assert!(second[2][0].activities.is_empty());
        assert_eq!(second[2][0].contact.id, "c-2", "every rule gets the contact");
        assert_eq!(first[0][1].contact.id, "c-2");
        // Shared, not copied: both scores' rules point at the same contact and activities.
        assert!(std::ptr::eq(first[0][1].contact, second[0][0].contact));
        assert!(std::ptr::eq(
            first[0][1].activities[0],
            second[1][0].activities[0]
        ));
    }
}
