//! The generic analyzer suite every registered protocol passes: its example conversation fed
//! whole, in small segments and byte by byte gives the same transactions, and a hole at any
//! offset of either direction never panics and yields only well-formed events.

use crate::{run_frames, Conversation, Segmentation};
use std::time::Duration;
use wb_config::ProtocolConfig;
use wb_proto::registry::ProtocolSpec;
use wb_proto::Dir;

/// The server port used by the suite.
pub const PORT: u16 = 7777;

/// A protocol entry for `name` on [`PORT`] with default options and both raw texts on.
pub fn test_protocol_config(name: &str) -> ProtocolConfig {
    ProtocolConfig {
        kind: name.to_string(),
        enabled: true,
        ports: vec![PORT],
        transaction_timeout: Duration::from_secs(10),
        send_request: true,
        send_response: true,
        metadata: Default::default(),
        options: serde_yaml_ng::Mapping::new(),
    }
}

/// [`test_protocol_config`] with `options` (YAML flow-map text such as `{max_rows: 2}`; empty
/// for none) added; panics on text that is not a mapping.
pub fn protocol_config_with(name: &str, options: &str) -> ProtocolConfig {
    let mut cfg = test_protocol_config(name);
    if !options.trim().is_empty() {
        match serde_yaml_ng::from_str::<serde_yaml_ng::Mapping>(options) {
            Ok(extra) => cfg.options.extend(extra),
            Err(e) => panic!("{name} options {options:?}: {e}"),
        }
    }
    cfg
}

/// The example conversation of `spec`.
pub fn example_conversation(spec: &ProtocolSpec) -> Conversation {
    spec.example
        .iter()
        .fold(Conversation::over(spec.example_transport, PORT), |c, m| {
            c.message(m.dir, m.data)
        })
}

/// Runs the whole suite on one protocol; panics with a description on failure.
pub fn check_protocol(spec: &ProtocolSpec) {
    let build = || match (spec.build)(&test_protocol_config(spec.name)) {
        Ok(p) => vec![p],
        Err(e) => panic!("{}: cannot build with default options: {e}", spec.name),
    };
    let conv = example_conversation(spec);
    let reference = run_frames(build(), &conv.frames(Segmentation::Whole, None));
    assert!(
        !reference.is_empty(),
        "{}: the example conversation gave no event",
        spec.name
    );
    for ev in &reference {
        assert_eq!(
            ev["type"], spec.name,
            "{}: event of another type: {ev}",
            spec.name
        );
    }
    for size in [1usize, 2, 3, 7, 64] {
        let got = run_frames(build(), &conv.frames(Segmentation::Chunks(size), None));
        assert_eq!(
            got, reference,
            "{}: segments of {size} bytes changed the events",
            spec.name
        );
    }
    for dir in [Dir::ToServer, Dir::ToClient] {
        let len = conv.stream(dir).len();
        for offset in 0..len {
            for hole in [1usize, 5] {
                let got = run_frames(
                    build(),
                    &conv.frames(Segmentation::Chunks(4), Some((dir, offset, hole))),
                );
                for ev in &got {
                    assert_eq!(
                        ev["type"], spec.name,
                        "{}: bad event after a gap: {ev}",
                        spec.name
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_protocol_passes_the_generic_suite() {
        for spec in wb_proto::registry::IMPLEMENTED {
            check_protocol(spec);
        }
    }
}
