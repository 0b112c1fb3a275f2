use super::*;
use crate::store::schema_version_of;

const V1: Schema = Schema {
    version: 1,
    fresh: "CREATE TABLE work_orders (id INTEGER PRIMARY KEY, number TEXT);",
    steps: &[],
};

const V2: Schema = Schema {
    version: 2,
    fresh: "",
    steps: &["ALTER TABLE work_orders ADD COLUMN customer TEXT"],
};

#[test]
fn a_verb_beside_the_server_refuses_a_database_that_needs_migrating_and_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::with_data_dir(dir.path().to_owned());
    let mut conn = rusqlite::Connection::open(config.db_path()).unwrap();
    crate::store::migrations::migrate_to(&mut conn, &V1).unwrap();
    drop(conn);

    let err = format!("{:#}", open_current_with(&config, &V2).err().unwrap());
    assert!(err.contains("schema version 1"), "{err}");
    assert!(err.contains("run `presswork migrate` first"), "{err}");
    let conn = rusqlite::Connection::open(config.db_path()).unwrap();
    assert_eq!(schema_version_of(&conn).unwrap(), 1, "not migrated");
    assert!(!config.backups().exists(), "not even a snapshot was taken");
}

#[test]
fn a_new_database_is_only_created_under_the_data_dir_lock() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::with_data_dir(dir.path().to_owned());
    let held = lock::acquire(&config.lock_path()).unwrap();
    let err = format!("{:#}", open_current(&config).err().unwrap());
    assert!(err.starts_with("creating the database: "), "{err}");
    assert!(!config.db_path().exists());
    drop(held);
    open_current(&config).unwrap();
    assert!(config.db_path().exists());
}
