//! Auto-dispatch against the database: finds pending, unclaimed tasks of departments that hand
//! work out automatically once their delay has passed, and assigns each in one conditional
//! write with its `task.assigned` event. Choosing is `domain::dispatch`'s; when to look is the
//! dispatcher loop's. Nothing here decides visibility or talks HTTP.

use super::task_door::{self, Move, Via};
use super::tasks::{check_wip, load_head};
use super::Error;
use crate::domain::dispatch::{dispatch, Candidate, OperatorLoad, StrategyKind};
use crate::store::Store;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

/// Most assignments one pass submits; the rest follow on the next pass, which their own
/// events trigger at once.
pub const MAX_PER_PASS: usize = 256;

/// A department's dispatch settings as one pass sees them.
#[derive(Debug, Clone)]
struct Settings {
    department_id: i64,
    strategy: StrategyKind,
    wip_cap: Option<i64>,
    rr_cursor: i64,
}

/// A pending task waiting in an automatic department's pool.
#[derive(Debug, Clone)]
struct Waiting {
    candidate: Candidate,
    /// When its delay has passed and it may be assigned.
    due_at: i64,
    settings: Settings,
}

/// What a scan found: tasks worth a write now, and when the next delay runs out.
#[derive(Debug, Default)]
pub struct Scan {
    pub due: Vec<i64>,
    pub next_due_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub task_id: i64,
    pub operator_id: i64,
    pub why: String,
}

/// Departments first (CROSS JOIN keeps that order): each automatic department's pending
/// pool is then a range of the `tasks_pool` index, never a scan of the whole task history.
const WAITING_SELECT: &str = "SELECT t.id, t.process_id, p.code,
        COALESCE(t.published_at, t.updated_at) + d.auto_assign_delay_s * 1000,
        d.id, d.strategy, d.wip_cap, d.rr_cursor
    FROM departments d
    CROSS JOIN tasks t ON t.department_id = d.id
    JOIN processes p ON p.id = t.process_id";

fn waiting_from_row(r: &rusqlite::Row<'_>) -> Result<Waiting, rusqlite::Error> {
    let strategy: String = r.get(5)?;
    Ok(Waiting {
        candidate: Candidate {
            task_id: r.get(0)?,
            process_id: r.get(1)?,
            process_code: r.get(2)?,
        },
        due_at: r.get(3)?,
        settings: Settings {
            department_id: r.get(4)?,
            // The CHECK constraint keeps unknown names out; treat one as manual to be safe.
            strategy: strategy.parse().unwrap_or(StrategyKind::Manual),
            wip_cap: r.get(6)?,
            rr_cursor: r.get(7)?,
        },
    })
}

/// Active operators of the department with their load, idleness and skills, by id.
fn operator_loads(conn: &Connection, department_id: i64) -> Result<Vec<OperatorLoad>, Error> {
    let mut ops: Vec<OperatorLoad> = conn
        .prepare_cached(
            "SELECT u.id, u.display_name,
                (SELECT COUNT(*) FROM tasks t WHERE t.operator_id = u.id
                    AND t.status IN ('assigned', 'in_progress', 'paused')),
                MAX(COALESCE(a.last_claimed_at, 0), COALESCE(a.last_completed_at, 0))
             FROM user_departments ud
             JOIN users u ON u.id = ud.user_id
             LEFT JOIN operator_activity a ON a.user_id = u.id
             WHERE ud.department_id = ?1 AND u.active = 1 AND u.role = 'operator'
             ORDER BY u.id",
        )?
        .query_map([department_id], |r| {
            let last: i64 = r.get(3)?;
            Ok(OperatorLoad {
                operator_id: r.get(0)?,
                name: r.get(1)?,
                open_tasks: r.get(2)?,
                last_active_at: (last > 0).then_some(last),
                skills: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut skills = conn.prepare_cached(
        "SELECT us.user_id, us.process_id FROM user_skills us
         JOIN user_departments ud ON ud.user_id = us.user_id WHERE ud.department_id = ?1",
    )?;
    let rows = skills.query_map([department_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    for row in rows {
        let (user, process): (i64, i64) = row?;
        if let Some(op) = ops.iter_mut().find(|o| o.operator_id == user) {
            op.skills.push(process);
        }
    }
    Ok(ops)
}

fn soonest(at: i64, scan: &mut Scan) {
    scan.next_due_at = Some(scan.next_due_at.map_or(at, |n| n.min(at)));
}

/// The automatic departments' settings, each with its delay in ms.
fn automatic_departments(conn: &Connection) -> Result<Vec<(Settings, i64)>, Error> {
    let rows = conn
        .prepare_cached(
            "SELECT id, strategy, wip_cap, rr_cursor, auto_assign_delay_s FROM departments
             WHERE strategy <> 'manual' AND active = 1 ORDER BY id",
        )?
        .query_map([], |r| {
            let strategy: String = r.get(1)?;
            Ok((
                Settings {
                    department_id: r.get(0)?,
                    strategy: strategy.parse().unwrap_or(StrategyKind::Manual),
                    wip_cap: r.get(2)?,
                    rr_cursor: r.get(3)?,
                },
                r.get::<_, i64>(4)? * 1000,
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Looks at each automatic department's pool, most urgent first, and keeps the tasks a
/// strategy would assign now. Every read is a short index range: a department where nobody
/// is under the cap is skipped, a skill department only reads processes someone under the cap
/// can do, and at most [`MAX_PER_PASS`] tasks are read. Loads are simulated across the pass
/// so one scan does not pile every task on one person; each write re-decides on fresh data.
pub fn scan_waiting(conn: &Connection, now: i64) -> Result<Scan, Error> {
    let mut scan = Scan::default();
    for (settings, delay_ms) in automatic_departments(conn)? {
        let department = settings.department_id;
        if delay_ms > 0 {
            let next: Option<i64> = conn
                .prepare_cached(
                    "SELECT MIN(published_at) FROM tasks WHERE department_id = ?1
                       AND status = 'pending' AND operator_id IS NULL AND published_at > ?2",
                )?
                .query_row(params![department, now - delay_ms], |r| r.get(0))?;
            if let Some(published) = next {
                soonest(published + delay_ms, &mut scan);
            }
        }
        let mut ops = operator_loads(conn, department)?;
        let under = |ops: &[OperatorLoad]| -> Vec<i64> {
            let free = ops
                .iter()
                .filter(|o| settings.wip_cap.is_none_or(|c| o.open_tasks < c));
            match settings.strategy {
                StrategyKind::Skill => free.flat_map(|o| o.skills.iter().copied()).collect(),
                _ => free.map(|o| o.operator_id).collect(),
            }
        };
        let reachable = under(&ops);
        let room = MAX_PER_PASS - scan.due.len();
        if reachable.is_empty() || room == 0 {
            continue;
        }
        let processes = match settings.strategy {
            // Ids come from the database, so inlining them is safe.
            StrategyKind::Skill => {
                let list: Vec<String> = reachable.iter().map(i64::to_string).collect();
                format!("AND t.process_id IN ({})", list.join(","))
            }
            _ => String::new(),
        };
        let waiting: Vec<Waiting> = conn
            .prepare_cached(&format!(
                "{WAITING_SELECT}
                 WHERE d.id = ?1 AND t.status = 'pending' AND t.operator_id IS NULL
                   AND COALESCE(t.published_at, t.updated_at) <= ?2 {processes}
                 ORDER BY t.priority DESC, t.due_date, t.id LIMIT ?3"
            ))?
            .query_map(
                params![department, now - delay_ms, room as i64 + 1],
                waiting_from_row,
            )?
            .collect::<Result<_, _>>()?;
        if waiting.len() > room {
            soonest(now, &mut scan);
        }
        let mut cursor = settings.rr_cursor;
        for w in waiting.into_iter().take(room) {
            let Some(strategy) = settings.strategy.strategy(cursor) else {
                break;
            };
            let Some(choice) = dispatch(strategy.as_ref(), &w.candidate, &ops, settings.wip_cap)
            else {
                continue;
            };
            if let Some(op) = ops.iter_mut().find(|o| o.operator_id == choice.operator_id) {
                op.open_tasks += 1;
                op.last_active_at = Some(now);
            }
            cursor = choice.operator_id;
            scan.due.push(w.candidate.task_id);
            if under(&ops).is_empty() {
                break;
            }
        }
    }
    Ok(scan)
}

pub async fn scan(store: &Store, now: i64) -> Result<Scan, Error> {
    store.read(move |conn| scan_waiting(conn, now)).await
}

/// Assigns one task by its department's strategy, if it is still pending, unclaimed, due and
/// someone is eligible; `None` otherwise. The update only applies while the task is pending
/// and free, so it never overrides a person's claim that got there first.
pub fn auto_assign(conn: &Connection, task_id: i64, now: i64) -> Result<Option<Assignment>, Error> {
    let Some(w) = conn
        .prepare_cached(&format!(
            "{WAITING_SELECT} WHERE t.id = ?1 AND d.active = 1 AND t.status = 'pending' AND t.operator_id IS NULL"
        ))?
        .query_row([task_id], waiting_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    let s = &w.settings;
    let Some(strategy) = s.strategy.strategy(s.rr_cursor) else {
        return Ok(None);
    };
    if w.due_at > now {
        return Ok(None);
    }
    let operators = operator_loads(conn, s.department_id)?;
    let Some(choice) = dispatch(strategy.as_ref(), &w.candidate, &operators, s.wip_cap) else {
        return Ok(None);
    };
    // The same rule a claim obeys; the strategy already kept to it, so this never refuses.
    check_wip(conn, choice.operator_id, s.wip_cap)?;
    let (why, why_zh) = (choice.why(), choice.why_zh());
    let head = load_head(conn, task_id)?;
    let operator_name = operators
        .iter()
        .find(|o| o.operator_id == choice.operator_id)
        .map(|o| o.name.clone());
    let mv = Move::Assign {
        operator_id: choice.operator_id,
        via: Via::Auto,
        reason: Some(why.clone()),
        reason_zh: Some(why_zh.clone()),
    };
    let extra = json!({
        "via": "auto",
        "strategy": s.strategy.as_str(),
        "operator_id": choice.operator_id,
        "operator_name": operator_name,
        "why": why,
        "why_zh": why_zh,
        "reason": choice.reason,
        "audience": [choice.operator_id],
    });
    match task_door::apply(conn, task_id, &head, &mv, None, now, extra) {
        Ok(_) => {}
        Err(Error::Conflict { .. }) => return Ok(None),
        Err(e) => return Err(e),
    }
    if s.strategy == StrategyKind::RoundRobin {
        conn.prepare_cached("UPDATE departments SET rr_cursor = ?2 WHERE id = ?1")?
            .execute(params![s.department_id, choice.operator_id])?;
    }
    Ok(Some(Assignment {
        task_id,
        operator_id: choice.operator_id,
        why,
    }))
}

/// Submits one write per task at once: the writer runs them in order inside one group
/// commit, so each sees the loads the previous ones left.
pub async fn assign_all(
    store: &Store,
    task_ids: Vec<i64>,
    now: i64,
) -> Vec<Result<Option<Assignment>, Error>> {
    let writes = task_ids
        .into_iter()
        .map(|id| store.write(move |conn| auto_assign(conn, id, now)));
    futures_util::future::join_all(writes).await
}
