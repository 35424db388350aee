//! Command-line arguments, mirroring the beats: global `-c -e -d -E --path.*`, `run` as the
//! default command, `test config`, `export config`, `version`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Wirebeat: passive network traffic analyzer.
#[derive(Debug, Parser)]
#[command(
    name = "wirebeat",
    version,
    about,
    args_conflicts_with_subcommands = false
)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Options of `run` (also accepted without the word `run`).
    #[command(flatten)]
    pub run: RunArgs,
    /// The command; `run` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every command accepts.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Configuration file (default: wirebeat.yml, else packetbeat.yml, in the config path).
    #[arg(short = 'c', long = "c", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log to stderr instead of the log files.
    #[arg(short = 'e', global = true)]
    pub log_to_stderr: bool,
    /// Enable debug logging for these comma-separated selectors (`*` for all).
    #[arg(short = 'd', global = true, value_name = "SELECTORS")]
    pub debug: Option<String>,
    /// Override a configuration setting (`-E output.console.pretty=true`); repeatable.
    #[arg(short = 'E', global = true, value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Home path (default: the current directory).
    #[arg(long = "path.home", global = true, value_name = "DIR")]
    pub path_home: Option<PathBuf>,
    /// Configuration path (default: the home path).
    #[arg(long = "path.config", global = true, value_name = "DIR")]
    pub path_config: Option<PathBuf>,
    /// Data path (default: <home>/data).
    #[arg(long = "path.data", global = true, value_name = "DIR")]
    pub path_data: Option<PathBuf>,
    /// Logs path (default: <home>/logs).
    #[arg(long = "path.logs", global = true, value_name = "DIR")]
    pub path_logs: Option<PathBuf>,
}

/// Options of `run`.
#[derive(Debug, Args, Clone, Default)]
pub struct RunArgs {
    /// Read packets from this capture file (pcap or pcapng, optionally gzip-compressed).
    #[arg(
        short = 'r',
        long = "read",
        visible_short_alias = 'I',
        value_name = "FILE"
    )]
    pub read: Option<PathBuf>,
    /// Top speed: read the file as fast as possible instead of replaying it in real time.
    #[arg(short = 't')]
    pub top_speed: bool,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Capture and analyze traffic (the default).
    Run(RunArgs),
    /// Check the configuration.
    #[command(subcommand)]
    Test(TestCommand),
    /// Print the effective configuration.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Print the version.
    Version,
}

/// `test` sub-commands.
#[derive(Debug, Subcommand)]
pub enum TestCommand {
    /// Load the configuration and build the whole pipeline without processing packets.
    Config,
}

/// `export` sub-commands.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The configuration after file, `-E` overrides and `${VAR}` expansion.
    Config,
}
