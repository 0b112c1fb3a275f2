//! The health check: a real round trip to the database, not just "the process is up", and
//! whether writes work, as of the latest write that reached the disk.

use super::error::refusal_message;
use super::Error;
use crate::store::{schema_version_of, Store};
use serde::Serialize;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Health {
    pub status: &'static str,
    pub schema_version: i64,
    pub version: &'static str,
    /// False while the disk refuses writes (read-only, full, failing): reads still work.
    pub writable: bool,
    /// Why writes fail, when they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_error: Option<&'static str>,
}

pub async fn check(store: &Store) -> Result<Health, Error> {
    let refusal = store.write_refusal();
    store
        .read(move |conn| {
            let schema_version = schema_version_of(conn)?;
            conn.query_row("SELECT COUNT(*) FROM departments", [], |r| {
                r.get::<_, i64>(0)
            })?;
            Ok(Health {
                status: "ok",
                schema_version,
                version: env!("CARGO_PKG_VERSION"),
                writable: refusal.is_none(),
                write_error: refusal.map(refusal_message),
            })
        })
        .await
}
