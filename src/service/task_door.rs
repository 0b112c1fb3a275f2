//! The one door: every change of a task's status, holder, clock or reported quantities is a
//! [`Move`] applied by [`apply`]. It checks the transition against the status (domain), writes
//! the row with its new version under a condition on the status it read, keeps the work
//! segments, and records the event. No other code writes a task's status (a test in
//! `tests/one_door.rs` greps for it).

use super::{task_events, Error};
use crate::domain::{TaskStatus, Transition};
use rusqlite::types::Value as Sql;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

/// The facts a move checks before its conditional update, read in the same write.
#[derive(Debug, Clone)]
pub struct TaskHead {
    pub department_id: i64,
    pub status: TaskStatus,
    pub operator_id: Option<i64>,
    pub work_order_id: i64,
    pub wip_cap: Option<i64>,
}

pub fn load_head(conn: &Connection, id: i64) -> Result<TaskHead, Error> {
    conn.prepare_cached(
        "SELECT t.department_id, t.status, t.operator_id, t.work_order_id, d.wip_cap
         FROM tasks t JOIN departments d ON d.id = t.department_id WHERE t.id = ?1",
    )?
    .query_row([id], |r| {
        let status: String = r.get(1)?;
        Ok(TaskHead {
            department_id: r.get(0)?,
            status: status.parse().unwrap_or(TaskStatus::Cancelled),
            operator_id: r.get(2)?,
            work_order_id: r.get(3)?,
            wip_cap: r.get(4)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::not_found(format!("task {id}")))
}

/// How an assignment came about, as `assigned_via` keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Assign,
    Auto,
}

/// A transition with the facts it needs.
#[derive(Debug, Clone)]
pub enum Move {
    Publish,
    Claim {
        operator_id: i64,
    },
    Assign {
        operator_id: i64,
        via: Via,
        reason: Option<String>,
        reason_zh: Option<String>,
    },
    Unassign,
    Release,
    Start,
    Pause,
    Resume,
    Report {
        good: i64,
        scrap: i64,
    },
    Handover {
        operator_id: i64,
    },
    Complete,
    Cancel,
    Remove,
    /// The order's quantity changed under work already held: the task gets its new target
    /// and keeps a notice of it until its operator acknowledges.
    Retarget {
        quantity: i64,
        notice: String,
    },
    Acknowledge,
    /// Part of the unstarted remainder went to a new task: this one keeps `quantity`.
    Split {
        quantity: i64,
    },
    /// Where an imported task stood in the other system.
    Import {
        status: TaskStatus,
        good: i64,
        operator_id: Option<i64>,
    },
}

impl Move {
    pub fn transition(&self) -> Transition {
        match self {
            Move::Publish => Transition::Publish,
            Move::Claim { .. } => Transition::Claim,
            Move::Assign { .. } => Transition::Assign,
            Move::Unassign => Transition::Unassign,
            Move::Release => Transition::Release,
            Move::Start => Transition::Start,
            Move::Pause => Transition::Pause,
            Move::Resume => Transition::Resume,
            Move::Report { .. } => Transition::Report,
            Move::Handover { .. } => Transition::Handover,
            Move::Complete => Transition::Complete,
            Move::Cancel => Transition::Cancel,
            Move::Remove => Transition::Remove,
            Move::Retarget { .. } => Transition::Retarget,
            Move::Acknowledge => Transition::Acknowledge,
            Move::Split { .. } => Transition::Split,
            Move::Import { .. } => Transition::Import,
        }
    }
}

/// Worked time since the clock started joins `worked_ms`.
const STOP_CLOCK: &str =
    "worked_ms = worked_ms + MAX(0, COALESCE(:now - running_since, 0)), running_since = NULL";
const FREE: &str = "operator_id = NULL, assigned_via = NULL, assign_reason = NULL, \
                    assign_reason_zh = NULL, claimed_at = NULL";

/// The columns a move sets besides status, version and time, and any extra condition.
fn assignments(mv: &Move) -> (String, &'static str) {
    let (set, only_if) = match mv {
        Move::Publish => ("published_at = :now".to_owned(), ""),
        Move::Claim { .. } => (
            "operator_id = :operator, assigned_via = 'claim', assign_reason = NULL, \
             assign_reason_zh = NULL, claimed_at = :now"
                .to_owned(),
            " AND operator_id IS NULL",
        ),
        Move::Assign { via, .. } => (
            format!(
                "operator_id = :operator, assigned_via = :via, assign_reason = :reason, \
                 assign_reason_zh = :reason_zh, claimed_at = COALESCE(claimed_at, :now), {STOP_CLOCK}"
            ),
            if *via == Via::Auto {
                " AND operator_id IS NULL"
            } else {
                ""
            },
        ),
        Move::Unassign | Move::Release => (format!("{FREE}, {STOP_CLOCK}"), ""),
        Move::Start => (
            "running_since = :now, started_at = COALESCE(started_at, :now)".to_owned(),
            "",
        ),
        Move::Resume => ("running_since = :now".to_owned(), ""),
        Move::Pause | Move::Cancel => (STOP_CLOCK.to_owned(), ""),
        Move::Complete => (format!("{STOP_CLOCK}, completed_at = :now"), ""),
        Move::Report { .. } => (
            "good_qty = good_qty + :good, scrap_qty = scrap_qty + :scrap".to_owned(),
            "",
        ),
        Move::Handover { .. } => ("operator_id = :operator".to_owned(), ""),
        Move::Remove => (String::new(), ""),
        Move::Retarget { .. } => (
            "quantity = :quantity, target_notice = :notice".to_owned(),
            "",
        ),
        Move::Split { .. } => ("quantity = :quantity".to_owned(), ""),
        Move::Acknowledge => (
            "target_notice = NULL".to_owned(),
            " AND target_notice IS NOT NULL",
        ),
        Move::Import { .. } => (
            "good_qty = :good, operator_id = :operator,
             assigned_via = CASE WHEN :operator IS NULL THEN NULL ELSE 'assign' END,
             assign_reason = CASE WHEN :operator IS NULL THEN NULL ELSE 'imported' END,
             assign_reason_zh = CASE WHEN :operator IS NULL THEN NULL ELSE '导入' END,
             claimed_at = CASE WHEN :operator IS NULL THEN NULL ELSE :now END,
             started_at = CASE WHEN :to IN ('completed', 'paused') THEN :now END,
             completed_at = CASE WHEN :to = 'completed' THEN :now END"
                .to_owned(),
            "",
        ),
    };
    (set, only_if)
}

/// Applies `mv` to the task `head` describes (read in this same write), records its event
/// with `extra` merged in, and returns the new status. A move its status does not allow is
/// refused with the stable conflict code; a claim that lost its race says so.
pub fn apply(
    conn: &Connection,
    id: i64,
    head: &TaskHead,
    mv: &Move,
    actor_id: Option<i64>,
    now: i64,
    extra: Value,
) -> Result<TaskStatus, Error> {
    let transition = mv.transition();
    let to = match mv {
        Move::Import { status, .. } => head
            .status
            .after(transition)
            .and_then(|s| s.imported_as(*status)),
        _ => head.status.after(transition),
    };
    let to = to.ok_or_else(|| {
        Error::conflict(
            head.status.conflict_code(transition),
            format!("task {id} is {}", head.status.as_str()),
        )
    })?;
    if let Move::Remove = mv {
        // The event is written while the task still exists, so it carries its last snapshot.
        task_events::record(conn, now, actor_id, transition.event_kind(), id, extra)?;
        conn.prepare_cached("DELETE FROM tasks WHERE id = ?1 AND status = 'draft'")?
            .execute([id])?;
        return Ok(to);
    }
    let (set, only_if) = assignments(mv);
    let sql = format!(
        "UPDATE tasks SET status = :to, updated_at = :now, version = version + 1, {set}
         WHERE id = :id AND status = :from{only_if}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let (operator, good, scrap) = match mv {
        Move::Claim { operator_id }
        | Move::Assign { operator_id, .. }
        | Move::Handover { operator_id } => (Some(*operator_id), 0, 0),
        Move::Report { good, scrap } => (None, *good, *scrap),
        Move::Import {
            good, operator_id, ..
        } => (*operator_id, *good, 0),
        _ => (None, 0, 0),
    };
    let (via, reason, reason_zh) = match mv {
        Move::Assign {
            via,
            reason,
            reason_zh,
            ..
        } => (
            Some(match via {
                Via::Assign => "assign",
                Via::Auto => "auto",
            }),
            reason.clone(),
            reason_zh.clone(),
        ),
        _ => (None, None, None),
    };
    let (quantity, notice) = match mv {
        Move::Retarget { quantity, notice } => (Some(*quantity), Some(notice.clone())),
        Move::Split { quantity } => (Some(*quantity), None),
        _ => (None, None),
    };
    let all: [(&str, Sql); 12] = [
        (":id", id.into()),
        (":from", head.status.as_str().to_owned().into()),
        (":to", to.as_str().to_owned().into()),
        (":now", now.into()),
        (":operator", operator.map_or(Sql::Null, Sql::from)),
        (":via", via.map_or(Sql::Null, |v| Sql::from(v.to_owned()))),
        (":reason", reason.map_or(Sql::Null, Sql::from)),
        (":reason_zh", reason_zh.map_or(Sql::Null, Sql::from)),
        (":good", good.into()),
        (":scrap", scrap.into()),
        (":quantity", quantity.map_or(Sql::Null, Sql::from)),
        (":notice", notice.map_or(Sql::Null, Sql::from)),
    ];
    for (name, value) in &all {
        if let Some(i) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(i, value)?;
        }
    }
    let changed = stmt.raw_execute()?;
    drop(stmt);
    if changed != 1 {
        return Err(match mv {
            Move::Claim { .. } | Move::Assign { via: Via::Auto, .. } => Error::conflict(
                "task_already_claimed",
                format!("task {id} was claimed by someone else"),
            ),
            Move::Acknowledge => Error::conflict(
                "no_target_notice",
                format!("task {id} has no changed target to acknowledge"),
            ),
            _ => Error::Internal(format!("task {id} changed under its writer")),
        });
    }
    keep_segments(conn, id, head, mv, now)?;
    task_events::record(conn, now, actor_id, transition.event_kind(), id, extra)?;
    Ok(to)
}

/// Every stretch of work is a segment: opened when the clock starts, closed when it stops
/// or the task changes hands, and holding what was reported in it.
fn keep_segments(
    conn: &Connection,
    id: i64,
    head: &TaskHead,
    mv: &Move,
    now: i64,
) -> Result<(), Error> {
    let close = |conn: &Connection| -> Result<(), Error> {
        conn.prepare_cached(
            "UPDATE task_segments SET ended_at = ?2 WHERE task_id = ?1 AND ended_at IS NULL",
        )?
        .execute(params![id, now])?;
        Ok(())
    };
    let open = |conn: &Connection, operator: Option<i64>| -> Result<(), Error> {
        if let Some(operator) = operator {
            conn.prepare_cached(
                "INSERT INTO task_segments (task_id, operator_id, started_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![id, operator, now])?;
        }
        Ok(())
    };
    match mv {
        Move::Start | Move::Resume => open(conn, head.operator_id),
        Move::Handover { operator_id } => {
            close(conn)?;
            open(conn, Some(*operator_id))
        }
        Move::Report { good, scrap } => {
            let added = conn
                .prepare_cached(
                    "UPDATE task_segments SET good = good + ?2, scrap = scrap + ?3
                     WHERE task_id = ?1 AND ended_at IS NULL",
                )?
                .execute(params![id, good, scrap])?;
            if added == 0 {
                // Reported while paused: a moment's segment holds it, so it is credited.
                open(conn, head.operator_id)?;
                conn.prepare_cached(
                    "UPDATE task_segments SET good = ?2, scrap = ?3 WHERE task_id = ?1 AND ended_at IS NULL",
                )?
                .execute(params![id, good, scrap])?;
                close(conn)?;
            }
            Ok(())
        }
        Move::Pause
        | Move::Complete
        | Move::Cancel
        | Move::Release
        | Move::Unassign
        | Move::Assign { .. } => close(conn),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every `UPDATE tasks SET ...` in the sources whose SET clause writes `status`.
    fn status_writes(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                status_writes(&path, found);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let squashed = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for (at, _) in squashed.match_indices("UPDATE tasks SET") {
                let rest = &squashed[at..];
                let end = rest
                    .find("WHERE")
                    .unwrap_or(rest.len())
                    .min(rest[1..].find('"').map_or(rest.len(), |q| q + 1));
                let set = &rest[..end];
                let writes_status = set
                    .split([',', ' '])
                    .collect::<Vec<_>>()
                    .windows(2)
                    .any(|w| w[0] == "status" && w[1] == "=");
                if writes_status {
                    found.push(format!("{}: {set}", path.display()));
                }
            }
        }
    }

    #[test]
    fn only_the_door_writes_a_task_status() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        status_writes(&src, &mut found);
        let others: Vec<&String> = found
            .iter()
            .filter(|f| !f.contains("task_door.rs"))
            .collect();
        assert!(
            others.is_empty(),
            "task status written outside the door: {others:#?}"
        );
        assert_eq!(
            found.len(),
            1,
            "the door itself should be found: {found:#?}"
        );
    }
}
