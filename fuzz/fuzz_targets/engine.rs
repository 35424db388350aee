//! A sequence of arbitrary frames through the whole engine (flows, reassembly, every
//! registered analyzer on small ports) with tight limits: no panic, bounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use wb_flow::{Engine, EngineConfig, FlowSettings, ReassemblyLimits};
use wb_proto::Protocol;
use wb_wire::{LinkType, Timestamp};

fn protocols() -> Vec<Arc<dyn Protocol>> {
    wb_proto::registry::IMPLEMENTED
        .iter()
        .enumerate()
        .filter_map(|(i, spec)| {
            let mut cfg = wb_testkit::suite::test_protocol_config(spec.name);
            cfg.ports = vec![1 + i as u16 * 2, 2 + i as u16 * 2];
            (spec.build)(&cfg).ok()
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let config = EngineConfig {
        flows: Some(FlowSettings { timeout_nanos: 2_000_000_000, period_nanos: Some(1_000_000_000) }),
        max_flows: 64,
        tcp_limits: ReassemblyLimits { max_segments: 8, max_bytes: 4096 },
        icmp: Some(wb_proto::icmp::IcmpConfig { transaction_timeout_nanos: 3_000_000_000 }),
        ..EngineConfig::default()
    };
    let Ok(mut engine) = Engine::new(config, protocols()) else { return };
    let mut ts = Timestamp(1_000_000_000);
    let mut rest = data;
    let mut events = Vec::new();
    // Each frame: [length u8][time step u8][link selector u8][bytes...].
    while let [len, step, link, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (frame, next) = tail.split_at(n);
        ts = ts.add_nanos(i64::from(*step) * 50_000_000);
        let link = if link % 2 == 0 { LinkType::IPV4 } else { LinkType::ETHERNET };
        engine.process_frame(ts, link, frame, frame.len() as u32);
        engine.take_events(&mut events);
        events.clear();
        rest = next;
    }
    engine.finish();
});
