//! Order gates: what a job waits for that is not a process (proof approved, paper ready,
//! die ready). The catalogue lists them; an order gets those its processes wait for; a maker
//! or supervisor ticks one (who and when stay on it, and in the order's history), and the
//! order's flow follows at once.

use super::views::{load_gates, GateView};
use super::work_orders::load_order_row;
use super::{now_ms, order_flow, Actor, Error};
use crate::domain::work_order::{check_short, REQUIRED_TEXT_PATTERN};
use crate::domain::Role;
use crate::domain::Rule;
use crate::store::event_log::{append, NewEvent};
use crate::store::Store;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Who may tick an order's gates.
pub const TICKERS: &[Role] = &[Role::Admin, Role::Manager, Role::Maker, Role::Supervisor];

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Gate {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub position: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGate {
    /// Lowercase letters, digits and `_`, e.g. `ink_ready`.
    #[schemars(length(min = 1, max = 40), regex(pattern = r"^[a-z][a-z0-9_]*$"))]
    pub code: String,
    #[schemars(length(min = 1, max = 200), regex(pattern = REQUIRED_TEXT_PATTERN))]
    pub name_zh: String,
    #[schemars(length(min = 1, max = 200), regex(pattern = REQUIRED_TEXT_PATTERN))]
    pub name_en: String,
    #[serde(default)]
    pub position: Option<i64>,
}

/// `POST /work-orders/{id}/gates/{code}`: done (the default) or opened again.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateTick {
    #[serde(default = "yes")]
    pub done: bool,
}

fn yes() -> bool {
    true
}

impl Default for GateTick {
    fn default() -> GateTick {
        GateTick { done: true }
    }
}

pub async fn list_gates(store: &Store, _actor: &Actor) -> Result<Vec<Gate>, Error> {
    store
        .read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT code, name_zh, name_en, position, active FROM gates ORDER BY position, code",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(Gate {
                    code: r.get(0)?,
                    name_zh: r.get(1)?,
                    name_en: r.get(2)?,
                    position: r.get(3)?,
                    active: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
}

pub async fn create_gate(store: &Store, actor: &Actor, input: NewGate) -> Result<Gate, Error> {
    actor.require(&[Role::Admin], "add gates")?;
    let code = input.code.trim().to_ascii_lowercase();
    let valid = code.len() <= 40
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(Error::breaking(
            "code",
            "lowercase letters, digits and _, starting with a letter (at most 40)",
            Rule::Format,
        ));
    }
    let name_zh = check_short("name_zh", &input.name_zh, true)?;
    let name_en = check_short("name_en", &input.name_en, true)?;
    store
        .write(move |conn| {
            let position = match input.position {
                Some(p) => p,
                None => conn.query_row("SELECT COALESCE(MAX(position), 0) + 1 FROM gates", [], |r| {
                    r.get(0)
                })?,
            };
            let added = conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO gates (code, name_zh, name_en, position) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![code, name_zh, name_en, position])?;
            if added == 0 {
                return Err(Error::conflict_with(
                    "gate_exists",
                    format!("there is a gate {code} already"),
                    json!({"code": code}),
                ));
            }
            Ok(Gate {
                code,
                name_zh,
                name_en,
                position,
                active: true,
            })
        })
        .await
}

/// Ticks (or opens again) one of the order's gates and lets its tasks' flow follow.
pub async fn tick_gate(
    store: &Store,
    actor: &Actor,
    work_order_id: i64,
    code: String,
    tick: GateTick,
) -> Result<Vec<GateView>, Error> {
    actor.require(TICKERS, "tick an order's gates")?;
    let scope = actor.scope();
    let actor_id = actor.id;
    store
        .write(move |conn| {
            let visible: bool = conn.query_row(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM work_orders w WHERE w.id = ?1 AND {})",
                    scope.work_order_predicate()
                ),
                [work_order_id],
                |r| r.get(0),
            )?;
            if !visible {
                return Err(Error::not_found(format!("work order {work_order_id}")));
            }
            let order = load_order_row(conn, work_order_id)?;
            if !order.status.is_open() {
                return Err(Error::conflict(
                    order.status.conflict_code(),
                    format!("work order {} is {}", order.number, order.status.as_str()),
                ));
            }
            let done_at: Option<Option<i64>> = conn
                .prepare_cached(
                    "SELECT done_at FROM work_order_gates WHERE work_order_id = ?1 AND gate_code = ?2",
                )?
                .query_row(params![work_order_id, code], |r| r.get(0))
                .optional()?;
            let Some(done_at) = done_at else {
                return Err(Error::not_found(format!(
                    "gate {code} of work order {}",
                    order.number
                )));
            };
            if done_at.is_some() == tick.done {
                return load_gates(conn, work_order_id).map_err(Error::from);
            }
            let now = now_ms();
            conn.prepare_cached(
                "UPDATE work_order_gates SET done_at = ?3, done_by = ?4
                 WHERE work_order_id = ?1 AND gate_code = ?2",
            )?
            .execute(params![
                work_order_id,
                code,
                tick.done.then_some(now),
                tick.done.then_some(actor_id)
            ])?;
            append(
                conn,
                now,
                &NewEvent {
                    kind: if tick.done {
                        "work_order.gate_done"
                    } else {
                        "work_order.gate_reopened"
                    },
                    actor_id: Some(actor_id),
                    work_order_id: Some(work_order_id),
                    data: json!({"number": order.number, "gate": code}),
                    ..Default::default()
                },
            )?;
            order_flow::settle(conn, work_order_id, Some(actor_id), now)?;
            load_gates(conn, work_order_id).map_err(Error::from)
        })
        .await
}
