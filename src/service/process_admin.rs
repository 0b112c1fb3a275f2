//! Editing the process catalogue: names, default department, default sequence, the parallel
//! flag, and retiring a process (`active = false`). Existing orders keep what they were made
//! with; only new lines use the new defaults.

use super::catalog::{department_by_id, processes_by_id, Process};
use super::{now_ms, order_flow, Actor, Error};
use crate::domain::flow::Unit;
use crate::domain::work_order::{check_short, REQUIRED_TEXT_PATTERN};
use crate::domain::Role;
use crate::domain::Rule;
use crate::store::event_log::{append, NewEvent};
use crate::store::Store;
use rusqlite::params;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessPatch {
    #[schemars(length(min = 1, max = 200), regex(pattern = REQUIRED_TEXT_PATTERN))]
    pub name_zh: Option<String>,
    #[schemars(length(min = 1, max = 200), regex(pattern = REQUIRED_TEXT_PATTERN))]
    pub name_en: Option<String>,
    pub department_id: Option<i64>,
    #[schemars(range(min = 0, max = 100_000))]
    pub sequence: Option<i64>,
    pub parallel: Option<bool>,
    pub active: Option<bool>,
    /// What new lines of this process count (lines already written keep theirs).
    pub unit: Option<Unit>,
    /// Lines whose processes share a default step run side by side.
    #[schemars(range(min = 0, max = 100_000))]
    pub default_step: Option<i64>,
    /// The order gates (codes from `GET /gates`) this process waits for; the whole list.
    #[schemars(length(max = 20))]
    pub gates: Option<Vec<String>>,
}

pub async fn update_process(
    store: &Store,
    actor: &Actor,
    id: i64,
    patch: ProcessPatch,
) -> Result<Process, Error> {
    actor.require(
        &[Role::Admin, Role::Manager],
        "change the process catalogue",
    )?;
    let actor_id = actor.id;
    store
        .write(move |conn| {
            let current = processes_by_id(conn, [id])?
                .remove(&id)
                .ok_or_else(|| Error::not_found(format!("process {id}")))?;
            let name_zh = match &patch.name_zh {
                Some(v) => check_short("name_zh", v, true)?,
                None => current.name_zh.clone(),
            };
            let name_en = match &patch.name_en {
                Some(v) => check_short("name_en", v, true)?,
                None => current.name_en.clone(),
            };
            let department_id = patch.department_id.unwrap_or(current.department_id);
            if department_by_id(conn, department_id)?.is_none() {
                return Err(Error::breaking(
                    "department_id",
                    format!("there is no department {department_id}"),
                    Rule::Unknown,
                ));
            }
            let sequence = patch.sequence.unwrap_or(current.sequence);
            if !(0..=100_000).contains(&sequence) {
                return Err(Error::breaking(
                    "sequence",
                    "must be from 0 to 100000",
                    Rule::Range {
                        min: 0,
                        max: 100_000,
                    },
                ));
            }
            let default_step = patch.default_step.unwrap_or(current.default_step);
            if !(0..=100_000).contains(&default_step) {
                return Err(Error::breaking(
                    "default_step",
                    "must be from 0 to 100000",
                    Rule::Range {
                        min: 0,
                        max: 100_000,
                    },
                ));
            }
            if let Some(gates) = &patch.gates {
                set_gates(conn, id, gates)?;
            }
            conn.prepare_cached(
                "UPDATE processes SET name_zh = ?2, name_en = ?3, department_id = ?4, sequence = ?5,
                    parallel = ?6, active = ?7, unit = ?8, default_step = ?9 WHERE id = ?1",
            )?
            .execute(params![
                id,
                name_zh,
                name_en,
                department_id,
                sequence,
                patch.parallel.unwrap_or(current.parallel),
                patch.active.unwrap_or(current.active),
                patch.unit.unwrap_or(current.unit).as_str(),
                default_step,
            ])?;
            append(
                conn,
                now_ms(),
                &NewEvent {
                    kind: "process.updated",
                    actor_id: Some(actor_id),
                    data: json!({"process_id": id, "code": current.code}),
                    ..Default::default()
                },
            )?;
            processes_by_id(conn, [id])?
                .remove(&id)
                .ok_or_else(|| Error::not_found(format!("process {id}")))
        })
        .await
}

/// Replaces the gates a process waits for; each must be an active gate of the catalogue.
/// New orders (and orders edited later) get the added ones; a gate taken away stops holding
/// the open orders' tasks at once.
fn set_gates(conn: &rusqlite::Connection, process_id: i64, gates: &[String]) -> Result<(), Error> {
    for (i, code) in gates.iter().enumerate() {
        let known: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM gates WHERE code = ?1 AND active = 1)")?
            .query_row([code], |r| r.get(0))?;
        if !known {
            return Err(Error::breaking(
                format!("gates[{i}]"),
                format!("there is no active gate '{code}' (GET /api/v1/gates)"),
                Rule::Unknown,
            ));
        }
        if gates[..i].contains(code) {
            return Err(Error::breaking(
                format!("gates[{i}]"),
                format!("gate '{code}' appears twice"),
                Rule::Duplicate,
            ));
        }
    }
    conn.prepare_cached("DELETE FROM process_gates WHERE process_id = ?1")?
        .execute([process_id])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO process_gates (process_id, gate_code) VALUES (?1, ?2)")?;
    for code in gates {
        insert.execute(params![process_id, code])?;
    }
    let open: Vec<i64> = conn
        .prepare_cached(
            "SELECT DISTINCT work_order_id FROM tasks
             WHERE process_id = ?1 AND status NOT IN ('completed', 'cancelled')",
        )?
        .query_map([process_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for order in open {
        order_flow::settle(conn, order, None, now_ms())?;
    }
    Ok(())
}
