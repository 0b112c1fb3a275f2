//! Scheduled backups: every `backup.every` (a day by default) the server snapshots its own
//! database into the backup dir and keeps the newest `backup.keep` of these. Manual backups
//! and pre-migration snapshots have other names and are never deleted here.

use crate::shutdown::Shutdown;
use crate::store::backup::{manifest_path, read_manifest, snapshot, Manifest};
use crate::store::StoreError;
use crate::App;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

pub const AUTO_PREFIX: &str = "presswork-auto-";

/// After a failed backup, try again this soon (or at the normal period if that is sooner).
const RETRY_AFTER: Duration = Duration::from_secs(600);

pub async fn run(app: App, mut shutdown: Shutdown) {
    let Some(every) = app.config.backup_every else {
        tracing::info!("scheduled backups are off");
        return;
    };
    let dir = app.config.backups();
    let db = app.config.db_path();
    let keep = app.config.backup_keep;
    loop {
        let wait = until_due(&dir, every);
        tokio::select! {
            _ = shutdown.wait() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        let (db, dir) = (db.clone(), dir.clone());
        let taken = tokio::task::spawn_blocking(move || take(&db, &dir, keep)).await;
        match taken {
            Ok(Ok((file, manifest, pruned))) => {
                app.metrics.backup_taken(true);
                tracing::info!(file = %file.display(), bytes = manifest.bytes, pruned = pruned.len(), "scheduled backup taken");
            }
            failed => {
                app.metrics.backup_taken(false);
                let error = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => "the backup task panicked".to_owned(),
                };
                tracing::error!(%error, "scheduled backup failed");
                tokio::select! {
                    _ = shutdown.wait() => return,
                    _ = tokio::time::sleep(RETRY_AFTER.min(every)) => {}
                }
            }
        }
    }
}

/// Sets `/metrics`' last-backup time from the newest scheduled backup on disk, so a restart
/// does not report "never" until the next one is due.
pub fn note_newest(app: &App) {
    if let Some(at) = newest_taken_at(&app.config.backups()) {
        app.metrics.backup_seen(at);
    }
}

/// When the newest scheduled backup in `dir` was taken, in Unix seconds: its manifest's
/// `created_at`, or the file's modification time without a readable manifest.
pub fn newest_taken_at(dir: &Path) -> Option<i64> {
    let newest = scheduled_backups(dir).pop()?;
    let from_manifest = read_manifest(&newest)
        .ok()
        .flatten()
        .and_then(|m| chrono::DateTime::parse_from_rfc3339(&m.created_at).ok())
        .map(|t| t.timestamp());
    from_manifest.or_else(|| {
        let modified = std::fs::metadata(&newest).ok()?.modified().ok()?;
        let secs = modified
            .duration_since(SystemTime::UNIX_EPOCH)
            .ok()?
            .as_secs();
        i64::try_from(secs).ok()
    })
}

/// The scheduled backups in `dir`, oldest first (their names sort by time).
pub fn scheduled_backups(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(AUTO_PREFIX) && n.ends_with(".db"))
        })
        .collect();
    files.sort();
    files
}

/// How long until the next backup is due: `every` after the newest one, or now.
fn until_due(dir: &Path, every: Duration) -> Duration {
    let newest = scheduled_backups(dir)
        .last()
        .and_then(|f| std::fs::metadata(f).ok())
        .and_then(|m| m.modified().ok());
    match newest {
        Some(at) => {
            let age = SystemTime::now().duration_since(at).unwrap_or_default();
            every.saturating_sub(age)
        }
        None => Duration::ZERO,
    }
}

/// Takes one scheduled backup and deletes the oldest beyond `keep`.
pub fn take(
    db: &Path,
    dir: &Path,
    keep: usize,
) -> Result<(PathBuf, Manifest, Vec<PathBuf>), StoreError> {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S%3f");
    let file = dir.join(format!("{AUTO_PREFIX}{stamp}.db"));
    let manifest = snapshot(db, &file)?;
    let all = scheduled_backups(dir);
    let excess = all.len().saturating_sub(keep.max(1));
    let mut pruned = Vec::new();
    for old in all.into_iter().take(excess) {
        std::fs::remove_file(&old)?;
        let _ = std::fs::remove_file(manifest_path(&old));
        pruned.push(old);
    }
    Ok((file, manifest, pruned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_and_never_touches_other_backups() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("presswork.db");
        crate::store::Store::open(&db).unwrap();
        let backups = dir.path().join("backups");
        std::fs::create_dir_all(&backups).unwrap();
        std::fs::write(backups.join("presswork-manual.db"), "mine").unwrap();
        let mut taken = Vec::new();
        for _ in 0..4 {
            taken.push(take(&db, &backups, 2).unwrap().0);
            std::thread::sleep(Duration::from_millis(2));
        }
        assert_eq!(scheduled_backups(&backups), taken[2..]);
        assert!(backups.join("presswork-manual.db").exists());
        assert!(!manifest_path(&taken[0]).exists());
        assert!(manifest_path(&taken[3]).exists());
        assert!(until_due(&backups, Duration::from_secs(3600)) > Duration::from_secs(3500));

        let manifest = read_manifest(&taken[3]).unwrap().unwrap();
        let created = chrono::DateTime::parse_from_rfc3339(&manifest.created_at).unwrap();
        assert_eq!(newest_taken_at(&backups), Some(created.timestamp()));
        // Without its manifest, the file's own time stands in.
        std::fs::remove_file(manifest_path(&taken[3])).unwrap();
        let now = chrono::Utc::now().timestamp();
        let at = newest_taken_at(&backups).unwrap();
        assert!((now - 60..=now).contains(&at), "{at} vs {now}");
        assert_eq!(newest_taken_at(&dir.path().join("none")), None);
    }
}
