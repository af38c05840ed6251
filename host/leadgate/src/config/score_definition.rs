//! A score as `leadgate.toml` defines it: a name, an enabled flag, alert thresholds and rules.

use std::path::PathBuf;

use leadgate_plugin_runtime::RuleConfig;
use sha2::{Digest, Sha256};

use super::Location;

/// One `[[scores]]` entry: a named score, the sum of the points its rules award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreDefinition {
    /// `name = "Office buyers"`: shown in reports, unique ignoring case.
    pub name: String,
    /// `description = "…"`: what the score measures, for people.
    pub description: Option<String>,
    /// `enabled = false` keeps the score defined but stops scoring it (default `true`).
    pub enabled: bool,
    /// `alert-thresholds = [1000, 3000]`: score values worth reporting when a contact reaches
    /// them, strictly ascending.
    pub alert_thresholds: Vec<i64>,
    /// `[[scores.rules]]`: the rules whose awards add up to the score, in file order.
    pub rules: Vec<RuleDefinition>,
    /// Where the score's `[[scores]]` header is, when it came from a file.
    pub defined_at: Option<Location>,
}

/// One `[[scores.rules]]` entry: a scoring-rule plugin with its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDefinition {
    /// `name = "office-licenses"`: unique (ignoring case) within its score.
    pub name: String,
    /// `plugin = "plugins/purchase_count.wasm"`: the plugin file, resolved against the directory
    /// of the configuration file (absolute when that directory is).
    pub plugin: PathBuf,
    /// `config = { product = "Microsoft Office", points = 1 }`: what the plugin reads through
    /// its `config` import, as text (see [`RuleConfig`]).
    pub config: RuleConfig,
    /// Where the rule's `[[scores.rules]]` header is, when it came from a file.
    pub defined_at: Option<Location>,
}

/// Tags the fingerprint's input, so a change of the encoding below can never collide with an
/// older fingerprint.
const FINGERPRINT_VERSION: &[u8] = b"leadgate score rules v1";

impl ScoreDefinition {
    /// A stable fingerprint of what the score's points depend on in the configuration: its
    /// rules, in order, each with its name, plugin path and configuration entries. Lowercase hex
    /// SHA-256.
    ///
    /// The scoring engine keeps the fingerprint (combined with the plugins' file hashes) of the
    /// last full scoring run and recalculates the score when it changes. The name, description,
    /// `enabled` flag, thresholds and file locations are left out: changing them does not change
    /// anyone's points.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        write_field(&mut hasher, FINGERPRINT_VERSION);
        write_count(&mut hasher, self.rules.len());
        for rule in &self.rules {
            write_field(&mut hasher, rule.name.as_bytes());
            write_field(&mut hasher, rule.plugin.as_os_str().as_encoded_bytes());
            write_count(&mut hasher, rule.config.entries().count());
            for (key, value) in rule.config.entries() {
                write_field(&mut hasher, key.as_bytes());
                write_field(&mut hasher, value.as_bytes());
            }
        }
        hex::encode(hasher.finalize())
    }

    /// The rule called `name` (ignoring case).
    pub fn rule(&self, name: &str) -> Option<&RuleDefinition> {
        self.rules.iter().find(|rule| names_match(&rule.name, name))
    }
}

/// Whether two score or rule names are the same name: names are compared ignoring case and
/// surrounding spaces.
pub(super) fn names_match(a: &str, b: &str) -> bool {
    name_key(a) == name_key(b)
}

/// The form of a name that [`names_match`] compares.
pub(super) fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Length-prefixed, so that `("ab", "c")` and `("a", "bc")` hash differently.
fn write_field(hasher: &mut Sha256, bytes: &[u8]) {
    write_count(hasher, bytes.len());
    hasher.update(bytes);
}

fn write_count(hasher: &mut Sha256, count: usize) {
    hasher.update(u64::try_from(count).unwrap_or(u64::MAX).to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, plugin: &str, config: &[(&str, &str)]) -> RuleDefinition {
        let mut rule_config = RuleConfig::new();
        for (key, value) in config {
            rule_config.insert(*key, *value);
        }
        RuleDefinition {
            name: name.to_owned(),
            plugin: PathBuf::from(plugin),
            config: rule_config,
            defined_at: None,
        }
    }

    fn office_buyers() -> ScoreDefinition {
        ScoreDefinition {
            name: "Office buyers".to_owned(),
            description: None,
            enabled: true,
            alert_thresholds: vec![3000],
            rules: vec![rule(
                "office-licenses",
                "/p/purchase_count.wasm",
                &[("product", "Microsoft Office"), ("points", "1")],
            )],
            defined_at: None,
        }
    }

    #[test]
    fn the_fingerprint_is_lowercase_hex_sha256_and_stable() {
        let fingerprint = office_buyers().fingerprint();
        assert_eq!(fingerprint.len(), 64);
        assert!(
            fingerprint
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(fingerprint, office_buyers().fingerprint());
    }

    #[test]
    fn the_fingerprint_ignores_what_does_not_change_points() {
        let original = office_buyers();
        let changed = ScoreDefinition {
            name: "Renamed".to_owned(),
            description: Some("now described".to_owned()),
            enabled: false,
            alert_thresholds: vec![1, 2],
            defined_at: Some(Location {
                file: "leadgate.toml".to_owned(),
                line: 9,
                column: 1,
            }),
            ..original.clone()
        };
        assert_eq!(changed.fingerprint(), original.fingerprint());
    }

    #[test]
    fn the_fingerprint_changes_with_any_rule_name_plugin_or_config_entry() {
        let original = office_buyers();
        let fingerprints = [
            original.fingerprint(),
            ScoreDefinition {
                rules: vec![rule(
                    "licenses",
                    "/p/purchase_count.wasm",
                    &[("product", "Microsoft Office"), ("points", "1")],
                )],
                ..original.clone()
            }
            .fingerprint(),
            ScoreDefinition {
                rules: vec![rule(
                    "office-licenses",
                    "/q/purchase_count.wasm",
                    &[("product", "Microsoft Office"), ("points", "1")],
                )],
                ..original.clone()
            }
            .fingerprint(),
            ScoreDefinition {
                rules: vec![rule(
                    "office-licenses",
                    "/p/purchase_count.wasm",
                    &[("product", "Microsoft Office"), ("points", "2")],
                )],
                ..original.clone()
            }
            .fingerprint(),
            ScoreDefinition {
                rules: vec![rule(
                    "office-licenses",
                    "/p/purchase_count.wasm",
                    &[("product", "Microsoft Office")],
                )],
                ..original.clone()
            }
            .fingerprint(),
            ScoreDefinition {
                rules: Vec::new(),
                ..original.clone()
            }
            .fingerprint(),
        ];
        for (i, a) in fingerprints.iter().enumerate() {
            for b in &fingerprints[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn the_fingerprint_depends_on_rule_order_and_field_boundaries() {
        let a = rule("a", "/x", &[]);
        let b = rule("b", "/x", &[]);
        let score = |rules| ScoreDefinition {
            rules,
            ..office_buyers()
        };
        assert_ne!(
            score(vec![a.clone(), b.clone()]).fingerprint(),
            score(vec![b, a]).fingerprint()
        );
        assert_ne!(
            score(vec![rule("ab", "/x", &[("k", "v")])]).fingerprint(),
            score(vec![rule("a", "b/x", &[("k", "v")])]).fingerprint()
        );
        assert_ne!(
            score(vec![rule("r", "/x", &[("ab", "c")])]).fingerprint(),
            score(vec![rule("r", "/x", &[("a", "bc")])]).fingerprint()
        );
    }

    #[test]
    fn rules_are_found_by_name_ignoring_case() {
        let score = office_buyers();
        assert!(score.rule("Office-Licenses").is_some());
        assert!(score.rule("other").is_none());
    }
}
