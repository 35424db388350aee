//! `wirebeat`: the command-line front end. Wiring only: configuration, engine, publisher and
//! output are built here and connected; no protocol logic lives in this crate.

mod cli;
mod commands;
mod logging;
mod progress;
mod run;
mod setup;
mod summary;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("wirebeat: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
