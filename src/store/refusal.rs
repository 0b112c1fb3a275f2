//! Why the disk refuses writes: telling a read-only data directory from a full or failing disk,
//! from what SQLite and the OS report. It classifies; the service decides what users are told.

use rusqlite::{ffi, Connection};
use std::sync::atomic::{AtomicU8, Ordering};

/// A reason every write fails for now, while reads may still work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The data directory was read-only when the server started; it serves reads only.
    ReadOnlyAtStart,
    /// The file system turned read-only under the running server.
    ReadOnly,
    DiskFull,
    /// Any other I/O error while writing (a failing disk, a lost network share).
    DiskFailing,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::ReadOnlyAtStart => "the data directory was read-only at start",
            Refusal::ReadOnly => "the data directory is read-only",
            Refusal::DiskFull => "the disk is full",
            Refusal::DiskFailing => "the disk failed to write",
        })
    }
}

impl Refusal {
    /// What a failed write on `conn` says about the disk, read from the connection's last error
    /// right after the failure. `None` when the failure was not the disk's (a constraint, a bug).
    pub fn of(conn: &Connection) -> Option<Refusal> {
        // SAFETY: both calls only read fields of the live connection handle `conn` owns; the
        // handle is not kept and no other thread uses this connection meanwhile.
        let (code, errno) = unsafe {
            let handle = conn.handle();
            (
                ffi::sqlite3_extended_errcode(handle),
                ffi::sqlite3_system_errno(handle),
            )
        };
        Refusal::from_codes(code, errno)
    }

    /// The same from a SQLite (extended) result code and the OS error SQLite recorded with it,
    /// which for an `SQLITE_IOERR_*` is what tells a read-only file system from a broken disk.
    pub fn from_codes(code: i32, errno: i32) -> Option<Refusal> {
        match code & 0xff {
            ffi::SQLITE_FULL => Some(Refusal::DiskFull),
            ffi::SQLITE_READONLY => Some(Refusal::ReadOnly),
            primary @ (ffi::SQLITE_IOERR | ffi::SQLITE_CANTOPEN) => Some(match errno {
                e if is_read_only_errno(e) => Refusal::ReadOnly,
                e if is_full_errno(e) => Refusal::DiskFull,
                // A file SQLite needs (a -wal, a -shm) could not be created or opened.
                _ if primary == ffi::SQLITE_CANTOPEN => Refusal::ReadOnly,
                _ => Refusal::DiskFailing,
            }),
            _ => None,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            Refusal::ReadOnlyAtStart => 1,
            Refusal::ReadOnly => 2,
            Refusal::DiskFull => 3,
            Refusal::DiskFailing => 4,
        }
    }

    fn from_u8(n: u8) -> Option<Refusal> {
        match n {
            1 => Some(Refusal::ReadOnlyAtStart),
            2 => Some(Refusal::ReadOnly),
            3 => Some(Refusal::DiskFull),
            4 => Some(Refusal::DiskFailing),
            _ => None,
        }
    }
}

#[cfg(unix)]
fn is_read_only_errno(errno: i32) -> bool {
    matches!(errno, libc::EROFS | libc::EACCES | libc::EPERM)
}

#[cfg(unix)]
fn is_full_errno(errno: i32) -> bool {
    errno == libc::ENOSPC || errno == libc::EDQUOT
}

#[cfg(not(unix))]
fn is_read_only_errno(errno: i32) -> bool {
    // ERROR_WRITE_PROTECT, ERROR_ACCESS_DENIED
    errno == 19 || errno == 5
}

#[cfg(not(unix))]
fn is_full_errno(errno: i32) -> bool {
    // ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
    errno == 39 || errno == 112
}

/// Whether opening a file for writing failed because the place cannot be written at all.
pub fn is_read_only_io(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
    )
}

/// The outcome of the latest write, shared by the writer (which sets it) and health checks.
#[derive(Debug, Default)]
pub struct LastRefusal(AtomicU8);

impl LastRefusal {
    pub fn new(refusal: Option<Refusal>) -> LastRefusal {
        LastRefusal(AtomicU8::new(refusal.map_or(0, Refusal::to_u8)))
    }

    pub fn set(&self, refusal: Option<Refusal>) {
        self.0
            .store(refusal.map_or(0, Refusal::to_u8), Ordering::Relaxed);
    }

    pub fn get(&self) -> Option<Refusal> {
        Refusal::from_u8(self.0.load(Ordering::Relaxed))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_os_error_tells_read_only_from_full_from_failing() {
        let write = ffi::SQLITE_IOERR_WRITE;
        assert_eq!(
            Refusal::from_codes(write, libc::EROFS),
            Some(Refusal::ReadOnly)
        );
        assert_eq!(
            Refusal::from_codes(ffi::SQLITE_IOERR_FSYNC, libc::ENOSPC),
            Some(Refusal::DiskFull)
        );
        assert_eq!(
            Refusal::from_codes(write, libc::EIO),
            Some(Refusal::DiskFailing)
        );
        assert_eq!(
            Refusal::from_codes(ffi::SQLITE_FULL, 0),
            Some(Refusal::DiskFull)
        );
        assert_eq!(
            Refusal::from_codes(ffi::SQLITE_READONLY_DBMOVED, 0),
            Some(Refusal::ReadOnly)
        );
        assert_eq!(
            Refusal::from_codes(ffi::SQLITE_CANTOPEN, 0),
            Some(Refusal::ReadOnly)
        );
        assert_eq!(
            Refusal::from_codes(ffi::SQLITE_CONSTRAINT_UNIQUE, libc::EROFS),
            None
        );
    }

    #[test]
    fn the_last_refusal_round_trips() {
        let last = LastRefusal::new(None);
        for r in [
            Refusal::ReadOnlyAtStart,
            Refusal::ReadOnly,
            Refusal::DiskFull,
            Refusal::DiskFailing,
        ] {
            last.set(Some(r));
            assert_eq!(last.get(), Some(r));
        }
        last.set(None);
        assert_eq!(last.get(), None);
    }
}
