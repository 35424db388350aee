//! Per-flow state of `dhcpv4`: none. Every datagram is one message and one event (Packetbeat
//! does not pair requests with replies); undecodable datagrams are counted and dropped.

use super::{ecs, parser};
use crate::{Analyzer, Cx, Dir, GapAction, Progress};
use wb_wire::Timestamp;

/// Anomaly counted when an overloaded `file` / `sname` field holds a malformed option.
pub const ANOMALY_BAD_OVERLOAD: &str = "malformed_overloaded_options";

/// Analyzer of one UDP flow on a DHCP port.
#[derive(Debug, Default)]
pub struct Dhcpv4Analyzer;

impl Analyzer for Dhcpv4Analyzer {
    fn on_data(&mut self, dir: Dir, data: &[u8], cx: &mut Cx) -> Progress {
        match parser::parse(data) {
            Ok(msg) => {
                if msg.overload_malformed {
                    cx.anomaly(ANOMALY_BAD_OVERLOAD);
                }
                ecs::publish(&msg, dir, data.len(), cx);
                Progress::Done
            }
            Err(e) => {
                cx.anomaly(e.anomaly());
                Progress::Invalid
            }
        }
    }

    fn on_gap(&mut self, _dir: Dir, _missing: u32, _cx: &mut Cx) -> GapAction {
        // Datagrams are independent: a lost one affects nothing else.
        GapAction::Continue
    }

    fn on_eof(&mut self, _dir: Dir, _cx: &mut Cx) {}

    fn on_expire(&mut self, _now: Timestamp, _cx: &mut Cx) {}
}
