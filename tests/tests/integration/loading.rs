//! Loading: role and contract checks with clear messages, and the compiled-artifact cache.

use leadgate_plugin_runtime::{PluginLoadError, Role, RuntimeOptions};
use leadgate_tests::{plugins, runtime, runtime_with_cache, shared_cache_directory};

#[test]
fn a_mapping_plugin_loaded_as_a_scoring_rule_names_both_roles() {
    let runtime = runtime_with_cache(shared_cache_directory());
    let error = runtime
        .load_scoring_rule(plugins::STANDARD_LEAD_MAPPING.as_ref())
        .expect_err("a mapping is not a scoring rule");
    assert!(matches!(
        error,
        PluginLoadError::WrongRole {
            expected: Role::ScoringRule,
            found: Role::FieldMapping,
            ..
        }
    ));
    assert!(
        error
            .to_string()
            .ends_with("is a field-mapping plugin, not a scoring-rule plugin"),
        "{error}"
    );

    let error = runtime
        .load_field_mapping(plugins::PURCHASE_COUNT.as_ref())
        .expect_err("a scoring rule is not a mapping");
    assert!(
        error
            .to_string()
            .ends_with("is a scoring-rule plugin, not a field-mapping plugin"),
        "{error}"
    );
}

#[test]
fn a_plugin_built_for_another_contract_version_is_refused_by_version() {
    let runtime = runtime_with_cache(shared_cache_directory());
    let error = runtime
        .load(plugins::WRONG_CONTRACT.as_ref())
        .expect_err("contract 9.0.0 is not supported");
    match &error {
        PluginLoadError::UnsupportedContract { found, supported, .. } => {
            assert_eq!(found, "9.0.0");
            assert_eq!(supported, "0.1.0");
        }
        other => panic!("expected an unsupported contract, got {other}"),
    }
    assert!(
        error
            .to_string()
            .contains("rebuild it with a leadgate-plugin-sdk release for contract 0.1.0")
    );
}

#[test]
fn bytes_that_are_not_a_component_are_refused_with_the_reason() {
    let runtime = runtime(RuntimeOptions {
        cache_directory: None,
        ..RuntimeOptions::default()
    });
    let error = runtime
        .load_bytes("garbage.wasm", b"\0asm but not really")
        .expect_err("not wasm");
    assert!(matches!(error, PluginLoadError::Invalid { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("plugin `garbage.wasm` is not a valid WebAssembly component"),
        "{error}"
    );

    let error = runtime
        .load("does/not/exist.wasm".as_ref())
        .expect_err("missing file");
    assert!(matches!(error, PluginLoadError::Read { .. }));
    assert_eq!(error.to_string(), "cannot read plugin `does/not/exist.wasm`");
}

#[test]
fn a_plugin_over_the_size_limit_is_refused_before_compiling() {
    let runtime = runtime(RuntimeOptions {
        cache_directory: None,
        limits: leadgate_plugin_runtime::PluginLimits {
            component_bytes: 1024,
            ..Default::default()
        },
        ..RuntimeOptions::default()
    });
    let error = runtime
        .load(plugins::PURCHASE_COUNT.as_ref())
        .expect_err("too large");
    assert!(
        matches!(error, PluginLoadError::TooLarge { limit: 1024, .. }),
        "{error}"
    );
}

#[test]
fn the_artifact_cache_serves_the_second_load_and_survives_a_damaged_artifact() {
    let cache = tempfile::tempdir().expect("temp dir");
    let runtime = runtime_with_cache(cache.path());
    let first = runtime.load(plugins::ATTRIBUTE_MATCH.as_ref()).expect("loads");
    assert!(!first.details().loaded_from_cache);
    let second = runtime.load(plugins::ATTRIBUTE_MATCH.as_ref()).expect("loads");
    assert!(second.details().loaded_from_cache);
    assert_eq!(first.details().sha256, second.details().sha256);

    let artifacts: Vec<_> = std::fs::read_dir(cache.path())
        .expect("cache dir")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "cwasm"))
        .collect();
    assert_eq!(artifacts.len(), 1, "{artifacts:?}");
    assert!(
        artifacts[0]
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with(&first.details().sha256)),
        "artifacts are named by the plugin's hash"
    );

    // Damaged in place, while `second` still runs code loaded from it: no crash (artifacts are
    // read, not mapped), and the next load recompiles.
    std::fs::write(&artifacts[0], b"damaged").expect("overwrite");
    let leadgate_plugin_runtime::Plugin::ScoringRule(rule) = &second else {
        panic!("attribute-match is a scoring rule");
    };
    assert!(
        rule.check_config(&leadgate_plugin_runtime::RuleConfig::new())
            .expect("no trap")
            .is_err()
    );
    let third = runtime
        .load(plugins::ATTRIBUTE_MATCH.as_ref())
        .expect("recompiles");
    assert!(
        !third.details().loaded_from_cache,
        "a damaged artifact is recompiled, not trusted"
    );
    let fourth = runtime.load(plugins::ATTRIBUTE_MATCH.as_ref()).expect("loads");
    assert!(fourth.details().loaded_from_cache, "and rewritten");
}

#[test]
fn inspect_reports_what_the_plugin_is_and_imports() {
    let runtime = runtime_with_cache(shared_cache_directory());
    let plugin = runtime.load(plugins::PURCHASE_COUNT.as_ref()).expect("loads");
    let details = plugin.details();
    assert_eq!(details.name, "purchase-count");
    assert_eq!(details.role, Role::ScoringRule);
    assert_eq!(details.contract_version, "0.1.0");
    assert_eq!(details.exports, vec!["leadgate:plugin/scoring@0.1.0".to_owned()]);
    assert!(
        details
            .imports
            .iter()
            .any(|import| import == "leadgate:plugin/config@0.1.0")
    );
    assert!(
        !details
            .imports
            .iter()
            .any(|import| import.starts_with("wasi:sockets") || import.starts_with("wasi:http")),
        "{:?}",
        details.imports
    );
    assert_eq!(
        details.size_bytes,
        std::fs::metadata(plugins::PURCHASE_COUNT).expect("file").len() as usize
    );
}
