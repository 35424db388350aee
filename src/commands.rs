//! Dispatch of the sub-commands.

use crate::cli::{Cli, Command, ExportCommand, TestCommand};
use crate::{logging, run, setup};
use anyhow::Result;
use std::process::ExitCode;

/// Runs the command the user asked for.
pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Version) => {
            println!(
                "wirebeat version {} ({}-{})",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::ARCH,
                std::env::consts::OS
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Test(TestCommand::Config)) => {
            let loaded = setup::load_config(&cli.global)?;
            for w in &loaded.warnings {
                eprintln!("wirebeat: warning: {w}");
            }
            setup::build_engine(&loaded.config)?;
            println!("Config OK");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export(ExportCommand::Config)) => {
            let loaded = setup::load_config(&cli.global)?;
            print!("{}", wb_config::to_yaml(&loaded.effective));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Run(args)) => {
            let loaded = setup::load_config(&cli.global)?;
            let _guard = logging::init(&cli.global, &loaded.config)?;
            run::run(&args, loaded)
        }
        None => {
            let loaded = setup::load_config(&cli.global)?;
            let _guard = logging::init(&cli.global, &loaded.config)?;
            run::run(&cli.run, loaded)
        }
    }
}
