//! Logging set-up: `-e` sends logs to stderr, otherwise they go to a file under `path.logs`;
//! `-d` raises the listed selectors (crate targets such as `wb_flow`, or `*`) to debug.

use crate::cli::GlobalArgs;
use anyhow::{Context, Result};
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;
use wb_config::Config;

/// Keeps logging alive for the life of the command.
pub struct LogGuard;

/// Installs the global logger.
pub fn init(global: &GlobalArgs, config: &Config) -> Result<LogGuard> {
    let level = match config.logging.level.as_str() {
        "debug" => "debug",
        "warning" | "warn" => "warn",
        "error" | "critical" => "error",
        _ => "info",
    };
    let mut directives = level.to_string();
    let selectors = global
        .debug
        .iter()
        .flat_map(|d| d.split(','))
        .chain(config.logging.selectors.iter().map(String::as_str));
    for sel in selectors.map(str::trim).filter(|s| !s.is_empty()) {
        if sel == "*" {
            directives = "debug".into();
        } else {
            directives.push_str(&format!(",{}=debug", sel.replace('-', "_")));
        }
    }
    let filter = EnvFilter::try_new(&directives).context("invalid -d selectors")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    if global.log_to_stderr || config.logging.to_stderr || !config.logging.to_files {
        builder.with_writer(std::io::stderr).try_init().ok();
    } else {
        let dir = &config.paths.logs;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the log directory {}", dir.display()))?;
        let path = dir.join(format!("{}.log", config.logging.file_name));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open the log file {}", path.display()))?;
        builder
            .with_ansi(false)
            .with_writer(Mutex::new(file))
            .try_init()
            .ok();
    }
    Ok(LogGuard)
}
