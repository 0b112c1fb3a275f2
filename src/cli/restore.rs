//! `presswork restore FILE`: verify a backup and put it in place of the database. Refuses
//! while a server holds the data dir; the replaced database is moved aside, never deleted.

use crate::config::Config;
use crate::store::{lock, restore, SCHEMA_VERSION};
use anyhow::Context;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup file (a manifest beside it, if any, is checked too).
    pub file: PathBuf,
}

pub fn run(config: &Config, args: RestoreArgs) -> anyhow::Result<()> {
    let held = lock::acquire(&config.lock_path()).context("refusing to restore")?;
    let report = restore::restore(&args.file, &config.db_path(), SCHEMA_VERSION, &held)
        .with_context(|| format!("refusing to restore {}", args.file.display()))?;
    say!("verified {}:", report.source.display())?;
    say!("  integrity ok; schema version {}", report.schema_version)?;
    if report.manifest_checked {
        say!("  sha256 {} matches its manifest", report.sha256)?;
    } else {
        say!(
            "  sha256 {} (no manifest beside it to compare)",
            report.sha256
        )?;
    }
    if report.moved_aside.is_empty() {
        say!("there was no database to replace")?;
    }
    for file in &report.moved_aside {
        say!("moved the current database aside: {}", file.display())?;
    }
    say!("restored to {}", report.restored_to.display())?;
    let rows: Vec<String> = report
        .tables
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    say!("  rows: {}", rows.join(", "))?;
    if report.schema_version < SCHEMA_VERSION {
        say!(
            "the next start migrates it from schema version {} to {} (after a snapshot)",
            report.schema_version,
            SCHEMA_VERSION
        )?;
    }
    Ok(())
}
