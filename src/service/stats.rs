//! Workload figures per department and per operator: counts by status, ready, overdue, and
//! average queue and work time over a period. They read the trigger-maintained tallies of
//! schema.sql (and, for "ready", only the open unstarted tasks), never the whole task history,
//! so they stay fast at millions of tasks. Which rows an actor sees is `Scope`'s decision.

use super::{Actor, Error};
use crate::domain::Rule;
use crate::store::Store;
use chrono::{Duration, Local, NaiveDate};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Longest period one request may cover.
pub const MAX_PERIOD_DAYS: i64 = 366;
/// The period when none is given: the last 30 days, today included.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

/// A task is *ready* when work has reached it: it is parallel, or every earlier non-parallel
/// task of its order has reported good quantity or completed (cancelled ones do not count).
/// This stands in for the lifecycle's own rule until that lands in one shared place. The
/// terms match the partial indexes `tasks_unstarted` and `tasks_blocking` (schema.sql)
/// exactly, which keeps the query index-only; change them together.
const READY: &str = "(t.parallel = 1 OR NOT EXISTS (SELECT 1 FROM tasks u
    WHERE u.work_order_id = t.work_order_id AND u.sequence < t.sequence
      AND u.parallel = 0 AND u.good_qty = 0 AND u.status NOT IN ('completed', 'cancelled')))";

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadQuery {
    /// First day of the period, `YYYY-MM-DD` in the server's time zone.
    pub from: Option<String>,
    /// Last day of the period (included).
    pub to: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct StatusCounts {
    pub pending: i64,
    pub assigned: i64,
    pub in_progress: i64,
    pub paused: i64,
    pub completed: i64,
    pub cancelled: i64,
}

/// The figures of one department or one operator. Counts are as of now; `claimed`,
/// `completed_in_period` and the averages cover the period.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Figures {
    pub counts: StatusCounts,
    /// Pending, assigned, in progress and paused.
    pub open: i64,
    /// Open and not yet started, with work available to it (see `READY`).
    pub ready: i64,
    /// Open with a due date before today.
    pub overdue: i64,
    pub claimed: i64,
    /// Mean time from publishing to being claimed or assigned, of the claims in the period.
    pub avg_queue_ms: Option<i64>,
    pub completed_in_period: i64,
    /// Mean worked time of the tasks completed in the period.
    pub avg_work_ms: Option<i64>,
    #[serde(skip)]
    queue_ms: i64,
    #[serde(skip)]
    work_ms: i64,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        let c = &mut self.counts;
        c.pending += o.counts.pending;
        c.assigned += o.counts.assigned;
        c.in_progress += o.counts.in_progress;
        c.paused += o.counts.paused;
        c.completed += o.counts.completed;
        c.cancelled += o.counts.cancelled;
        self.ready += o.ready;
        self.overdue += o.overdue;
        self.claimed += o.claimed;
        self.queue_ms += o.queue_ms;
        self.completed_in_period += o.completed_in_period;
        self.work_ms += o.work_ms;
    }

    fn finish(mut self) -> Figures {
        let c = &self.counts;
        self.open = c.pending + c.assigned + c.in_progress + c.paused;
        self.avg_queue_ms = (self.claimed > 0).then(|| self.queue_ms / self.claimed);
        self.avg_work_ms =
            (self.completed_in_period > 0).then(|| self.work_ms / self.completed_in_period);
        self
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OperatorWorkload {
    pub operator_id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DepartmentWorkload {
    pub department_id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub strategy: String,
    pub wip_cap: Option<i64>,
    /// The whole department as the actor sees it, the pool included.
    #[serde(flatten)]
    pub figures: Figures,
    pub operators: Vec<OperatorWorkload>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Workload {
    pub from: String,
    pub to: String,
    pub today: String,
    pub departments: Vec<DepartmentWorkload>,
}

/// The period's first and last day, both included.
struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

fn parse_day(field: &str, value: &str) -> Result<NaiveDate, Error> {
    value
        .parse()
        .map_err(|_| Error::breaking(field, "must be a date like 2026-05-31", Rule::Format))
}

fn period(query: &WorkloadQuery, today: NaiveDate) -> Result<Period, Error> {
    let to = match &query.to {
        Some(t) => parse_day("to", t)?,
        None => today,
    };
    let from = match &query.from {
        Some(f) => parse_day("from", f)?,
        None => to - Duration::days(DEFAULT_PERIOD_DAYS - 1),
    };
    if from > to {
        return Err(Error::invalid("from", "must not be after to"));
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(Error::invalid(
            "from",
            format!("a period may cover at most {MAX_PERIOD_DAYS} days"),
        ));
    }
    Ok(Period { from, to })
}

type Key = (i64, i64); // (department_id, operator_id with 0 for the pool)

/// Reads every figure the actor may see into per-(department, operator) cells.
fn cells(
    conn: &Connection,
    actor: &Actor,
    today: &str,
    period: &Period,
) -> Result<BTreeMap<Key, Figures>, Error> {
    let scope = actor.scope();
    let mut cells: BTreeMap<Key, Figures> = BTreeMap::new();
    let sql = format!(
        "SELECT t.department_id, t.operator_id, t.status, SUM(t.n),
            SUM(CASE WHEN t.due_date <> '' AND t.due_date < ?1 THEN t.n ELSE 0 END)
         FROM task_tally t WHERE t.status <> 'draft' AND {}
         GROUP BY t.department_id, t.operator_id, t.status",
        scope.tally_predicate()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([today])?;
    while let Some(r) = rows.next()? {
        let cell = cells.entry((r.get(0)?, r.get(1)?)).or_default();
        let status: String = r.get(2)?;
        let n: i64 = r.get(3)?;
        let c = &mut cell.counts;
        match status.as_str() {
            "pending" => c.pending += n,
            "assigned" => c.assigned += n,
            "in_progress" => c.in_progress += n,
            "paused" => c.paused += n,
            "completed" => c.completed += n,
            "cancelled" => c.cancelled += n,
            _ => {}
        }
        cell.overdue += r.get::<_, i64>(4)?;
    }
    let sql = format!(
        "SELECT t.department_id, COALESCE(t.operator_id, 0), COUNT(*) FROM tasks t
         WHERE t.status IN ('pending', 'assigned') AND {} AND {READY}
         GROUP BY t.department_id, t.operator_id",
        scope.task_predicate()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        cells.entry((r.get(0)?, r.get(1)?)).or_default().ready += r.get::<_, i64>(2)?;
    }
    let sql = format!(
        "SELECT t.department_id, t.operator_id, SUM(t.claims), SUM(t.queue_ms),
            SUM(t.completions), SUM(t.work_ms)
         FROM task_daily t WHERE t.day >= ?1 AND t.day <= ?2 AND {}
         GROUP BY t.department_id, t.operator_id",
        scope.activity_predicate()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([period.from.to_string(), period.to.to_string()])?;
    while let Some(r) = rows.next()? {
        let cell = cells.entry((r.get(0)?, r.get(1)?)).or_default();
        cell.claimed += r.get::<_, i64>(2)?;
        cell.queue_ms += r.get::<_, i64>(3)?;
        cell.completed_in_period += r.get::<_, i64>(4)?;
        cell.work_ms += r.get::<_, i64>(5)?;
    }
    Ok(cells)
}

/// (department, operator id, username, display name) of every active operator.
fn members(conn: &Connection) -> Result<Vec<(i64, i64, String, String)>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT ud.department_id, u.id, u.username, u.display_name
         FROM user_departments ud JOIN users u ON u.id = ud.user_id
         WHERE u.role = 'operator' AND u.active = 1 ORDER BY u.display_name, u.id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn person(conn: &Connection, id: i64) -> Result<(String, String), Error> {
    let found = conn
        .prepare_cached("SELECT username, display_name FROM users WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(found.unwrap_or_else(|| (format!("#{id}"), format!("#{id}"))))
}

pub fn workload_in(
    conn: &Connection,
    actor: &Actor,
    query: &WorkloadQuery,
) -> Result<Workload, Error> {
    let today = Local::now().date_naive();
    let period = period(query, today)?;
    let today_s = today.to_string();
    let mut cells = cells(conn, actor, &today_s, &period)?;
    let scope = actor.scope();
    let visible = scope.workload_departments();
    let members = members(conn)?;
    let mut departments = Vec::new();
    for d in super::catalog::all_departments(conn)? {
        if !d.active || visible.as_ref().is_some_and(|v| !v.contains(&d.id)) {
            continue;
        }
        let mut total = Figures::default();
        let mut people: BTreeSet<i64> = BTreeSet::new();
        let mut operators = Vec::new();
        let listed = members.iter().filter(|m| m.0 == d.id);
        for (_, id, username, display_name) in listed {
            people.insert(*id);
            if scope.sees_workload_of(*id) {
                let figures = cells.remove(&(d.id, *id)).unwrap_or_default();
                total.add(&figures);
                operators.push(OperatorWorkload {
                    operator_id: *id,
                    username: username.clone(),
                    display_name: display_name.clone(),
                    figures: figures.finish(),
                });
            }
        }
        // The pool, and people who hold work here without (any longer) being members.
        let rest: Vec<Key> = cells
            .range((d.id, i64::MIN)..=(d.id, i64::MAX))
            .map(|(k, _)| *k)
            .collect();
        for key in rest {
            let figures = cells.remove(&key).unwrap_or_default();
            total.add(&figures);
            if key.1 != 0 && !people.contains(&key.1) && scope.sees_workload_of(key.1) {
                let (username, display_name) = person(conn, key.1)?;
                operators.push(OperatorWorkload {
                    operator_id: key.1,
                    username,
                    display_name,
                    figures: figures.finish(),
                });
            }
        }
        departments.push(DepartmentWorkload {
            department_id: d.id,
            code: d.code,
            name_zh: d.name_zh,
            name_en: d.name_en,
            strategy: d.strategy,
            wip_cap: d.wip_cap,
            figures: total.finish(),
            operators,
        });
    }
    Ok(Workload {
        from: period.from.to_string(),
        to: period.to.to_string(),
        today: today_s,
        departments,
    })
}

/// The workload the actor may see. Admin, manager and maker see every department;
/// supervisors their own departments; operators their own departments' pools and their own
/// work (the same tasks they can list), with only their own operator row.
pub async fn workload(
    store: &Store,
    actor: &Actor,
    query: WorkloadQuery,
) -> Result<Workload, Error> {
    let actor = actor.clone();
    store
        .read(move |conn| workload_in(conn, &actor, &query))
        .await
}
