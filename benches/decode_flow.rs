//! Criterion benchmarks of the hot path: frame decoding alone, and decode + flow tracking +
//! TCP reassembly through the engine, over the frames of the bundled sample capture.
//! Throughput is reported in bytes/s of wire data (and elements = packets).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::path::Path;
use wb_capture::CaptureFile;
use wb_flow::{Engine, EngineConfig};
use wb_wire::{decode, LinkType, Timestamp};

struct Frames {
    frames: Vec<(Timestamp, LinkType, Vec<u8>, u32)>,
    bytes: u64,
}

fn load() -> Frames {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap");
    let mut file = match CaptureFile::open(&path) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    let mut frames = Vec::new();
    let mut bytes = 0;
    while let Ok(Some(r)) = file.next_packet() {
        bytes += u64::from(r.orig_len);
        frames.push((r.ts, r.link_type, r.data.to_vec(), r.orig_len));
    }
    Frames { frames, bytes }
}

fn new_engine() -> Engine {
    match Engine::new(EngineConfig::default(), Vec::new()) {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    }
}

fn run_engine(mut engine: Engine, input: &Frames) -> usize {
    for (ts, link, data, len) in &input.frames {
        engine.process_frame(*ts, *link, data, *len);
    }
    engine.finish();
    engine.pending_events()
}

fn benches(c: &mut Criterion) {
    let input = load();
    let mut group = c.benchmark_group("sample.pcap");
    group.throughput(Throughput::Bytes(input.bytes));
    group.bench_function("decode", |b| {
        b.iter(|| {
            let mut ok = 0u64;
            for (_, link, data, _) in &input.frames {
                ok += u64::from(decode(*link, data).is_ok());
            }
            ok
        })
    });
    group.bench_function("engine_flows", |b| {
        b.iter_batched(new_engine, |e| run_engine(e, &input), BatchSize::LargeInput)
    });
    group.finish();
    let mut packets = c.benchmark_group("sample.pcap packets");
    packets.throughput(Throughput::Elements(input.frames.len() as u64));
    packets.bench_function("engine_flows", |b| {
        b.iter_batched(new_engine, |e| run_engine(e, &input), BatchSize::LargeInput)
    });
    packets.finish();
}

criterion_group!(hot_path, benches);
criterion_main!(hot_path);
