//! `wirebeat run`: read a capture file through the engine into the publisher.
//!
//! Two threads: this one reads packets and drives the engine (deterministic, no locks); the
//! output thread enriches, encodes and writes events. They are joined by a bounded channel, so
//! a slow output slows reading instead of losing events.

use crate::cli::RunArgs;
use crate::progress::Progress;
use crate::setup;
use crate::summary::{OutputReport, Summary};
use anyhow::{bail, Context, Result};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use wb_capture::CaptureFile;
use wb_config::Loaded;
use wb_event::Event;
use wb_wire::Timestamp;

/// Events handed to the output thread at a time.
const BATCH: usize = 1024;
/// Batches in flight between the threads (back-pressure beyond this).
const QUEUE_BATCHES: usize = 4;

/// Runs the main job.
pub fn run(args: &RunArgs, loaded: Loaded) -> Result<ExitCode> {
    let config = loaded.config;
    for w in &loaded.warnings {
        warn(w);
    }
    let path = args
        .read
        .clone()
        .or_else(|| config.interfaces.iter().find_map(|i| i.file.clone()));
    let Some(path) = path else {
        bail!(
            "live capture is not available in this build yet; read a capture file with -r FILE \
             (or packetbeat.interfaces.file)"
        );
    };
    if config.interfaces.iter().any(|i| i.bpf_filter.is_some()) {
        warn("packetbeat.interfaces.bpf_filter is ignored when reading a capture file");
    }
    let mut engine = setup::build_engine(&config)?;
    let mut file = CaptureFile::open(&path)?;
    let mut publisher = setup::build_publisher(&config)?;
    let output_location = publisher.describe();
    tracing::info!(file = %path.display(), output = %output_location, "reading capture file");

    let (tx, rx) = crossbeam_channel::bounded::<Vec<Event>>(QUEUE_BATCHES);
    let output = std::thread::Builder::new()
        .name("wirebeat-output".into())
        .spawn(move || {
            let mut error = None;
            for mut batch in rx {
                if let Err(e) = publisher.publish_batch(&mut batch) {
                    error = Some(e);
                    break;
                }
            }
            if error.is_none() {
                error = publisher.close().err();
            }
            OutputReport {
                stats: publisher.stats().clone(),
                location: publisher.describe(),
                error,
            }
        })
        .context("cannot start the output thread")?;

    let started = Instant::now();
    let progress = Progress::new(file.file_size());
    let mut replay = (!args.top_speed).then(Replay::default);
    let mut batch: Vec<Event> = Vec::with_capacity(BATCH);
    let mut read_error = None;
    let mut output_gone = false;
    let mut packets: u64 = 0;
    loop {
        let record = match file.next_packet() {
            Ok(Some(record)) => record,
            Ok(None) => break,
            Err(e) => {
                read_error = Some(e);
                break;
            }
        };
        if let Some(replay) = replay.as_mut() {
            replay.wait_until(record.ts);
        }
        engine.process_frame(record.ts, record.link_type, record.data, record.orig_len);
        packets += 1;
        if engine.pending_events() >= BATCH {
            engine.take_events(&mut batch);
            if tx
                .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                .is_err()
            {
                output_gone = true;
                break;
            }
        }
        if packets & 0x3fff == 0 {
            progress.update(file.bytes_read(), packets, started);
        }
    }
    engine.finish();
    engine.take_events(&mut batch);
    if !batch.is_empty() && !output_gone {
        output_gone = tx.send(batch).is_err();
    }
    drop(tx);
    progress.finish();
    let elapsed = started.elapsed();
    let report = output
        .join()
        .map_err(|_| anyhow::anyhow!("the output thread panicked"))?;
    let summary = Summary {
        source: path.display().to_string(),
        elapsed,
        engine: engine.stats(),
        anomalies: engine.anomalies().clone(),
        skipped_records: file.skipped_records(),
        output: report,
    };
    summary.print();
    if let Some(e) = read_error {
        eprintln!("wirebeat: error: reading stopped early: {e}");
        return Ok(ExitCode::FAILURE);
    }
    if let Some(e) = &summary.output.error {
        eprintln!("wirebeat: error: output failed, events after the failure were not written: {e}");
        return Ok(ExitCode::FAILURE);
    }
    if output_gone {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn warn(message: &str) {
    tracing::warn!("{message}");
    eprintln!("wirebeat: warning: {message}");
}

/// Real-time replay: sleeps so that packets are processed with their original spacing.
#[derive(Default)]
struct Replay {
    origin: Option<(Timestamp, Instant)>,
}

impl Replay {
    fn wait_until(&mut self, ts: Timestamp) {
        let (first, start) = *self.origin.get_or_insert((ts, Instant::now()));
        let offset = Duration::from_nanos(u64::try_from(ts.nanos_since(first)).unwrap_or(0));
        if let Some(wait) = offset.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
    }
}
