//! Safe schema upgrades: before any step runs on an existing database, a verified snapshot
//! is taken, so an upgrade can always be undone with `restore`. `serve`, `migrate` and the
//! other verbs all open the database through here.

use super::backup::{open_existing, snapshot};
use super::migrations::{migrate_to, pending, Pending, Schema};
use super::StoreError;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Upgrade {
    pub pending: Pending,
    /// The snapshot taken before migrating, when there was something to keep safe.
    pub snapshot: Option<PathBuf>,
}

/// What migrating would do; a missing database counts as fresh.
pub fn check(db: &Path, schema: &Schema) -> Result<Pending, StoreError> {
    if !db.exists() {
        return Ok(Pending {
            from: 0,
            to: schema.version,
        });
    }
    pending(&open_existing(db)?, schema)
}

/// Applies pending steps, after a snapshot into `backups` when the database holds data.
pub fn migrate_safely(db: &Path, backups: &Path, schema: &Schema) -> Result<Upgrade, StoreError> {
    let plan = check(db, schema)?;
    if plan.from == plan.to || !db.exists() {
        return Ok(Upgrade {
            pending: Pending {
                from: plan.from,
                to: plan.from,
            },
            snapshot: None,
        });
    }
    let snapshot_file = if plan.is_fresh() {
        None
    } else {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let dest = backups.join(format!(
            "presswork-pre-migrate-v{}-to-v{}-{stamp}.db",
            plan.from, plan.to
        ));
        snapshot(db, &dest)?;
        Some(dest)
    };
    let mut conn = open_existing(db)?;
    let done = migrate_to(&mut conn, schema)?;
    Ok(Upgrade {
        pending: done,
        snapshot: snapshot_file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::backup::read_manifest;

    #[test]
    fn an_upgrade_snapshots_first_and_a_failed_one_leaves_the_snapshot_and_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("presswork.db");
        let v1 = Schema {
            version: 1,
            fresh: "CREATE TABLE work_orders (id INTEGER PRIMARY KEY, number TEXT);",
            steps: &[],
        };
        let fresh = migrate_safely(&db, dir.path(), &v1).unwrap();
        assert!(fresh.snapshot.is_none(), "nothing to keep safe yet");
        let mut conn = crate::store::pool::open_connection(&db).unwrap();
        migrate_to(&mut conn, &v1).unwrap();
        conn.execute("INSERT INTO work_orders (number) VALUES ('202611001')", [])
            .unwrap();
        drop(conn);

        let broken = Schema {
            version: 2,
            fresh: "",
            steps: &["ALTER TABLE missing ADD COLUMN x"],
        };
        assert!(migrate_safely(&db, dir.path(), &broken).is_err());
        assert_eq!(check(&db, &v1).unwrap(), Pending { from: 1, to: 1 });

        let v2 = Schema {
            version: 2,
            fresh: "",
            steps: &["ALTER TABLE work_orders ADD COLUMN customer TEXT"],
        };
        let done = migrate_safely(&db, dir.path(), &v2).unwrap();
        assert_eq!(done.pending, Pending { from: 1, to: 2 });
        let snap = done.snapshot.expect("a snapshot before the step");
        let manifest = read_manifest(&snap).unwrap().expect("manifest");
        assert_eq!(manifest.schema_version, 1);
        assert_eq!(manifest.tables["work_orders"], 1);
    }
}
