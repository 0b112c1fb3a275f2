//! The health check: a real round trip to the database, not just "the process is up".

use super::Error;
use crate::store::{schema_version_of, Store};
use serde::Serialize;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Health {
    pub status: &'static str,
    pub schema_version: i64,
    pub version: &'static str,
}

pub async fn check(store: &Store) -> Result<Health, Error> {
    store
        .read(|conn| {
            let schema_version = schema_version_of(conn)?;
            conn.query_row("SELECT COUNT(*) FROM departments", [], |r| {
                r.get::<_, i64>(0)
            })?;
            Ok(Health {
                status: "ok",
                schema_version,
                version: env!("CARGO_PKG_VERSION"),
            })
        })
        .await
}
