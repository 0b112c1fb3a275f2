//! Parses the command line and runs one command; logging is set up by the command itself
//! (the server logs to a file too, the one-shot verbs to the console only).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    match presswork::cli::run(presswork::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
