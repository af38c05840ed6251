//! Splitting a batch of contacts into each rule's input.

use std::collections::HashSet;

use super::PreparedScore;
use crate::plugin::Requirements;
use crate::plugin::types::{Activity, Contact, ContactActivities};

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
/// rule asks for.
#[derive(Debug, Default)]
pub(crate) struct RuleInputs {
    /// Per score: the ids of the contacts it scores in this batch, in batch order.
    pub(crate) members: Vec<Vec<String>>,
    /// Per score, per rule: one input per member, in the same order.
    pub(crate) inputs: Vec<Vec<Vec<ContactActivities>>>,
}

impl RuleInputs {
    /// Distributes `contacts` over the rules of `scores`. A score that is not recalculated
    /// scores only the `dirty` contacts.
    ///
    /// Each value moves to the last rule that reads it and is copied only for the rules before
    /// it: with the usual set-up (each activity kind read by one rule) nothing is copied but
    /// the contact, which copying would otherwise dominate the batch.
    pub(crate) fn distribute(
        scores: &[ScoreNeeds<'_>],
        contacts: Vec<(String, ContactActivities)>,
        dirty: &HashSet<&str>,
    ) -> Self {
        let mut distributed = Self {
            members: vec![Vec::new(); scores.len()],
            inputs: scores
                .iter()
                .map(|score| vec![Vec::new(); score.rules.len()])
                .collect(),
        };
        let mut uses: Vec<(usize, usize)> = Vec::new();
        for (contact_id, input) in contacts {
            uses.clear();
            let is_dirty = dirty.contains(contact_id.as_str());
            for (score_index, score) in scores.iter().enumerate() {
                if score.recalculate || is_dirty {
                    distributed.members[score_index].push(contact_id.clone());
                    uses.extend((0..score.rules.len()).map(|rule_index| (score_index, rule_index)));
                }
            }
            distributed.hand_out(scores, &uses, input);
        }
        distributed
    }

    /// Gives one contact to each rule in `uses`, moving every value on its last use.
    fn hand_out(&mut self, scores: &[ScoreNeeds<'_>], uses: &[(usize, usize)], input: ContactActivities) {
        let wants = |(score_index, rule_index): (usize, usize), activity: &Activity| {
            scores[score_index].rules[rule_index].wants(&activity.kind)
        };
        let mut contact: Option<Contact> = Some(input.contact);
        let mut activities: Vec<Option<Activity>> = input.activities.into_iter().map(Some).collect();
        for (position, &current) in uses.iter().enumerate() {
            let later = &uses[position + 1..];
            let mut selected = Vec::new();
            for slot in &mut activities {
                let Some(activity) = slot.as_ref() else {
                    continue;
                };
                if !wants(current, activity) {
                    continue;
                }
                let needed_later = later.iter().any(|&other| wants(other, activity));
                selected.extend(if needed_later { slot.clone() } else { slot.take() });
            }
            let contact = if later.is_empty() {
                contact.take()
            } else {
                contact.clone()
            };
            // Always present: the contact is taken only on the last use.
            if let Some(contact) = contact {
                let (score_index, rule_index) = current;
                self.inputs[score_index][rule_index].push(ContactActivities {
                    contact,
                    activities: selected,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::types::{ActivityKind, Address};

    fn contact(id: &str, kinds: &[ActivityKind]) -> (String, ContactActivities) {
        let activities = kinds
            .iter()
            .enumerate()
            .map(|(index, kind)| Activity {
                id: format!("{id}-a{index}"),
                kind: kind.clone(),
                occurred_at: index as i64,
                subject: None,
                quantity: None,
                value: None,
                attributes: Vec::new(),
            })
            .collect();
        let contact = Contact {
            id: id.into(),
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
        };
        (id.into(), ContactActivities { contact, activities })
    }

    fn ids(input: &ContactActivities) -> Vec<&str> {
        input
            .activities
            .iter()
            .map(|activity| activity.id.as_str())
            .collect()
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
            ActivityKind::Purchase,
            ActivityKind::PageVisit,
            ActivityKind::Purchase,
        ];
        let dirty: HashSet<&str> = ["c-2"].into_iter().collect();
        let inputs = RuleInputs::distribute(
            &scores,
            vec![contact("c-1", &kinds), contact("c-2", &kinds)],
            &dirty,
        );
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
    }
}
