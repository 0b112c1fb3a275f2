//! The workload tallies (schema.sql triggers) against the tasks they summarise: after many
//! random inserts, moves, claims, completions and deletes on a real database file, the
//! tally equals a full count and the daily sums equal what happened.

use rusqlite::{params, Connection};
use std::collections::BTreeMap;

/// A small deterministic generator, so a failure replays exactly.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n) as i64
    }
}

const STATUSES: [&str; 7] = [
    "draft",
    "pending",
    "assigned",
    "in_progress",
    "paused",
    "completed",
    "cancelled",
];

fn full_count(conn: &Connection) -> BTreeMap<(i64, i64, String, String), i64> {
    let mut stmt = conn
        .prepare(
            "SELECT department_id, COALESCE(operator_id, 0), status,
                CASE WHEN status IN ('completed', 'cancelled') THEN '' ELSE due_date END, COUNT(*)
             FROM tasks GROUP BY 1, 2, 3, 4",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok(((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?), r.get(4)?))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn tally(conn: &Connection) -> BTreeMap<(i64, i64, String, String), i64> {
    let mut stmt = conn
        .prepare("SELECT department_id, operator_id, status, due_date, n FROM task_tally")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok(((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?), r.get(4)?))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn tallies_match_the_tasks_after_random_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("presswork.db");
    drop(presswork::store::Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    // Rows here stand alone: no orders, lines or users behind them.
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let mut rng = Lcg(42);
    let (mut claims, mut completions, mut work_ms) = (0i64, 0i64, 0i64);
    let mut ids: Vec<i64> = Vec::new();
    let due = |d: i64| format!("2026-12-{:02}", d + 1);
    conn.execute_batch("BEGIN").unwrap();
    for step in 0..3000i64 {
        let now = 1_800_000_000_000 + step * 60_000;
        match rng.below(10) {
            0..=2 => {
                let status = STATUSES[rng.below(7) as usize];
                let op = (status != "pending" && status != "draft").then(|| 1 + rng.below(4));
                let claimed = op.map(|_| now);
                conn.execute(
                    "INSERT INTO tasks (work_order_id, line_id, process_id, department_id, sequence, priority,
                        due_date, quantity, status, operator_id, published_at, claimed_at, worked_ms, completed_at,
                        created_at, updated_at)
                     VALUES (1, 1, 1, ?1, 1, 1, ?2, 10, ?3, ?4, ?5, ?6, 500, ?7, ?5, ?5)",
                    params![1 + rng.below(3), due(rng.below(5)), status, op, now - 1000, claimed, (status == "completed").then_some(now)],
                )
                .unwrap();
                claims += i64::from(claimed.is_some());
                if status == "completed" {
                    completions += 1;
                    work_ms += 500;
                }
                ids.push(conn.last_insert_rowid());
            }
            _ if ids.is_empty() => {}
            3 => {
                let id = ids.swap_remove(rng.below(ids.len() as u64) as usize);
                conn.execute("DELETE FROM tasks WHERE id = ?1", [id])
                    .unwrap();
            }
            4 => {
                let id = ids[rng.below(ids.len() as u64) as usize];
                conn.execute(
                    "UPDATE tasks SET department_id = ?2, due_date = ?3, updated_at = ?4 WHERE id = ?1",
                    params![id, 1 + rng.below(3), due(rng.below(5)), now],
                )
                .unwrap();
            }
            5..=6 => {
                // A claim or assignment: always a new claimed_at.
                let id = ids[rng.below(ids.len() as u64) as usize];
                conn.execute(
                    "UPDATE tasks SET status = 'assigned', operator_id = ?2, claimed_at = ?3, updated_at = ?3 WHERE id = ?1",
                    params![id, 1 + rng.below(4), now],
                )
                .unwrap();
                claims += 1;
            }
            7 => {
                let id = ids[rng.below(ids.len() as u64) as usize];
                let was: String = conn
                    .query_row("SELECT status FROM tasks WHERE id = ?1", [id], |r| r.get(0))
                    .unwrap();
                conn.execute(
                    "UPDATE tasks SET status = 'completed', worked_ms = worked_ms + 100, completed_at = ?2, updated_at = ?2 WHERE id = ?1",
                    params![id, now],
                )
                .unwrap();
                // Worked time is credited by the work segments, not by the completion.
                if was != "completed" {
                    completions += 1;
                }
            }
            _ => {
                // Release, cancel, or an update that touches the columns without changing them.
                let id = ids[rng.below(ids.len() as u64) as usize];
                let (status, op) = [
                    ("pending", None),
                    ("cancelled", Some(2)),
                    ("paused", Some(3)),
                ][rng.below(3) as usize];
                conn.execute(
                    "UPDATE tasks SET status = ?2, operator_id = COALESCE(?3, operator_id), updated_at = ?4 WHERE id = ?1",
                    params![id, status, op, now],
                )
                .unwrap();
                conn.execute(
                    "UPDATE tasks SET status = status, due_date = due_date WHERE id = ?1",
                    [id],
                )
                .unwrap();
            }
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    assert!(
        ids.len() > 100,
        "the run kept enough tasks to mean something"
    );
    assert_eq!(tally(&conn), full_count(&conn));
    let sums: (i64, i64, i64) = conn
        .query_row(
            "SELECT SUM(claims), SUM(completions), SUM(work_ms) FROM task_daily",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(sums, (claims, completions, work_ms));
    // A work segment that closes credits its operator with its time and quantities.
    let task = ids[0];
    conn.execute(
        "INSERT INTO task_segments (task_id, operator_id, started_at, good, scrap) VALUES (?1, 2, ?2, 40, 1)",
        params![task, 1_900_000_000_000i64 - 7000],
    )
    .unwrap();
    conn.execute(
        "UPDATE task_segments SET ended_at = ?1 WHERE ended_at IS NULL",
        [1_900_000_000_000i64],
    )
    .unwrap();
    let credited: (i64, i64, i64) = conn
        .query_row(
            "SELECT SUM(work_ms), SUM(good), SUM(scrap) FROM task_daily WHERE operator_id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(
        credited.0 >= 7000 && credited.1 == 40 && credited.2 == 1,
        "{credited:?}"
    );
    let last: i64 = conn
        .query_row(
            "SELECT MAX(last_claimed_at) FROM operator_activity",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let newest: i64 = conn
        .query_row("SELECT MAX(claimed_at) FROM tasks", [], |r| r.get(0))
        .unwrap();
    assert!(last >= newest);
}
