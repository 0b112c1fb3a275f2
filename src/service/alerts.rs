//! Alerts the overdue watch raises: a task past its due date, or an urgent task nobody has
//! claimed for too long. Each raises one event, addressed to its department's supervisors,
//! once per task (remembered in `task_alerts`). When to sweep is the loop's business.

use super::{task_events, Error};
use crate::store::Store;
use rusqlite::{params, Connection};
use serde_json::json;

/// Tasks handled per write, so one sweep never holds the write lock for long.
const BATCH: i64 = 100;

#[derive(Debug, Clone, Copy)]
pub struct AlertRules {
    /// An urgent task still pending and unclaimed this long after publishing is flagged.
    pub urgent_unclaimed_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Alert {
    Overdue,
    UrgentUnclaimed,
}

impl Alert {
    fn kind(self) -> &'static str {
        match self {
            Alert::Overdue => "overdue",
            Alert::UrgentUnclaimed => "urgent_unclaimed",
        }
    }

    fn event(self) -> &'static str {
        match self {
            Alert::Overdue => "task.overdue",
            Alert::UrgentUnclaimed => "task.urgent_unclaimed",
        }
    }

    /// Tasks due for this alert that have not had it. Drafts are not on the floor yet.
    fn candidates_sql(self) -> &'static str {
        match self {
            Alert::Overdue => {
                "SELECT t.id, t.department_id FROM tasks t
                 WHERE t.status IN ('pending', 'assigned', 'in_progress', 'paused') AND t.due_date < ?1
                   AND NOT EXISTS (SELECT 1 FROM task_alerts a WHERE a.task_id = t.id AND a.kind = 'overdue')
                 ORDER BY t.id LIMIT ?2"
            }
            Alert::UrgentUnclaimed => {
                "SELECT t.id, t.department_id FROM tasks t
                 WHERE t.status = 'pending' AND t.operator_id IS NULL AND t.priority = 3
                   AND t.published_at <= ?1
                   AND NOT EXISTS (SELECT 1 FROM task_alerts a WHERE a.task_id = t.id AND a.kind = 'urgent_unclaimed')
                 ORDER BY t.id LIMIT ?2"
            }
        }
    }
}

fn supervisors_of(conn: &Connection, department_id: i64) -> Result<Vec<i64>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT u.id FROM users u JOIN user_departments d ON d.user_id = u.id
             WHERE d.department_id = ?1 AND u.role = 'supervisor' AND u.active = 1 ORDER BY u.id",
        )?
        .query_map([department_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Raises up to [`BATCH`] alerts of one kind in the caller's transaction; returns how many.
fn raise(
    conn: &Connection,
    alert: Alert,
    bound: &dyn rusqlite::ToSql,
    now: i64,
) -> Result<i64, Error> {
    let found: Vec<(i64, i64)> = conn
        .prepare_cached(alert.candidates_sql())?
        .query_map(params![bound, BATCH], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut remember =
        conn.prepare_cached("INSERT INTO task_alerts (task_id, kind, at) VALUES (?1, ?2, ?3)")?;
    for (task_id, department_id) in &found {
        let audience = supervisors_of(conn, *department_id)?;
        task_events::record(
            conn,
            now,
            None,
            alert.event(),
            *task_id,
            json!({"audience": audience}),
        )?;
        remember.execute(params![task_id, alert.kind(), now])?;
    }
    Ok(found.len() as i64)
}

/// One sweep: every task now overdue (due before `today`, 'YYYY-MM-DD') or urgent and
/// unclaimed too long gets its alert, once. Returns how many alerts were raised.
pub async fn raise_alerts(
    store: &Store,
    rules: AlertRules,
    now: i64,
    today: String,
) -> Result<i64, Error> {
    let mut total = 0;
    for alert in [Alert::Overdue, Alert::UrgentUnclaimed] {
        loop {
            let today = today.clone();
            let raised = store
                .write(move |conn| match alert {
                    Alert::Overdue => raise(conn, alert, &today, now),
                    Alert::UrgentUnclaimed => {
                        raise(conn, alert, &(now - rules.urgent_unclaimed_ms), now)
                    }
                })
                .await?;
            total += raised;
            if raised < BATCH {
                break;
            }
        }
    }
    Ok(total)
}
