//! Fuzz input replayed as a conversation to one registered analyzer. Shared by the
//! `analyzers` fuzz target (every protocol per input) and the `proto_<name>` targets (one
//! protocol each, so coverage guidance explores that parser alone).

use crate::{run_frames, suite, Conversation, Segmentation};
use serde_yaml_ng::Mapping;
use std::sync::Arc;
use wb_proto::registry::{ProtocolSpec, IMPLEMENTED};
use wb_proto::Dir;

/// Separates messages in a fuzz input; messages alternate client, server, client... and an
/// empty one only passes the turn.
pub const MESSAGE_SEPARATOR: u8 = 0xFE;

/// Replays `data` to `spec`'s analyzer, with default options, over each transport it analyses
/// (memcache and dns: TCP and UDP). The first byte chooses the TCP segment size (1–32) and,
/// when its top bit is set, a hole in the server's stream; the rest is the messages. Returns
/// the number of events written.
pub fn replay(spec: &ProtocolSpec, data: &[u8]) -> usize {
    replay_configured(spec, &Mapping::new(), data)
}

/// [`replay`] with `options` added to the default options (a protocol whose options choose
/// its transport, such as SIP's `transport_protocol`).
fn replay_configured(spec: &ProtocolSpec, options: &Mapping, data: &[u8]) -> usize {
    let Some((&control, body)) = data.split_first() else {
        return 0;
    };
    let mut cfg = suite::test_protocol_config(spec.name);
    cfg.options.extend(options.clone());
    let Ok(protocol) = (spec.build)(&cfg) else {
        return 0;
    };
    let segmentation = Segmentation::Chunks(usize::from(control % 32) + 1);
    let hole = (control & 0x80 != 0).then_some((Dir::ToClient, usize::from(control & 0x0f), 3));
    let mut events = 0;
    for &transport in protocol.transports() {
        let mut conv = Conversation::over(transport, suite::PORT);
        for (i, msg) in body.split(|&b| b == MESSAGE_SEPARATOR).enumerate() {
            if msg.is_empty() {
                continue;
            }
            let dir = if i % 2 == 0 {
                Dir::ToServer
            } else {
                Dir::ToClient
            };
            conv = conv.message(dir, msg);
        }
        events += run_frames(
            vec![Arc::clone(&protocol)],
            &conv.frames(segmentation, hole),
        )
        .len();
    }
    events
}

/// Replays `data` to the registered protocol called `name`; does nothing for unknown names.
pub fn replay_named(name: &str, data: &[u8]) -> usize {
    IMPLEMENTED
        .iter()
        .find(|s| s.name == name)
        .map_or(0, |spec| replay(spec, data))
}

/// [`replay_named`] with `options` (a YAML mapping, such as `{transport_protocol: tcp}`) added
/// to the default options; does nothing for unknown names or options that are not a mapping.
pub fn replay_named_with(name: &str, options: &str, data: &[u8]) -> usize {
    let Ok(options) = serde_yaml_ng::from_str::<Mapping>(options) else {
        return 0;
    };
    IMPLEMENTED
        .iter()
        .find(|s| s.name == name)
        .map_or(0, |spec| replay_configured(spec, &options, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each example without separator bytes, written as a fuzz input, replays to at least one
    /// event: the per-protocol targets' corpus reaches the parsers.
    #[test]
    fn every_example_replays_as_a_fuzz_input() {
        for spec in IMPLEMENTED {
            let mut input = vec![63u8];
            let mut turn = Dir::ToServer;
            for msg in spec.example {
                if msg.dir != turn {
                    input.push(MESSAGE_SEPARATOR);
                }
                input.extend_from_slice(msg.data);
                input.push(MESSAGE_SEPARATOR);
                turn = other(msg.dir);
            }
            let clean = spec
                .example
                .iter()
                .all(|m| !m.data.contains(&MESSAGE_SEPARATOR));
            let events = replay(spec, &input);
            assert!(!clean || events > 0, "{}: no event", spec.name);
        }
        assert_eq!(replay_named("no-such-protocol", b"\0abc"), 0);
        // SIP's example over TCP, as its fuzz target also replays it.
        let sip = IMPLEMENTED
            .iter()
            .find(|s| s.name == "sip")
            .map(|s| s.example);
        let mut input = vec![5u8];
        for (i, m) in sip.unwrap_or_default().iter().enumerate() {
            if i > 0 {
                input.push(MESSAGE_SEPARATOR);
            }
            input.extend_from_slice(m.data);
        }
        let tcp = "{transport_protocol: tcp}";
        assert_eq!(replay_named_with("sip", tcp, &input), 3);
        assert_eq!(replay_named_with("sip", "[", &input), 0);
    }

    fn other(dir: Dir) -> Dir {
        match dir {
            Dir::ToServer => Dir::ToClient,
            Dir::ToClient => Dir::ToServer,
        }
    }
}
