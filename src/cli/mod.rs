//! The command line: one file per verb. Only this module (and main) knows about clap.

// First, so its `say!` is in scope in every verb below.
#[macro_use]
mod out;

pub mod backup;
pub mod check;
pub mod config_cmd;
mod console;
pub mod import;
pub mod migrate;
pub mod restore;
pub mod serve;
pub mod user;

use crate::config::{self, Config, Loaded};
use crate::store::migrations::{Schema, CURRENT};
use crate::store::{lock, upgrade, Store};
use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "presswork",
    version,
    about = "Shop-floor task dispatch for print shops"
)]
pub struct Cli {
    /// Where the database, backups and logs live [env: PRESSWORK_DATA_DIR].
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags that override `config.toml` and `PRESSWORK_*` (see `presswork config check`).
#[derive(Debug, Default, clap::Args)]
pub struct Settings {
    /// Address to listen on; use 0.0.0.0:8080 to serve the shop's LAN [env: PRESSWORK_ADDR].
    #[arg(long, global = true)]
    pub addr: Option<String>,
    /// Do not open a browser at start [env: PRESSWORK_NO_BROWSER].
    #[arg(long, global = true)]
    pub no_browser: bool,
    /// Log format on the console and in the log file: text or json [env: PRESSWORK_LOG_FORMAT].
    #[arg(long, global = true, value_parser = ["text", "json"])]
    pub log_format: Option<String>,
    /// PEM certificate chain; serves HTTPS with --tls-key [env: PRESSWORK_TLS_CERT].
    #[arg(long, global = true)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert [env: PRESSWORK_TLS_KEY].
    #[arg(long, global = true)]
    pub tls_key: Option<PathBuf>,
    /// Longest pause (ms) between the dispatcher's looks at the pools (default 1000); it also
    /// wakes on every change [env: PRESSWORK_DISPATCH_TICK_MS].
    #[arg(long, global = true)]
    pub dispatch_tick_ms: Option<u64>,
}

impl Settings {
    /// The flags given, as (setting, value) for the config's last layer.
    pub fn flags(&self) -> Vec<(&'static str, String)> {
        let mut flags = Vec::new();
        if let Some(a) = &self.addr {
            flags.push(("addr", a.clone()));
        }
        if self.no_browser {
            flags.push(("no_browser", "true".to_owned()));
        }
        if let Some(f) = &self.log_format {
            flags.push(("log.format", f.clone()));
        }
        if let Some(p) = &self.tls_cert {
            flags.push(("tls.cert", p.display().to_string()));
        }
        if let Some(p) = &self.tls_key {
            flags.push(("tls.key", p.display().to_string()));
        }
        if let Some(ms) = self.dispatch_tick_ms {
            flags.push(("dispatch.tick_ms", ms.to_string()));
        }
        flags
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default when no command is given).
    Serve(serve::ServeArgs),
    /// Manage users: add, list, issue API tokens.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Take a consistent backup now, even while the server runs.
    Backup(backup::BackupArgs),
    /// Put a backup in place of the database (the server must be stopped).
    Restore(restore::RestoreArgs),
    /// Apply pending schema migrations (after a snapshot), or only report them.
    Migrate(migrate::MigrateArgs),
    /// Check the database: integrity, schema version, row counts.
    Check,
    /// Import legacy work orders from a .csv or .json file.
    Import(import::ImportArgs),
    /// Export every work order to a .csv or .json file (the format `import` reads).
    Export(import::ExportArgs),
    /// Show the effective configuration.
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
}

/// Opens the database for `serve`, or to create a new one: applies pending migrations after a
/// snapshot, then opens the store. The caller holds the data-dir lock.
pub fn open_store(config: &Config) -> anyhow::Result<Store> {
    let db = config.db_path();
    let up = upgrade::migrate_safely(&db, &config.backups(), &CURRENT)
        .with_context(|| format!("upgrading the database {}", db.display()))?;
    if up.pending.steps() > 0 && !up.pending.is_fresh() {
        say!(
            "migrated the database from schema version {} to {}",
            up.pending.from,
            up.pending.to
        )?;
    }
    if let Some(snapshot) = &up.snapshot {
        say!("  snapshot taken first: {}", snapshot.display())?;
    }
    Store::open(&db).with_context(|| format!("opening the database {}", db.display()))
}

/// Opens the database for a verb that may run beside a server (`user`, `import`, `export`).
/// It never migrates: a newer binary's `user list` would otherwise change the schema under an
/// older server still running on it. A database that needs migrating is refused with the way
/// forward; a data dir without one gets a new one, under the data-dir lock as `serve` would.
pub fn open_current(config: &Config) -> anyhow::Result<Store> {
    open_current_with(config, &CURRENT)
}

fn open_current_with(config: &Config, schema: &Schema) -> anyhow::Result<Store> {
    let db = config.db_path();
    let plan = upgrade::check(&db, schema)
        .with_context(|| format!("opening the database {}", db.display()))?;
    if plan.is_fresh() {
        let _held = lock::acquire(&config.lock_path()).context("creating the database")?;
        return open_store(config);
    }
    if plan.from != plan.to {
        bail!(
            "the database {} has schema version {} and this presswork needs {}; \
             run `presswork migrate` first (it takes a snapshot; stop the server before)",
            db.display(),
            plan.from,
            plan.to
        );
    }
    Store::open(&db).with_context(|| format!("opening the database {}", db.display()))
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let loaded = config::load(cli.data_dir.clone(), &cli.settings.flags())?;
    let command = match cli.command {
        None => return serve::run(loaded, serve::ServeArgs::default()),
        Some(Command::Serve(args)) => return serve::run(loaded, args),
        Some(command) => command,
    };
    let _logging = crate::logging::init_console(&loaded.config);
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    run_verb(loaded, command)
}

fn run_verb(loaded: Loaded, command: Command) -> anyhow::Result<()> {
    let config = &loaded.config;
    match command {
        Command::Serve(_) => unreachable!("serve is handled by run"),
        Command::User(cmd) => user::run(config, cmd),
        Command::Backup(args) => backup::run(config, args),
        Command::Restore(args) => restore::run(config, args),
        Command::Migrate(args) => migrate::run(config, args),
        Command::Check => check::run(config),
        Command::Import(args) => import::run_import(config, args),
        Command::Export(args) => import::run_export(config, args),
        Command::Config(cmd) => config_cmd::run(&loaded, cmd),
    }
}

#[cfg(test)]
mod tests;
