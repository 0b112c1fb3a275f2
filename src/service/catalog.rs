//! The shop's departments and process catalogue: reads, and lookups the other services use
//! inside their transactions.

use super::{Actor, Error};
use crate::domain::flow::Unit;
use crate::store::Store;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Department {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub strategy: String,
    pub auto_assign_delay_s: i64,
    pub wip_cap: Option<i64>,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Process {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub department_id: i64,
    pub sequence: i64,
    pub parallel: bool,
    pub active: bool,
    /// What it counts: plates, sheets or pieces.
    pub unit: Unit,
    /// Lines of processes with the same default step run side by side; the sequence if unset.
    pub default_step: i64,
    /// The order gates it waits for (codes).
    pub gates: Vec<String>,
}

const PROCESS_SELECT: &str = "SELECT id, code, name_zh, name_en, department_id, sequence, parallel,
        active, unit, COALESCE(default_step, sequence),
        (SELECT json_group_array(g.gate_code) FROM process_gates g WHERE g.process_id = processes.id)
    FROM processes";

fn process_from_row(r: &rusqlite::Row<'_>) -> Result<Process, rusqlite::Error> {
    Ok(Process {
        id: r.get(0)?,
        code: r.get(1)?,
        name_zh: r.get(2)?,
        name_en: r.get(3)?,
        department_id: r.get(4)?,
        sequence: r.get(5)?,
        parallel: r.get(6)?,
        active: r.get(7)?,
        unit: r.get::<_, String>(8)?.parse().unwrap_or(Unit::Piece),
        default_step: r.get(9)?,
        gates: serde_json::from_str(&r.get::<_, String>(10)?).unwrap_or_default(),
    })
}

pub fn all_processes(conn: &Connection) -> Result<Vec<Process>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(&format!("{PROCESS_SELECT} ORDER BY sequence, id"))?;
    let rows = stmt.query_map([], process_from_row)?;
    rows.collect()
}

pub fn process_by_code(conn: &Connection, code: &str) -> Result<Option<Process>, rusqlite::Error> {
    conn.prepare_cached(&format!("{PROCESS_SELECT} WHERE code = ?1"))?
        .query_row([code], process_from_row)
        .optional()
}

/// The processes named by `ids`, keyed by id; unknown ids are simply absent.
pub fn processes_by_id(
    conn: &Connection,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, Process>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(&format!("{PROCESS_SELECT} WHERE id = ?1"))?;
    let mut found = HashMap::new();
    for id in ids {
        if found.contains_key(&id) {
            continue;
        }
        if let Some(p) = stmt.query_row([id], process_from_row).optional()? {
            found.insert(id, p);
        }
    }
    Ok(found)
}

const DEPARTMENT_SELECT: &str =
    "SELECT id, code, name_zh, name_en, strategy, auto_assign_delay_s, wip_cap, active FROM departments";

fn department_from_row(r: &rusqlite::Row<'_>) -> Result<Department, rusqlite::Error> {
    Ok(Department {
        id: r.get(0)?,
        code: r.get(1)?,
        name_zh: r.get(2)?,
        name_en: r.get(3)?,
        strategy: r.get(4)?,
        auto_assign_delay_s: r.get(5)?,
        wip_cap: r.get(6)?,
        active: r.get(7)?,
    })
}

pub fn all_departments(conn: &Connection) -> Result<Vec<Department>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(&format!("{DEPARTMENT_SELECT} ORDER BY id"))?;
    let rows = stmt.query_map([], department_from_row)?;
    rows.collect()
}

pub fn department_by_id(conn: &Connection, id: i64) -> Result<Option<Department>, rusqlite::Error> {
    conn.prepare_cached(&format!("{DEPARTMENT_SELECT} WHERE id = ?1"))?
        .query_row([id], department_from_row)
        .optional()
}

pub fn department_id_by_code(
    conn: &Connection,
    code: &str,
) -> Result<Option<i64>, rusqlite::Error> {
    conn.prepare_cached("SELECT id FROM departments WHERE code = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()
}

/// Every signed-in user may read the catalogue: it names no customer and no price.
pub async fn list_processes(store: &Store, _actor: &Actor) -> Result<Vec<Process>, Error> {
    store.read(|conn| Ok(all_processes(conn)?)).await
}

pub async fn list_departments(store: &Store, _actor: &Actor) -> Result<Vec<Department>, Error> {
    store.read(|conn| Ok(all_departments(conn)?)).await
}
