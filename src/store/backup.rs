//! Online backups: a consistent snapshot of the live database (SQLite's backup API, copied in
//! one step so it is one read transaction that writers in WAL mode never wait for), checked
//! with `PRAGMA integrity_check`, with a manifest beside it. Also the checks `check` and
//! `restore` share. It knows files and SQLite, nothing of HTTP or the CLI.

use super::migrations::schema_version_of;
use super::pool::BUSY_TIMEOUT;
use super::StoreError;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What is known about a backup file, written as `<file>.manifest.json` beside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub presswork_version: String,
    pub schema_version: i64,
    /// RFC 3339, local time of the machine that took it.
    pub created_at: String,
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    pub integrity: String,
    /// Rows per table at the moment of the snapshot.
    pub tables: BTreeMap<String, i64>,
}

pub fn manifest_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

pub fn read_manifest(file: &Path) -> Result<Option<Manifest>, StoreError> {
    let path = manifest_path(file);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| StoreError::Check(format!("{} is not a manifest: {e}", path.display())))
}

/// Opens an existing database without creating it and without migrating it.
pub fn open_existing(path: &Path) -> Result<Connection, StoreError> {
    if !path.is_file() {
        return Err(StoreError::Check(format!(
            "there is no database at {}",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// `["ok"]` for a sound database, otherwise SQLite's list of problems.
pub fn integrity_check(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn is_ok(problems: &[String]) -> bool {
    problems.len() == 1 && problems[0] == "ok"
}

/// Rows in every table of ours (not SQLite's own), by name.
pub fn table_counts(conn: &Connection) -> Result<BTreeMap<String, i64>, StoreError> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut counts = BTreeMap::new();
    for name in names {
        let quoted = name.replace('"', "\"\"");
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM \"{quoted}\""), [], |r| {
            r.get(0)
        })?;
        counts.insert(name, n);
    }
    Ok(counts)
}

pub fn sha256_file(path: &Path) -> Result<String, StoreError> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Copies the live database at `db` to `dest` while others keep writing, checks the copy and
/// writes its manifest. `dest` appears only once it is complete and sound.
pub fn snapshot(db: &Path, dest: &Path) -> Result<Manifest, StoreError> {
    let source = open_existing(db)?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let partial = with_suffix(dest, ".partial");
    let _ = std::fs::remove_file(&partial);
    let result = copy_and_check(&source, &partial);
    let (schema_version, tables) = match result {
        Ok(found) => found,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let sha256 = sha256_file(&partial)?;
    let bytes = std::fs::metadata(&partial)?.len();
    std::fs::rename(&partial, dest)?;
    let manifest = Manifest {
        presswork_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version,
        created_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        file: dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes,
        sha256,
        integrity: "ok".to_owned(),
        tables,
    };
    let text = serde_json::to_string_pretty(&manifest).expect("a manifest serializes");
    let manifest_file = manifest_path(dest);
    let partial_manifest = with_suffix(&manifest_file, ".partial");
    std::fs::write(&partial_manifest, text)?;
    std::fs::rename(&partial_manifest, &manifest_file)?;
    Ok(manifest)
}

type Checked = (i64, BTreeMap<String, i64>);

fn copy_and_check(source: &Connection, partial: &Path) -> Result<Checked, StoreError> {
    let mut copy = Connection::open(partial)?;
    {
        let backup = rusqlite::backup::Backup::new(source, &mut copy)?;
        // -1 copies every page in one step: one read transaction, hence one consistent moment.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match backup.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                _ if std::time::Instant::now() > deadline => {
                    return Err(StoreError::Check(
                        "the database stayed busy; no backup was taken".into(),
                    ))
                }
                _ => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        }
    }
    // A backup is one self-contained file: no -wal or -shm beside it.
    copy.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    let problems = integrity_check(&copy)?;
    if !is_ok(&problems) {
        return Err(StoreError::Check(format!(
            "the copy failed its integrity check: {}",
            problems.join("; ")
        )));
    }
    let found = (schema_version_of(&copy)?, table_counts(&copy)?);
    copy.close().map_err(|(_, e)| e)?;
    Ok(found)
}

/// What `presswork check` reports about a database.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub path: PathBuf,
    pub bytes: u64,
    pub integrity: Vec<String>,
    pub foreign_key_problems: i64,
    pub schema_version: i64,
    pub known_schema_version: i64,
    pub tables: BTreeMap<String, i64>,
}

impl Report {
    /// Problems that make the database unsafe to run on, phrased for a person.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !is_ok(&self.integrity) {
            problems.push(format!("integrity: {}", self.integrity.join("; ")));
        }
        if self.foreign_key_problems > 0 {
            problems.push(format!(
                "{} rows point at rows that do not exist",
                self.foreign_key_problems
            ));
        }
        if self.schema_version > self.known_schema_version {
            problems.push(format!(
                "schema version {} is newer than this presswork knows ({})",
                self.schema_version, self.known_schema_version
            ));
        }
        if self.schema_version == 0 {
            problems.push("this is not a presswork database (schema version 0)".into());
        }
        problems
    }
}

/// Checks a database in place (read only; safe while a server runs).
pub fn inspect(conn: &Connection, path: &Path, known: i64) -> Result<Report, StoreError> {
    let foreign_key_problems: i64 =
        conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })?;
    Ok(Report {
        path: path.to_owned(),
        bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        integrity: integrity_check(conn)?,
        foreign_key_problems,
        schema_version: schema_version_of(conn)?,
        known_schema_version: known,
        tables: table_counts(conn)?,
    })
}
