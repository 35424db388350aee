//! Every registered protocol has its own cargo-fuzz target (`fuzz/fuzz_targets/proto_<name>.rs`,
//! declared in `fuzz/Cargo.toml`) with a seed corpus, so no parser goes unfuzzed.

use std::path::Path;

#[test]
fn every_registered_protocol_has_a_fuzz_target_and_seeds() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap_or_default();
    for spec in wb_proto::registry::IMPLEMENTED {
        let target = format!("proto_{}", spec.name);
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "fuzz/Cargo.toml does not declare {target}"
        );
        let source = std::fs::read_to_string(fuzz.join(format!("fuzz_targets/{target}.rs")))
            .unwrap_or_default();
        assert!(
            source.contains(&format!("replay_named(\"{}\"", spec.name)),
            "fuzz_targets/{target}.rs does not replay to {}",
            spec.name
        );
        let seeds = std::fs::read_dir(fuzz.join("corpus").join(&target))
            .map(|d| d.count())
            .unwrap_or(0);
        assert!(seeds > 0, "fuzz/corpus/{target} has no seed");
    }
}
