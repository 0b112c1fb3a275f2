//! The data-dir lock: a server holds an OS lock on `presswork.lock` (with its pid inside) for
//! as long as it runs, so `restore` can refuse to swap the database under it. The OS drops the
//! lock when the process ends, even on a crash, so a leftover file with a dead pid is stale
//! by construction and is simply taken over.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("a presswork server{} is using {}; stop it first", pid_text(*.pid), .path.display())]
    Held { pid: Option<u32>, path: PathBuf },
    #[error("the lock file {}", .path.display())] // `source` carries the cause
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn pid_text(pid: Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}

/// Held while alive; dropping it releases the lock and clears the pid.
#[derive(Debug)]
pub struct DataDirLock {
    file: File,
    /// The pid a crashed process left behind, if this lock took over a stale file.
    pub stale_pid: Option<u32>,
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// Takes the lock for this process, or says who holds it.
pub fn acquire(path: &Path) -> Result<DataDirLock, LockError> {
    let io = |source| LockError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(LockError::Held {
                pid: read_pid(&mut file),
                path: path.parent().unwrap_or(path).to_owned(),
            })
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    let stale_pid = read_pid(&mut file).filter(|p| *p != std::process::id());
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(DataDirLock { file, stale_pid })
}

/// For a server on a read-only data dir: a shared lock on the existing lock file, which a
/// read-only file can take. `restore` (which needs the exclusive lock) is then refused as
/// usual, and a server already holding the directory is found. `None` when there is no file.
pub fn share(path: &Path) -> Result<Option<DataDirLock>, LockError> {
    let io = |source| LockError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(Some(DataDirLock {
            file,
            stale_pid: None,
        })),
        Err(TryLockError::WouldBlock) => Err(LockError::Held {
            pid: read_pid(&mut file),
            path: path.parent().unwrap_or(path).to_owned(),
        }),
        Err(TryLockError::Error(e)) => Err(io(e)),
    }
}

impl Drop for DataDirLock {
    fn drop(&mut self) {
        // The file stays (deleting it would race with a process opening it); an empty file
        // without a lock on it means "nobody".
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_a_released_lock_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("presswork.lock");
        let first = acquire(&path).unwrap();
        match acquire(&path) {
            Err(LockError::Held { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(first);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        acquire(&path).unwrap();
    }

    #[test]
    fn a_shared_holder_keeps_the_exclusive_lock_away() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("presswork.lock");
        assert!(share(&path).unwrap().is_none(), "no file, nothing to share");
        drop(acquire(&path).unwrap());
        let shared = share(&path).unwrap().expect("a shared lock");
        assert!(matches!(acquire(&path), Err(LockError::Held { .. })));
        drop(shared);
        let held = acquire(&path).unwrap();
        assert!(matches!(share(&path), Err(LockError::Held { .. })));
        drop(held);
    }

    #[test]
    fn a_file_left_by_a_dead_process_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("presswork.lock");
        std::fs::write(&path, "999999\n").unwrap();
        let lock = acquire(&path).unwrap();
        assert_eq!(lock.stale_pid, Some(999999));
    }
}
