//! `presswork backup [FILE]`: a consistent snapshot of the live database, safe while the
//! server runs and writes, checked and described by a manifest beside it.

use crate::config::Config;
use crate::store::backup::{manifest_path, snapshot};
use anyhow::{bail, Context};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write it (default: the backup dir, named by the time).
    pub file: Option<PathBuf>,
}

pub fn run(config: &Config, args: BackupArgs) -> anyhow::Result<()> {
    let dest = args.file.unwrap_or_else(|| {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        config.backups().join(format!("presswork-{stamp}.db"))
    });
    if dest.exists() {
        bail!(
            "{} already exists; a backup never overwrites a file",
            dest.display()
        );
    }
    let manifest = snapshot(&config.db_path(), &dest)
        .with_context(|| format!("backing up {}", config.db_path().display()))?;
    say!("backup written: {}", dest.display())?;
    say!("  manifest: {}", manifest_path(&dest).display())?;
    say!(
        "  integrity: {}; schema version {}; {} bytes; sha256 {}",
        manifest.integrity,
        manifest.schema_version,
        manifest.bytes,
        manifest.sha256
    )?;
    let rows: Vec<String> = manifest
        .tables
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    say!("  rows: {}", rows.join(", "))?;
    Ok(())
}
