//! Migrations of data directories written by older versions of leadgate.

use std::collections::{BTreeMap, BTreeSet};

use leadgate_model::ScoreOutcomes;

use super::keys::{self, Table};
use super::scores::ContactOutcomes;
use super::{SCHEMA_KEY, Store, StoreError, codec};

impl Store {
    /// Schema 1 → 2: outcomes move from one value per score and contact to one value per
    /// contact holding every score, so that scoring writes once per contact.
    ///
    /// The rewrite is one atomic batch, and the schema version is raised only after it: an
    /// interrupted migration either did nothing or finds nothing left to move when rerun.
    pub(super) fn migrate_from_schema_1(&self) -> Result<(), StoreError> {
        let _writer = self.write_guard();
        let mut by_contact: BTreeMap<String, ContactOutcomes> = BTreeMap::new();
        let mut scores: BTreeSet<String> = BTreeSet::new();
        let mut batch = sled::Batch::default();
        for entry in self.data.scan_prefix(Table::LegacyAwards.prefix()) {
            let (key, value) = entry?;
            let parts = keys::parts(&key);
            let [score, contact_id] = parts.as_slice() else {
                return Err(StoreError::Corrupt {
                    tree: Table::LegacyAwards.name(),
                    key: keys::printable(&key),
                    reason: "not a score/contact key".into(),
                });
            };
            let outcomes: ScoreOutcomes = codec::decode(Table::LegacyAwards.name(), &key, &value)?;
            by_contact
                .entry(contact_id.clone())
                .or_default()
                .insert(score.clone(), outcomes);
            scores.insert(score.clone());
            batch.remove(key);
        }
        for (contact_id, outcomes) in &by_contact {
            batch.insert(keys::outcomes(contact_id), codec::encode(outcomes)?);
        }
        // Markers first: should the batch be lost, a rerun still finds the old values.
        for score in &scores {
            self.mark_scored(score)?;
        }
        self.data.apply_batch(batch)?;
        self.meta.insert(SCHEMA_KEY, &2u32.to_be_bytes())?;
        self.db.flush()?;
        tracing::info!(
            contacts = by_contact.len(),
            scores = scores.len(),
            "migrated the data directory from schema 1 to 2"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use leadgate_model::{Award, RuleOutcome};

    #[test]
    fn schema_1_outcomes_are_moved_to_one_value_per_contact() {
        let directory = tempfile::tempdir().unwrap();
        let award = |points| {
            RuleOutcome::Awards(vec![Award {
                points,
                reason: "why".into(),
                expires_at: None,
            }])
        };
        {
            let store = Store::open(directory.path()).unwrap();
            // Write what schema 1 wrote.
            store.meta.insert(SCHEMA_KEY, &1u32.to_be_bytes()).unwrap();
            for (score, contact_id, points) in [("A", "c-1", 1), ("A", "c-2", 2), ("B", "c-1", 3)] {
                let outcomes: BTreeMap<String, RuleOutcome> = [("rule".to_owned(), award(points))].into();
                store
                    .data
                    .insert(
                        keys::legacy_score_contact(score, contact_id),
                        codec::encode(&outcomes).unwrap(),
                    )
                    .unwrap();
            }
        }
        let store = Store::open(directory.path()).unwrap();
        assert_eq!(
            store.meta.get(SCHEMA_KEY).unwrap().unwrap().as_ref(),
            2u32.to_be_bytes()
        );
        assert_eq!(store.data.scan_prefix(Table::LegacyAwards.prefix()).count(), 0);
        assert_eq!(store.outcomes("A", "c-1").unwrap()["rule"], award(1));
        assert_eq!(store.outcomes("B", "c-1").unwrap()["rule"], award(3));
        let totals: Vec<_> = store
            .totals("A", 0)
            .unwrap()
            .into_iter()
            .map(|total| (total.contact_id, total.points))
            .collect();
        assert_eq!(totals, [("c-1".to_owned(), 1), ("c-2".to_owned(), 2)]);
        assert_eq!(store.scored_score_names().unwrap(), ["A", "B"]);
    }
}
