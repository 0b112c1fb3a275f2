//! The manager dashboard's figures: open work per department, overdue tasks, queue time
//! against work time, and completions per day. Every query is filtered by the caller's
//! `Scope`; this module keeps no visibility rules of its own and draws nothing.

use super::{Actor, Error};
use crate::store::Store;
use chrono::{Duration, Local, NaiveDate, Offset};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many days the completion chart and the time averages look back.
pub const DAYS: i64 = 14;
const DAY_MS: i64 = 86_400_000;
const OPEN: &str = "('pending', 'assigned', 'in_progress', 'paused')";

#[derive(Debug, Default, Clone, Serialize)]
pub struct DepartmentFigures {
    pub department_id: i64,
    pub pending: i64,
    pub assigned: i64,
    pub in_progress: i64,
    pub paused: i64,
    pub overdue: i64,
    /// Mean time from publication to claim of tasks completed in the window.
    pub avg_queue_ms: Option<i64>,
    /// Mean worked time of tasks completed in the window.
    pub avg_work_ms: Option<i64>,
    pub completed: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayCount {
    pub date: String,
    pub completed: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub today: String,
    pub days: i64,
    pub departments: Vec<DepartmentFigures>,
    pub completed_per_day: Vec<DayCount>,
}

pub async fn dashboard(store: &Store, actor: &Actor) -> Result<Dashboard, Error> {
    let predicate = actor.scope().task_predicate();
    // Days are the shop's local days; the offset is taken now (a DST change inside the
    // window shifts one bucket edge by an hour, which a trend chart does not show).
    let offset_ms = i64::from(Local::now().offset().fix().local_minus_utc()) * 1000;
    let today = Local::now().date_naive();
    store
        .read(move |conn| figures(conn, &predicate, offset_ms, today))
        .await
}

fn figures(
    conn: &Connection,
    predicate: &str,
    offset_ms: i64,
    today: NaiveDate,
) -> Result<Dashboard, Error> {
    let mut departments: BTreeMap<i64, DepartmentFigures> = BTreeMap::new();

    let sql = format!(
        "SELECT t.department_id, t.status, COUNT(*) FROM tasks t
         WHERE t.status IN {OPEN} AND {predicate} GROUP BY 1, 2"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (d, status, n) = row?;
        let f = entry(&mut departments, d);
        match status.as_str() {
            "pending" => f.pending = n,
            "assigned" => f.assigned = n,
            "in_progress" => f.in_progress = n,
            _ => f.paused = n,
        }
    }

    let sql = format!(
        "SELECT t.department_id, COUNT(*) FROM tasks t
         WHERE t.status IN {OPEN} AND t.due_date < ?1 AND {predicate} GROUP BY 1"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([today.to_string()], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (d, n) = row?;
        entry(&mut departments, d).overdue = n;
    }

    let start_day = today - Duration::days(DAYS - 1);
    let since = day_start_ms(start_day, offset_ms);
    let sql = format!(
        "SELECT t.department_id, AVG(t.claimed_at - t.published_at), AVG(t.worked_ms), COUNT(*)
         FROM tasks t WHERE t.status = 'completed' AND t.completed_at >= ?1 AND {predicate}
         GROUP BY 1"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<f64>>(1)?,
            r.get::<_, Option<f64>>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (d, queue, work, n) = row?;
        let f = entry(&mut departments, d);
        f.avg_queue_ms = queue.map(|v| v.round() as i64);
        f.avg_work_ms = work.map(|v| v.round() as i64);
        f.completed = n;
    }

    let sql = format!(
        "SELECT (t.completed_at + ?2) / {DAY_MS}, COUNT(*) FROM tasks t
         WHERE t.status = 'completed' AND t.completed_at >= ?1 AND {predicate} GROUP BY 1"
    );
    let mut stmt = conn.prepare(&sql)?;
    let counts: BTreeMap<i64, i64> = stmt
        .query_map([since, offset_ms], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let completed_per_day = (0..DAYS)
        .map(|i| {
            let day = start_day + Duration::days(i);
            let key = (day_start_ms(day, offset_ms) + offset_ms) / DAY_MS;
            DayCount {
                date: day.to_string(),
                completed: counts.get(&key).copied().unwrap_or(0),
            }
        })
        .collect();
    Ok(Dashboard {
        today: today.to_string(),
        days: DAYS,
        departments: departments.into_values().collect(),
        completed_per_day,
    })
}

fn entry(map: &mut BTreeMap<i64, DepartmentFigures>, d: i64) -> &mut DepartmentFigures {
    map.entry(d).or_insert_with(|| DepartmentFigures {
        department_id: d,
        ..Default::default()
    })
}

/// Milliseconds since the epoch at local midnight starting `day`.
fn day_start_ms(day: NaiveDate, offset_ms: i64) -> i64 {
    let utc_midnight = day
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(0);
    utc_midnight - offset_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_midnight_buckets_into_its_own_day() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let offset = 8 * 3600 * 1000; // Asia/Shanghai
        let start = day_start_ms(day, offset);
        let bucket = |ms: i64| (ms + offset) / DAY_MS;
        assert_eq!(bucket(start), bucket(start + DAY_MS - 1));
        assert_ne!(bucket(start - 1), bucket(start));
    }
}
