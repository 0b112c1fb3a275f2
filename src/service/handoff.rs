//! Reading an order's steps for the hand-off rule (`domain::handoff`) inside a write, and
//! announcing the tasks that a change made ready. The rule itself is not decided here.

use super::{task_events, Error};
use crate::domain::handoff::{available_qty, is_ready, Step};
use crate::domain::TaskStatus;
use rusqlite::Connection;
use serde_json::json;

/// Every task of the order, as the hand-off rule sees it.
pub fn order_steps(conn: &Connection, work_order_id: i64) -> Result<Vec<Step>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, sequence, parallel, part, quantity, good_qty, status FROM tasks
         WHERE work_order_id = ?1 ORDER BY sequence, id",
    )?;
    let rows = stmt.query_map([work_order_id], |r| {
        let status: String = r.get(6)?;
        Ok(Step {
            id: r.get(0)?,
            sequence: r.get(1)?,
            parallel: r.get(2)?,
            part: r.get(3)?,
            quantity: r.get(4)?,
            good: r.get(5)?,
            status: status.parse().unwrap_or(TaskStatus::Cancelled),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How much has reached task `id`, from the order's steps.
pub fn available_in(steps: &[Step], id: i64) -> Result<i64, Error> {
    let task = steps
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| Error::not_found(format!("task {id}")))?;
    Ok(available_qty(task, steps))
}

/// Records `task.ready` for each task of the order that was not ready in `before` and is now,
/// so pools and operators hear that work has reached them (partial hand-off).
pub fn announce_ready(
    conn: &Connection,
    work_order_id: i64,
    before: &[Step],
    actor_id: Option<i64>,
    now: i64,
) -> Result<(), Error> {
    let after = order_steps(conn, work_order_id)?;
    let was_ready = |id: i64| {
        before
            .iter()
            .find(|s| s.id == id)
            .is_some_and(|s| is_ready(s.status, available_qty(s, before)))
    };
    for step in &after {
        let available = available_qty(step, &after);
        if is_ready(step.status, available) && !was_ready(step.id) {
            task_events::record(
                conn,
                now,
                actor_id,
                "task.ready",
                step.id,
                json!({"available_qty": available}),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The list filters by readiness in SQL (`views::AVAILABLE_SQL`); writes decide with the
    //! pure rule. Both must give the same answer for any order, so this compares them on
    //! generated orders in a real SQLite file.
    use super::*;
    use crate::service::views::AVAILABLE_SQL;
    use crate::store::Store;
    use rand::{Rng, SeedableRng};

    const SCHEMA_ROWS: &str = "
        INSERT INTO departments (id, code, name_zh, name_en) VALUES (1, 'D', 'D', 'D');
        INSERT INTO processes (id, code, name_zh, name_en, department_id, sequence)
            VALUES (1, 'P', 'P', 'P', 1, 1);
        INSERT INTO work_orders (id, number, customer, product, quantity, due_date, priority,
            status, created_at, updated_at)
            VALUES (1, 'N1', 'c', 'p', 100, '2026-01-01', 1, 'approved', 0, 0);
        INSERT INTO work_order_lines (id, work_order_id, position, process_id, quantity)
            VALUES (1, 1, 1, 1, 100);";

    #[test]
    fn sql_and_pure_rule_agree_on_generated_orders() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        store
            .write_blocking(|conn| conn.execute_batch(SCHEMA_ROWS).map_err(Error::from))
            .unwrap();
        let parts = ["", "cover", "inner"];
        let statuses = [
            "pending",
            "assigned",
            "in_progress",
            "completed",
            "cancelled",
        ];
        for round in 0..200 {
            let rows: Vec<(i64, bool, &str, i64, i64, &str)> = (0..rng.random_range(1..8))
                .map(|_| {
                    (
                        rng.random_range(1..5),
                        rng.random_bool(0.2),
                        parts[rng.random_range(0..parts.len())],
                        rng.random_range(1..100),
                        rng.random_range(0..120),
                        statuses[rng.random_range(0..statuses.len())],
                    )
                })
                .collect();
            let (pure, sql) = store
                .write_blocking(move |conn| {
                    conn.execute("DELETE FROM tasks", [])?;
                    for (seq, parallel, part, qty, good, status) in &rows {
                        conn.execute(
                            "INSERT INTO tasks (work_order_id, line_id, part, process_id, department_id,
                                sequence, parallel, priority, due_date, quantity, good_qty, status,
                                created_at, updated_at)
                             VALUES (1, 1, ?1, 1, 1, ?2, ?3, 1, '2026-01-01', ?4, ?5, ?6, 0, 0)",
                            rusqlite::params![part, seq, parallel, qty, good, status],
                        )?;
                    }
                    let steps = order_steps(conn, 1)?;
                    let pure: Vec<(i64, i64)> = steps
                        .iter()
                        .map(|s| (s.id, available_qty(s, &steps)))
                        .collect();
                    let sql: Vec<(i64, i64)> = conn
                        .prepare(&format!(
                            "SELECT t.id, {AVAILABLE_SQL} FROM tasks t ORDER BY t.sequence, t.id"
                        ))?
                        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<_, _>>()?;
                    Ok::<_, Error>((pure, sql))
                })
                .unwrap();
            assert_eq!(pure, sql, "round {round}");
        }
    }
}
