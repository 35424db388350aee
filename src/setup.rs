//! Turning the loaded configuration into the running parts: protocols, engine settings, the
//! output sink and the publisher. Shared by `run` and `test config`.

use anyhow::{Context, Result};
use std::path::PathBuf;
use wb_config::{Config, EventMetadata, LoadRequest, Loaded, OutputConfig};
use wb_event::JsonStyle;
use wb_flow::{Engine, EngineConfig, FlowSettings, ReassemblyLimits};
use wb_outputs::{ConsoleSink, FileSink, FileSinkConfig, Sink};
use wb_pipeline::{Enrichment, EnrichmentConfig, Publisher};

use crate::cli::GlobalArgs;

/// Loads the configuration named by the global flags.
pub fn load_config(global: &GlobalArgs) -> Result<Loaded> {
    let req = LoadRequest {
        file: config_file(global),
        overrides: global.overrides.clone(),
        path_home: global.path_home.clone(),
        path_data: global.path_data.clone(),
        path_logs: global.path_logs.clone(),
    };
    Ok(wb_config::load(&req)?)
}

/// `-c FILE` (relative to `--path.config`), else `wirebeat.yml` or `packetbeat.yml` in the
/// config path when one exists, else no file (built-in defaults).
fn config_file(global: &GlobalArgs) -> Option<PathBuf> {
    let dir = global
        .path_config
        .clone()
        .or_else(|| global.path_home.clone());
    if let Some(c) = &global.config {
        return Some(match &dir {
            Some(d) if c.is_relative() => d.join(c),
            _ => c.clone(),
        });
    }
    let dir = dir.unwrap_or_default();
    ["wirebeat.yml", "packetbeat.yml"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// The enabled protocols, with warnings about configured ones that are not analysed.
pub fn build_protocols(config: &Config) -> Result<wb_proto::registry::Built> {
    Ok(wb_proto::registry::build_all(&config.protocols)?)
}

/// Engine settings from the configuration.
pub fn engine_config(config: &Config) -> EngineConfig {
    let defaults = EngineConfig::default();
    EngineConfig {
        flows: config.flows.as_ref().map(|f| FlowSettings {
            timeout_nanos: nanos(f.timeout),
            period_nanos: f.period.map(nanos),
        }),
        max_flows: config
            .flows
            .as_ref()
            .map_or(defaults.max_flows, |f| f.max_flows),
        tcp_limits: ReassemblyLimits {
            max_segments: config.tcp.max_ooo_segments,
            max_bytes: config.tcp.max_ooo_bytes,
        },
        defrag: defaults.defrag,
        icmp: None,
    }
}

fn nanos(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// Builds the engine for `config`.
pub fn build_engine(config: &Config) -> Result<Engine> {
    let built = build_protocols(config)?;
    let engine = Engine::new(
        EngineConfig {
            icmp: built.icmp,
            ..engine_config(config)
        },
        built.protocols,
    )?;
    Ok(engine)
}

/// Opens the configured output (or the built-in local store) and wraps it in a publisher.
pub fn build_publisher(config: &Config) -> Result<Publisher> {
    let mut pretty = false;
    let sink: Box<dyn Sink> = match &config.output {
        OutputConfig::Console { pretty: p } => {
            pretty = *p;
            Box::new(ConsoleSink::new())
        }
        OutputConfig::File {
            path,
            filename,
            rotate_every_kb,
            number_of_files,
            permissions,
            rotate_on_startup,
        } => Box::new(
            FileSink::open(FileSinkConfig {
                path: path.clone(),
                filename: filename.clone(),
                rotate_every_kb: *rotate_every_kb,
                number_of_files: *number_of_files,
                permissions: *permissions,
                rotate_on_startup: *rotate_on_startup,
            })
            .context("cannot open output.file")?,
        ),
        OutputConfig::Default | OutputConfig::Unsupported { .. } => Box::new(
            wb_outputs::default_local_sink(&config.paths.data)
                .context("cannot open the local event store")?,
        ),
    };
    let mut per_type: Vec<(String, EventMetadata)> = config
        .protocols
        .iter()
        .filter(|p| p.enabled)
        .map(|p| (p.kind.clone(), p.metadata.clone()))
        .collect();
    if let Some(flows) = &config.flows {
        per_type.push(("flow".into(), flows.metadata.clone()));
    }
    let enrichment = Enrichment::new(&EnrichmentConfig {
        name: config.name.clone(),
        hostname: hostname(),
        global: EventMetadata {
            fields: config.fields.clone(),
            fields_under_root: config.fields_under_root,
            tags: config.tags.clone(),
            keep_null: false,
        },
        per_type,
    });
    let style = JsonStyle {
        pretty,
        precision: config.timestamp_precision,
    };
    Ok(Publisher::new(enrichment, style, sink))
}

/// The machine's host name (`host.name`).
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_string())
}
