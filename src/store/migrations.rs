//! Schema versions: `schema.sql` for a fresh database, numbered steps for older ones.
//! Tracks `PRAGMA user_version` and refuses a database newer than this binary. The runner
//! takes the schema as a value so tests can drive it with synthetic steps.

use super::StoreError;
use rusqlite::Connection;

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = include_str!("../../schema.sql");

/// Steps from version N-1 to N, for databases made by older releases. Index 0 is version 2.
const STEPS: &[&str] = &[include_str!("steps/v2_routing.sql")];

/// A schema: the whole of it for a fresh database, and the steps that bring older ones here.
#[derive(Debug, Clone, Copy)]
pub struct Schema<'a> {
    pub version: i64,
    pub fresh: &'a str,
    /// `steps[i]` moves a database from version `i + 1` to `i + 2`.
    pub steps: &'a [&'a str],
}

/// The schema this binary knows.
pub const CURRENT: Schema<'static> = Schema {
    version: SCHEMA_VERSION,
    fresh: SCHEMA,
    steps: STEPS,
};

/// What a migration would do (or did).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub from: i64,
    pub to: i64,
}

impl Pending {
    /// A brand-new database gets the whole schema at once; there is nothing to keep safe.
    pub fn is_fresh(&self) -> bool {
        self.from == 0
    }

    pub fn steps(&self) -> i64 {
        if self.is_fresh() {
            (self.to > 0) as i64
        } else {
            self.to - self.from
        }
    }
}

pub fn schema_version_of(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// What migrating to `schema` would do; refuses a database newer than it.
pub fn pending(conn: &Connection, schema: &Schema) -> Result<Pending, StoreError> {
    let found = schema_version_of(conn)?;
    if found > schema.version {
        return Err(StoreError::SchemaTooNew {
            found,
            known: schema.version,
        });
    }
    Ok(Pending {
        from: found,
        to: schema.version,
    })
}

/// Brings the database to [`SCHEMA_VERSION`] in one transaction: a failed step leaves it as it was.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, &CURRENT).map(|_| ())
}

/// Brings the database to `schema.version` in one transaction, or leaves it exactly as it was.
pub fn migrate_to(conn: &mut Connection, schema: &Schema) -> Result<Pending, StoreError> {
    assert_eq!(
        schema.steps.len() as i64,
        (schema.version - 1).max(0),
        "one step per version after the first"
    );
    let plan = pending(conn, schema)?;
    if plan.from == plan.to {
        return Ok(plan);
    }
    // Steps may rebuild tables others refer to, which SQLite allows only with foreign keys
    // off (it cannot change inside a transaction); they are checked before the commit instead.
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let result = run_steps(conn, schema);
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    result
}

fn run_steps(conn: &mut Connection, schema: &Schema) -> Result<Pending, StoreError> {
    let tx = rusqlite::Transaction::new(conn, rusqlite::TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the lock.
    let plan = pending(&tx, schema)?;
    if plan.from == 0 {
        tx.execute_batch(schema.fresh)?;
    } else {
        for (i, step) in schema.steps[(plan.from as usize - 1)..].iter().enumerate() {
            tx.execute_batch(step).map_err(|e| {
                StoreError::Check(format!(
                    "migration to schema version {} failed, nothing was changed: {e}",
                    plan.from + i as i64 + 1
                ))
            })?;
        }
    }
    let broken: i64 = tx.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        return Err(StoreError::Check(format!(
            "migration to schema version {} would leave {broken} broken references; nothing was changed",
            schema.version
        )));
    }
    tx.pragma_update(None, "user_version", schema.version)?;
    tx.commit()?;
    Ok(plan)
}

/// How many steps `migrate` would apply.
pub fn pending_steps(conn: &Connection) -> Result<i64, rusqlite::Error> {
    Ok((SCHEMA_VERSION - schema_version_of(conn)?).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: Schema = Schema {
        version: 1,
        fresh: "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL);",
        steps: &[],
    };

    fn db_at_v1(dir: &tempfile::TempDir) -> Connection {
        let mut conn = super::super::pool::open_connection(&dir.path().join("t.db")).unwrap();
        migrate_to(&mut conn, &V1).unwrap();
        conn.execute("INSERT INTO orders (customer) VALUES ('华彩')", [])
            .unwrap();
        conn
    }

    fn columns(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM pragma_table_info('orders')")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn an_old_database_gets_the_missing_steps_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = db_at_v1(&dir);
        let v3 = Schema {
            version: 3,
            fresh: "unused for an existing database",
            steps: &[
                "ALTER TABLE orders ADD COLUMN due TEXT NOT NULL DEFAULT ''",
                "CREATE INDEX orders_by_due ON orders(due)",
            ],
        };
        assert_eq!(pending(&conn, &v3).unwrap(), Pending { from: 1, to: 3 });
        assert_eq!(migrate_to(&mut conn, &v3).unwrap().steps(), 2);
        assert_eq!(schema_version_of(&conn).unwrap(), 3);
        assert_eq!(columns(&conn), ["id", "customer", "due"]);
        let kept: String = conn
            .query_row("SELECT customer FROM orders", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, "华彩");
        assert_eq!(migrate_to(&mut conn, &v3).unwrap().steps(), 0);
    }

    #[test]
    fn a_failing_step_leaves_the_database_exactly_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = db_at_v1(&dir);
        let broken = Schema {
            version: 3,
            fresh: "",
            steps: &[
                "ALTER TABLE orders ADD COLUMN due TEXT",
                "ALTER TABLE no_such_table ADD COLUMN x",
            ],
        };
        let err = migrate_to(&mut conn, &broken).unwrap_err().to_string();
        assert!(err.contains("version 3"), "{err}");
        assert_eq!(schema_version_of(&conn).unwrap(), 1);
        assert_eq!(
            columns(&conn),
            ["id", "customer"],
            "step 2 was rolled back too"
        );
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = db_at_v1(&dir);
        conn.pragma_update(None, "user_version", 9).unwrap();
        match migrate_to(&mut conn, &V1) {
            Err(StoreError::SchemaTooNew { found: 9, known: 1 }) => {}
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
    }

    #[test]
    fn the_real_schema_applies_to_a_fresh_database() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = super::super::pool::open_connection(&dir.path().join("t.db")).unwrap();
        let plan = migrate_to(&mut conn, &CURRENT).unwrap();
        assert!(plan.is_fresh());
        assert_eq!(schema_version_of(&conn).unwrap(), SCHEMA_VERSION);
    }
}
