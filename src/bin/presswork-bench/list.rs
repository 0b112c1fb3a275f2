//! The task list on the seeded database, as `GET /api/v1/tasks` runs it: first pages and
//! deep keyset pages for each role's usual views, JSON serialisation of the page included.

use crate::db::Bench;
use crate::timing::{header, report, time};
use presswork::domain::TaskStatus;
use presswork::service::tasks::{list_statements, list_tasks, make_cursor, TaskFilter};
use presswork::service::views::READY_SQL;
use presswork::service::{Actor, Error};

struct Case {
    label: String,
    actor: Actor,
    filter: TaskFilter,
    /// The id the page must start with (a deep page's row right after its cursor).
    first_id: Option<i64>,
}

/// A page after a cursor taken from the middle of the rows `filter` lists for `actor`, found
/// with the list's own visibility predicate and order. `extra` narrows it like the filter.
async fn deep(
    bench: &Bench,
    label: &str,
    actor: &Actor,
    filter: TaskFilter,
    extra: &str,
) -> anyhow::Result<Case> {
    let predicate = format!("{}{extra}", actor.scope().task_predicate());
    let rows = bench
        .store
        .read(move |conn| {
            let sql = format!(
                "SELECT t.priority, t.due_date, t.id FROM tasks t WHERE {predicate}
                 ORDER BY t.priority DESC, t.due_date, t.id LIMIT 2
                 OFFSET (SELECT COUNT(*) / 2 FROM tasks t WHERE {predicate})"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows: Vec<(i64, String, i64)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            Ok::<_, Error>(rows)
        })
        .await?;
    let Some((priority, due, id)) = rows.first().cloned() else {
        anyhow::bail!("{label}: no rows to page through");
    };
    let next = rows.get(1).map(|r| r.2);
    Ok(Case {
        label: label.to_owned(),
        actor: actor.clone(),
        filter: TaskFilter {
            cursor: Some(make_cursor(priority, &due, id)),
            ..filter
        },
        first_id: next,
    })
}

fn first(label: &str, actor: &Actor, filter: TaskFilter) -> Case {
    Case {
        label: label.to_owned(),
        actor: actor.clone(),
        filter,
        first_id: None,
    }
}

/// An order number from the middle of the history: a search that matches one order.
async fn middle_order(bench: &Bench) -> anyhow::Result<String> {
    Ok(bench
        .store
        .read(|conn| {
            conn.query_row(
                "SELECT number FROM work_orders WHERE id = (SELECT MAX(id) / 2 FROM work_orders)",
                [],
                |r| r.get(0),
            )
            .map_err(Error::from)
        })
        .await?)
}

async fn cases(bench: &Bench) -> anyhow::Result<Vec<Case>> {
    let (admin, sup, op) = (&bench.admin, &bench.supervisor, &bench.operator);
    let all = TaskFilter::default();
    let in_progress = TaskFilter {
        status: Some(TaskStatus::InProgress),
        ..TaskFilter::default()
    };
    let sup_department = sup.department_ids[0];
    let department = TaskFilter {
        department_id: Some(sup_department),
        ..TaskFilter::default()
    };
    let board_column = TaskFilter {
        department_id: Some(sup_department),
        status: Some(TaskStatus::InProgress),
        limit: Some(500),
        ..TaskFilter::default()
    };
    let op_department = op.department_ids[0];
    let pool = TaskFilter {
        department_id: Some(op_department),
        status: Some(TaskStatus::Pending),
        ready: Some(true),
        limit: Some(40),
        ..TaskFilter::default()
    };
    let held = TaskFilter {
        operator_id: Some(op.id),
        status: Some(TaskStatus::InProgress),
        limit: Some(200),
        ..TaskFilter::default()
    };
    let search = |q: String| TaskFilter {
        q: Some(q),
        ..TaskFilter::default()
    };
    let pool_sql =
        format!(" AND t.department_id = {op_department} AND t.status = 'pending' AND {READY_SQL}");
    Ok(vec![
        first("admin, all tasks, first page", admin, all.clone()),
        deep(
            bench,
            "admin, all tasks, middle page",
            admin,
            all.clone(),
            "",
        )
        .await?,
        first(
            "admin, status=in_progress, first page",
            admin,
            in_progress.clone(),
        ),
        deep(
            bench,
            "admin, status=in_progress, middle page",
            admin,
            in_progress,
            " AND t.status = 'in_progress'",
        )
        .await?,
        first(
            "admin, q=<one order's number>",
            admin,
            search(middle_order(bench).await?),
        ),
        first(
            "admin, q=<a customer: 1 order in 500>",
            admin,
            search("Customer 250".into()),
        ),
        first("admin, q=<in every order>", admin, search("Box".into())),
        first("admin, q=<no match>", admin, search("no such text".into())),
        first("supervisor, 2 departments, first page", sup, all.clone()),
        deep(
            bench,
            "supervisor, 2 departments, middle page",
            sup,
            all,
            "",
        )
        .await?,
        first(
            "supervisor, one department, first page",
            sup,
            department.clone(),
        ),
        deep(
            bench,
            "supervisor, one department, middle page",
            sup,
            department,
            &format!(" AND t.department_id = {sup_department}"),
        )
        .await?,
        first(
            "supervisor, board column (500 in progress)",
            sup,
            board_column,
        ),
        first(
            "operator, pool (pending, ready), first page",
            op,
            pool.clone(),
        ),
        deep(
            bench,
            "operator, pool (pending, ready), middle page",
            op,
            pool,
            &pool_sql,
        )
        .await?,
        first("operator, own tasks in progress (200)", op, held),
    ])
}

/// Prints SQLite's plan of each statement `list_tasks` runs for the case.
async fn explain(bench: &Bench, case: &Case) -> anyhow::Result<()> {
    let (actor, filter) = (case.actor.clone(), case.filter.clone());
    let plans = bench
        .store
        .read(move |conn| {
            let mut plans = Vec::new();
            for (sql, args) in list_statements(conn, &actor, &filter)? {
                let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(3)?,
                    ))
                })?;
                let rows: Vec<_> = rows.collect::<Result<_, _>>()?;
                plans.push(rows);
            }
            Ok::<_, Error>(plans)
        })
        .await?;
    println!("\n{}", case.label);
    for (n, plan) in plans.iter().enumerate() {
        println!("  statement {}:", n + 1);
        // Indent each step under its parent, as the sqlite3 shell does.
        let mut depth: Vec<(i64, usize)> = Vec::new();
        for (id, parent, detail) in plan {
            while depth.last().is_some_and(|d| d.0 != *parent) {
                depth.pop();
            }
            let level = depth.last().map_or(0, |d| d.1 + 1);
            println!("    {}{detail}", "  ".repeat(level));
            depth.push((*id, level));
        }
    }
    Ok(())
}

pub async fn run(bench: &Bench, runs: usize, plans: bool) -> anyhow::Result<()> {
    let cases = cases(bench).await?;
    if plans {
        for case in &cases {
            explain(bench, case).await?;
        }
    }
    header();
    for case in cases {
        let page = list_tasks(&bench.store, &case.actor, case.filter.clone()).await?;
        if let Some(id) = case.first_id {
            anyhow::ensure!(
                page.items.first().map(|t| t.id) == Some(id),
                "{}: the page does not start right after its cursor",
                case.label
            );
        }
        let rows = page.items.len();
        let timings = time(runs, || {
            let (store, actor, filter) =
                (bench.store.clone(), case.actor.clone(), case.filter.clone());
            async move {
                let page = list_tasks(&store, &actor, filter).await.expect("list");
                serde_json::to_vec(&page).expect("json").len()
            }
        })
        .await;
        report(&format!("{} [{rows}]", case.label), timings);
    }
    Ok(())
}
