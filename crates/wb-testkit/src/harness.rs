//! Runs frames through a real engine and returns the events as JSON values.

use crate::Frame;
use std::sync::Arc;
use wb_event::{write_json, JsonStyle};
use wb_flow::{Engine, EngineConfig};
use wb_proto::{AnomalyCounts, Protocol};
use wb_wire::Precision;

/// Runs `frames` through an engine with `protocols` and flows disabled; returns every event
/// (after `finish`) as parsed JSON.
pub fn run_frames(protocols: Vec<Arc<dyn Protocol>>, frames: &[Frame]) -> Vec<serde_json::Value> {
    run_frames_counting(protocols, frames).0
}

/// [`run_frames`], also returning the anomalies the analyzers counted.
pub fn run_frames_counting(
    protocols: Vec<Arc<dyn Protocol>>,
    frames: &[Frame],
) -> (Vec<serde_json::Value>, AnomalyCounts) {
    let config = EngineConfig {
        flows: None,
        ..EngineConfig::default()
    };
    run_engine_counting(config, protocols, frames)
}

/// Runs `frames` through an engine with `config` and `protocols`; returns every event (after
/// `finish`) as parsed JSON.
pub fn run_engine(
    config: EngineConfig,
    protocols: Vec<Arc<dyn Protocol>>,
    frames: &[Frame],
) -> Vec<serde_json::Value> {
    run_engine_counting(config, protocols, frames).0
}

/// [`run_engine`], also returning the anomalies the analyzers counted.
pub fn run_engine_counting(
    config: EngineConfig,
    protocols: Vec<Arc<dyn Protocol>>,
    frames: &[Frame],
) -> (Vec<serde_json::Value>, AnomalyCounts) {
    let mut engine = match Engine::new(config, protocols) {
        Ok(e) => e,
        Err(e) => panic!("engine: {e}"),
    };
    for f in frames {
        engine.process_frame(f.ts, f.link, &f.data, f.data.len() as u32);
    }
    engine.finish();
    let mut events = Vec::new();
    engine.take_events(&mut events);
    let json = events
        .iter()
        .map(|e| {
            let mut buf = Vec::new();
            write_json(
                e,
                JsonStyle {
                    pretty: false,
                    precision: Precision::Nanosecond,
                },
                &mut buf,
            );
            serde_json::from_slice(&buf).unwrap_or(serde_json::Value::Null)
        })
        .collect();
    (json, engine.anomalies().clone())
}

/// Removes the dotted `paths` from a JSON event (missing ones are ignored); empty parent
/// objects are removed too.
pub fn strip_volatile(event: &mut serde_json::Value, paths: &[&str]) {
    for path in paths {
        remove_path(event, &path.split('.').collect::<Vec<_>>());
    }
}

fn remove_path(v: &mut serde_json::Value, segs: &[&str]) {
    let Some(obj) = v.as_object_mut() else { return };
    match segs {
        [] => {}
        [last] => {
            obj.remove(*last);
        }
        [first, rest @ ..] => {
            if let Some(child) = obj.get_mut(*first) {
                remove_path(child, rest);
                if child.as_object().is_some_and(|o| o.is_empty()) {
                    obj.remove(*first);
                }
            }
        }
    }
}
