//! `presswork check`: integrity, foreign keys, schema version and row counts of the
//! database; exits non-zero when something is wrong. Read only, safe while the server runs.

use crate::config::Config;
use crate::store::backup::{inspect, is_ok, open_existing};
use crate::store::SCHEMA_VERSION;
use anyhow::{bail, Context};

pub fn run(config: &Config) -> anyhow::Result<()> {
    let db = config.db_path();
    let conn = open_existing(&db)?;
    let report = inspect(&conn, &db, SCHEMA_VERSION)
        .with_context(|| format!("checking {}", db.display()))?;
    say!(
        "database: {} ({} bytes)",
        report.path.display(),
        report.bytes
    )?;
    // Recent changes live in the write-ahead log until a checkpoint folds them into the main
    // file; while the server runs it can be the larger part of the database.
    let mut wal = db.clone().into_os_string();
    wal.push("-wal");
    let wal = std::path::PathBuf::from(wal);
    match std::fs::metadata(&wal) {
        Ok(meta) => say!(
            "write-ahead log: {} ({} bytes; {} bytes in all)",
            wal.display(),
            meta.len(),
            report.bytes + meta.len()
        )?,
        Err(_) => say!("write-ahead log: none")?,
    }
    say!(
        "integrity: {}",
        if is_ok(&report.integrity) {
            "ok".to_owned()
        } else {
            report.integrity.join("; ")
        }
    )?;
    say!(
        "foreign keys: {} broken references",
        report.foreign_key_problems
    )?;
    say!(
        "schema version: {} (this presswork: {})",
        report.schema_version,
        report.known_schema_version
    )?;
    if report.schema_version < report.known_schema_version && report.schema_version > 0 {
        say!("  migrations pending; `presswork migrate` applies them")?;
    }
    for (table, rows) in &report.tables {
        say!("  {table:<20} {rows:>10} rows")?;
    }
    let problems = report.problems();
    if problems.is_empty() {
        say!("ok")?;
        return Ok(());
    }
    for p in &problems {
        say!("PROBLEM: {p}")?;
    }
    bail!("{} problem(s) found in {}", problems.len(), db.display())
}
