//! The command line: one file per verb. Only this module (and main) knows about clap.

pub mod serve;
pub mod user;

use crate::config::{default_data_dir, Config, DEFAULT_ADDR};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "presswork",
    version,
    about = "Shop-floor task dispatch for print shops"
)]
pub struct Cli {
    /// Where the database, backups and logs live.
    #[arg(long, global = true, env = "PRESSWORK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default when no command is given).
    Serve(serve::ServeArgs),
    /// Manage users: add, list, issue API tokens.
    #[command(subcommand)]
    User(user::UserCommand),
}

impl Cli {
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }
}

pub fn config_for(data_dir: PathBuf, addr: Option<SocketAddr>) -> Config {
    Config {
        data_dir,
        addr: addr.unwrap_or_else(|| DEFAULT_ADDR.parse().expect("default address parses")),
    }
}

/// Runs the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let data_dir = cli.data_dir();
    match cli.command {
        None => serve::run(config_for(data_dir, None), serve::ServeArgs::default()),
        Some(Command::Serve(args)) => serve::run(config_for(data_dir, args.addr), args),
        Some(Command::User(cmd)) => user::run(&data_dir, cmd),
    }
}
