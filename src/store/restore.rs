//! Restoring a backup: verify the file (manifest checksum, integrity, schema not newer than
//! this binary), move the current database aside (never delete it), put the backup in place.
//! Requires the data-dir lock, so no server can hold the database meanwhile.

use super::backup::{
    integrity_check, is_ok, open_existing, read_manifest, sha256_file, table_counts,
};
use super::lock::DataDirLock;
use super::migrations::schema_version_of;
use super::StoreError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a restore did, for the operator to read.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub source: PathBuf,
    pub sha256: String,
    /// True when a manifest was found beside the file and its checksum matched.
    pub manifest_checked: bool,
    pub schema_version: i64,
    pub tables: BTreeMap<String, i64>,
    /// Where the replaced database (and its -wal/-shm) went.
    pub moved_aside: Vec<PathBuf>,
    pub restored_to: PathBuf,
}

fn sidecars(db: &Path) -> [PathBuf; 3] {
    let with = |s: &str| {
        let mut n = db.as_os_str().to_owned();
        n.push(s);
        PathBuf::from(n)
    };
    [db.to_owned(), with("-wal"), with("-shm")]
}

fn bad(message: String) -> StoreError {
    StoreError::Check(message)
}

/// Restores `file` as the database at `db`. Nothing changes unless every check passes.
pub fn restore(
    file: &Path,
    db: &Path,
    known_schema: i64,
    _held: &DataDirLock,
) -> Result<RestoreReport, StoreError> {
    if !file.is_file() {
        return Err(bad(format!(
            "there is no backup file at {}",
            file.display()
        )));
    }
    let sha256 = sha256_file(file)?;
    let manifest = read_manifest(file)?;
    if let Some(m) = &manifest {
        if m.sha256 != sha256 {
            return Err(bad(format!(
                "{} does not match its manifest (sha256 {} expected, {} found); the file is damaged or was changed",
                file.display(), m.sha256, sha256
            )));
        }
    }
    // Checks run on a private copy, so the backup itself is never opened for writing.
    let staging = sidecars(db)[0].with_extension("db.restoring");
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(file, &staging)?;
    let checked = check_copy(&staging, known_schema);
    let (schema_version, tables) = match checked {
        Ok(found) => found,
        Err(e) => {
            let _ = std::fs::remove_file(&staging);
            return Err(e);
        }
    };
    let moved_aside = move_aside(db)?;
    std::fs::rename(&staging, db)?;
    sync_dir(db);
    Ok(RestoreReport {
        source: file.to_owned(),
        sha256,
        manifest_checked: manifest.is_some(),
        schema_version,
        tables,
        moved_aside,
        restored_to: db.to_owned(),
    })
}

fn check_copy(
    staging: &Path,
    known_schema: i64,
) -> Result<(i64, BTreeMap<String, i64>), StoreError> {
    let conn = open_existing(staging).map_err(|e| bad(format!("not a database: {e}")))?;
    let problems =
        integrity_check(&conn).map_err(|e| bad(format!("not a presswork database: {e}")))?;
    if !is_ok(&problems) {
        return Err(bad(format!(
            "the backup failed its integrity check: {}",
            problems.join("; ")
        )));
    }
    let version = schema_version_of(&conn)?;
    if version > known_schema {
        return Err(StoreError::SchemaTooNew {
            found: version,
            known: known_schema,
        });
    }
    let tables = table_counts(&conn)?;
    if version == 0 || !tables.contains_key("work_orders") {
        return Err(bad("this file is not a presswork database".into()));
    }
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    drop(conn);
    Ok((version, tables))
}

/// Moves the current database and its WAL files into `replaced/` beside it, keeping their
/// names together so the set still opens as one database.
fn move_aside(db: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let files = sidecars(db);
    if !files.iter().any(|f| f.exists()) {
        return Ok(Vec::new());
    }
    let dir = db.parent().unwrap_or(Path::new(".")).join("replaced");
    std::fs::create_dir_all(&dir)?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let mut base = format!("presswork-before-restore-{stamp}");
    let mut n = 1;
    while dir.join(format!("{base}.db")).exists() {
        n += 1;
        base = format!("presswork-before-restore-{stamp}-{n}");
    }
    let mut moved = Vec::new();
    for (file, suffix) in files.iter().zip(["", "-wal", "-shm"]) {
        if file.exists() {
            let to = dir.join(format!("{base}.db{suffix}"));
            std::fs::rename(file, &to)?;
            moved.push(to);
        }
    }
    Ok(moved)
}

/// Makes the renames durable (best effort: not every platform can fsync a directory).
fn sync_dir(db: &Path) {
    #[cfg(unix)]
    if let Some(dir) = db.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = db;
}
