//! Schema versions: `schema.sql` for a fresh database, numbered steps for older ones.
//! Tracks `PRAGMA user_version` and refuses a database newer than this binary.

use super::StoreError;
use rusqlite::Connection;

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = include_str!("../../schema.sql");

/// Steps from version N-1 to N, for databases made by older releases. Index 0 is version 2.
const STEPS: &[&str] = &[];

pub fn schema_version_of(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the database to [`SCHEMA_VERSION`] in one transaction: a failed step leaves it as it was.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = schema_version_of(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new(conn, rusqlite::TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the lock.
    let found = schema_version_of(&tx)?;
    if found == 0 {
        tx.execute_batch(SCHEMA)?;
    } else {
        for step in &STEPS[(found as usize - 1)..] {
            tx.execute_batch(step)?;
        }
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// How many steps `migrate` would apply.
pub fn pending_steps(conn: &Connection) -> Result<i64, rusqlite::Error> {
    Ok((SCHEMA_VERSION - schema_version_of(conn)?).max(0))
}
