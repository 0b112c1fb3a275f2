//! The workload statistics and the dispatcher on the seeded database, as the server runs them.

use crate::db::Bench;
use crate::timing::{header, report, time};
use presswork::service::stats::{workload, WorkloadQuery};
use presswork::service::{dispatch, now_ms, Error};

pub async fn run(bench: &Bench, runs: usize) -> anyhow::Result<()> {
    let store = &bench.store;
    let month = WorkloadQuery::default();
    let year = WorkloadQuery {
        from: Some((chrono::Local::now().date_naive() - chrono::Duration::days(365)).to_string()),
        to: None,
    };
    header();
    for (label, who, query) in [
        ("workload, admin, last 30 days", &bench.admin, &month),
        ("workload, admin, last 366 days", &bench.admin, &year),
        (
            "workload, supervisor (2 departments), 30 days",
            &bench.supervisor,
            &month,
        ),
        ("workload, operator, 30 days", &bench.operator, &month),
    ] {
        let timings = time(runs, || {
            let (store, who, query) = (store.clone(), who.clone(), query.clone());
            async move {
                let w = workload(&store, &who, query).await.expect("workload");
                serde_json::to_vec(&w).expect("json").len()
            }
        })
        .await;
        report(label, timings);
    }
    // A dispatcher pass over every pending pool, as if every department were automatic. The
    // strategy is put back afterwards, so a kept database serves the next run unchanged.
    let strategies = |set: &'static str| {
        store.write(move |conn| {
            conn.execute_batch(set).map_err(Error::from)?;
            Ok::<_, Error>(())
        })
    };
    strategies(
        "CREATE TABLE IF NOT EXISTS bench_strategies AS SELECT id, strategy FROM departments;
         UPDATE departments SET strategy = 'least_loaded';",
    )
    .await?;
    let timings = time(runs.min(50), || {
        let store = store.clone();
        async move {
            dispatch::scan(&store, now_ms())
                .await
                .expect("scan")
                .due
                .len()
        }
    })
    .await;
    report("dispatcher scan, all departments automatic", timings);
    strategies(
        "UPDATE departments SET strategy = (SELECT b.strategy FROM bench_strategies b
             WHERE b.id = departments.id);
         DROP TABLE bench_strategies;",
    )
    .await?;
    // What the maintained tallies save: counting the task table itself.
    let timings = time(runs.min(10), || {
        let store = store.clone();
        async move {
            store
                .read(|conn| {
                    let mut stmt = conn.prepare_cached(
                        "SELECT department_id, operator_id, status, COUNT(*) FROM tasks GROUP BY 1, 2, 3",
                    )?;
                    let n = stmt.query_map([], |_| Ok(()))?.count();
                    Ok::<_, Error>(n)
                })
                .await
                .expect("count")
        }
    })
    .await;
    report("(baseline) GROUP BY over the whole task table", timings);
    Ok(())
}
