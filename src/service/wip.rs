//! What an operator holds against a department's WIP cap: the one count (their assigned, in
//! progress and paused tasks in every department), the refusal a director's assignment meets
//! at the cap, and each operator's count for the supervisor board. Who may read the counts is
//! `Scope`'s decision; claims and auto-dispatch keep their own check in `tasks::check_wip`,
//! which counts the same tasks.

use super::{Actor, Error};
use crate::store::Store;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;

/// The tasks that count against the cap, over the tasks table aliased `t`.
const HELD: &str = "t.status IN ('assigned', 'in_progress', 'paused')";

/// How many tasks the operator holds now, in any department.
pub fn held_by(conn: &Connection, operator_id: i64) -> Result<i64, Error> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM tasks t WHERE t.operator_id = ?1 AND {HELD}"
        ))?
        .query_row([operator_id], |r| r.get(0))?)
}

/// Refuses to give the operator another task when they hold `cap` already. The message and
/// the details name the operator, since the person told is the director assigning, not them.
pub(super) fn check_assignment(
    conn: &Connection,
    operator_id: i64,
    cap: Option<i64>,
) -> Result<(), Error> {
    let Some(cap) = cap else { return Ok(()) };
    let held = held_by(conn, operator_id)?;
    if held < cap {
        return Ok(());
    }
    let name: String = conn
        .prepare_cached("SELECT display_name FROM users WHERE id = ?1")?
        .query_row([operator_id], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| format!("user {operator_id}"));
    Err(Error::conflict_with(
        "wip_limit_reached",
        format!("{name} already holds {held} tasks; this department allows {cap}"),
        json!({"operator_id": operator_id, "operator_name": name, "held": held, "cap": cap}),
    ))
}

/// One operator's count against the cap, as the board shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct OperatorHeld {
    pub operator_id: i64,
    pub display_name: String,
    /// Tasks held in every department: the number the WIP cap is checked against.
    pub held: i64,
    /// Of those, the tasks of this department.
    pub held_here: i64,
}

/// The active operators of one department with what they hold, by id.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DepartmentLoad {
    pub department_id: i64,
    pub wip_cap: Option<i64>,
    pub operators: Vec<OperatorHeld>,
}

fn load_of(conn: &Connection, department_id: i64) -> Result<DepartmentLoad, Error> {
    let wip_cap: Option<i64> = conn
        .prepare_cached("SELECT wip_cap FROM departments WHERE id = ?1")?
        .query_row([department_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("department {department_id}")))?;
    let operators = conn
        .prepare_cached(&format!(
            "SELECT u.id, u.display_name,
                (SELECT COUNT(*) FROM tasks t WHERE t.operator_id = u.id AND {HELD}),
                (SELECT COUNT(*) FROM tasks t
                    WHERE t.operator_id = u.id AND t.department_id = ?1 AND {HELD})
             FROM user_departments ud
             JOIN users u ON u.id = ud.user_id
             WHERE ud.department_id = ?1 AND u.active = 1 AND u.role = 'operator'
             ORDER BY u.id"
        ))?
        .query_map(params![department_id], |r| {
            Ok(OperatorHeld {
                operator_id: r.get(0)?,
                display_name: r.get(1)?,
                held: r.get(2)?,
                held_here: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(DepartmentLoad {
        department_id,
        wip_cap,
        operators,
    })
}

/// What each operator of the department holds, for the people who direct its work.
pub async fn department_load(
    store: &Store,
    actor: &Actor,
    department_id: i64,
) -> Result<DepartmentLoad, Error> {
    if !actor.scope().sees_operator_loads(department_id) {
        return Err(Error::Forbidden(format!(
            "a {} may not see the workload of department {department_id}",
            actor.role
        )));
    }
    store.read(move |conn| load_of(conn, department_id)).await
}
