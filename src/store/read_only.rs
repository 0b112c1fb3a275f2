//! Opening a database whose directory cannot be written, for reading only. It opens
//! connections; deciding to serve read-only is `serve`'s.
//!
//! SQLite in WAL mode reads through the `-shm` index, which a read-only directory cannot
//! create. So (SQLite ≥ 3.22):
//! - when `-wal` and `-shm` exist (the last server did not stop cleanly), a plain read-only
//!   open works: SQLite builds the index in memory and reads the WAL's changes too;
//! - when they do not (a clean stop folds the WAL back and deletes both), the file is opened
//!   with `immutable=1`: no locks and no WAL, of which there is none to miss;
//! - when the `-wal` holds changes that cannot be read, opening is refused, because serving
//!   the main file alone would show stale data as if it were current.

use super::pool::{pool_of, PoolWaits, ReadPool, BUSY_TIMEOUT};
use super::StoreError;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const FLAGS: OpenFlags = OpenFlags::SQLITE_OPEN_READ_ONLY
    .union(OpenFlags::SQLITE_OPEN_NO_MUTEX)
    .union(OpenFlags::SQLITE_OPEN_URI);

fn apply_pragmas(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // No journal_mode or synchronous here: setting either may need a write.
    conn.execute_batch(
        "PRAGMA query_only = ON;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;",
    )
}

/// Opens `path` read-only: one connection (for the caller's own checks) and the read pool.
pub fn open(path: &Path, waits: Arc<PoolWaits>) -> Result<(Connection, ReadPool), StoreError> {
    if !path.is_file() {
        return Err(StoreError::Check(format!(
            "there is no database at {}, and a read-only directory cannot hold a new one; \
             start presswork once with a writable data directory",
            path.display()
        )));
    }
    let uri = match first_read(&uri_of(path, false)) {
        Ok(conn) => {
            tracing::info!("reading the database read-only, with its write-ahead log");
            return Ok((conn, pool(uri_of(path, false), waits)?));
        }
        Err(e) if cannot_open(&e) => unreadable_wal(path).map(|_| uri_of(path, true))?,
        Err(e) => return Err(e.into()),
    };
    tracing::info!("reading the database as an immutable file (it has no write-ahead log)");
    let conn = first_read(&uri)?;
    Ok((conn, pool(uri, waits)?))
}

fn pool(uri: String, waits: Arc<PoolWaits>) -> Result<ReadPool, StoreError> {
    let manager = SqliteConnectionManager::file(uri)
        .with_flags(FLAGS)
        .with_init(|c| apply_pragmas(c));
    pool_of(manager, waits)
}

/// Opens and reads once: SQLite opens the WAL files lazily, at the first read.
fn first_read(uri: &str) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open_with_flags(uri, FLAGS)?;
    apply_pragmas(&conn)?;
    conn.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })?;
    Ok(conn)
}

fn cannot_open(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly)
    )
}

/// Ok when there is no WAL content to miss; the refusal when there is.
fn unreadable_wal(path: &Path) -> Result<(), StoreError> {
    let wal = suffixed(path, "-wal");
    match std::fs::metadata(&wal) {
        Ok(meta) if meta.len() > 0 => Err(StoreError::Check(format!(
            "{} holds changes not yet folded into the database (the last server did not stop \
             cleanly), and they cannot be read while the directory is read-only; make the data \
             directory writable and start presswork once to fold them in",
            wal.display()
        ))),
        _ => Ok(()),
    }
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A `file:` URI for `path` (percent-encoded, so any file name works), opened read-only.
fn uri_of(path: &Path, immutable: bool) -> String {
    let mut uri = String::from("file:");
    for byte in path_bytes(path) {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri.push_str("?mode=ro");
    if immutable {
        uri.push_str("&immutable=1");
    }
    uri
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    // SQLite wants `file:/C:/dir/db` on Windows.
    let text = path.to_string_lossy().replace('\\', "/");
    let rooted = if text.starts_with('/') {
        text
    } else {
        format!("/{text}")
    };
    rooted.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_file_names_survive_the_uri() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a dir?#%&=").join("press work.db");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (7);",
        )
        .unwrap();
        // Open while the writer still holds the WAL: the plain read-only form reads it.
        let (reader, _pool) = open(&path, Arc::default()).unwrap();
        let x: i64 = reader
            .query_row("SELECT x FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(x, 7);
        assert!(reader.execute("INSERT INTO t VALUES (8)", []).is_err());
        drop(conn);
    }

    #[test]
    fn a_missing_database_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("presswork.db");
        assert!(matches!(
            open(&path, Arc::default()),
            Err(StoreError::Check(_))
        ));
        assert!(!path.exists());
    }
}
