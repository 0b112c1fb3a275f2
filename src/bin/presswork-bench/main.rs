//! `presswork-bench`: measures presswork's hot reads on a large seeded database.
//!
//! `presswork-bench stats --tasks 1000000` seeds a year of a busy shop into a temporary
//! database and prints p50/p99 of the workload query (as `GET /stats/workload` runs it,
//! JSON included), of a dispatcher pass, and of a plain full count for comparison.

mod seed;

use anyhow::Context;
use clap::{Parser, Subcommand};
use presswork::domain::Role;
use presswork::service::stats::{workload, WorkloadQuery};
use presswork::service::{dispatch, now_ms, seed::ensure_catalog, Actor};
use presswork::store::Store;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "presswork-bench", about = "Benchmarks for presswork")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Seeds N tasks and times the workload statistics and a dispatcher pass.
    Stats {
        #[arg(long, default_value_t = 1_000_000)]
        tasks: usize,
        /// Timed runs of each query.
        #[arg(long, default_value_t = 200)]
        runs: usize,
        #[arg(long, default_value_t = 60)]
        operators: usize,
        /// Orders of the last this many days are still open.
        #[arg(long, default_value_t = 14)]
        open_days: i64,
        /// Where to put the database (default: a fresh directory under the system temp dir,
        /// removed afterwards). A database already there is reused as it is, without seeding.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Stats {
            tasks,
            runs,
            operators,
            open_days,
            dir,
        } => {
            let keep = dir.is_some();
            let dir = dir.unwrap_or_else(|| {
                std::env::temp_dir().join(format!("presswork-bench-{}", std::process::id()))
            });
            std::fs::create_dir_all(&dir)?;
            let shape = seed::Shape {
                tasks,
                operators,
                open_days,
                now: now_ms(),
            };
            let result = tokio::runtime::Runtime::new()?.block_on(stats(&dir, &shape, runs));
            if !keep {
                let _ = std::fs::remove_dir_all(&dir);
            }
            result
        }
    }
}

fn actor(id: i64, role: Role, department_ids: Vec<i64>) -> Actor {
    Actor {
        id,
        username: "bench".into(),
        display_name: "bench".into(),
        role,
        department_ids,
        locale: None,
    }
}

async fn stats(dir: &std::path::Path, shape: &seed::Shape, runs: usize) -> anyhow::Result<()> {
    let path = dir.join("presswork.db");
    let reuse = path.exists();
    let store = Store::open(&path).context("opening the database")?;
    ensure_catalog(&store).await?;
    let started = Instant::now();
    let open = if reuse {
        println!("reusing the seeded database {}", path.display());
        0
    } else {
        let conn = rusqlite::Connection::open(&path)?;
        // Seeding is a bulk load: durability per batch does not matter, speed does.
        conn.execute_batch("PRAGMA synchronous = OFF; BEGIN; PRAGMA defer_foreign_keys = ON;")?;
        let open = seed::seed(&conn, shape)?;
        conn.execute_batch("COMMIT")?;
        open
    };
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    if !reuse {
        println!(
            "seeded {} tasks ({open} open, {} operators) in {:.1} s; database {:.0} MB",
            shape.tasks,
            shape.operators,
            started.elapsed().as_secs_f64(),
            size as f64 / 1e6
        );
    }
    let tally_ok = store
        .read(|conn| {
            let rows: i64 = conn.query_row("SELECT COUNT(*) FROM task_tally", [], |r| r.get(0))?;
            let sum: i64 = conn.query_row("SELECT SUM(n) FROM task_tally", [], |r| r.get(0))?;
            let days: i64 = conn.query_row("SELECT COUNT(*) FROM task_daily", [], |r| r.get(0))?;
            // The seed numbers tasks 1..=N, so the highest id is the task count.
            let tasks: i64 =
                conn.query_row("SELECT COALESCE(MAX(id), 0) FROM tasks", [], |r| r.get(0))?;
            Ok::<_, presswork::service::Error>((rows, sum, days, tasks))
        })
        .await?;
    println!(
        "tallies: {} tally rows summing to {} tasks; {} daily rows",
        tally_ok.0, tally_ok.1, tally_ok.2
    );
    anyhow::ensure!(
        tally_ok.1 == tally_ok.3,
        "the tally does not add up to the {} tasks",
        tally_ok.3
    );

    let (sup_departments, op_id, op_department) = store
        .read(|conn| {
            let deps: Vec<i64> = conn
                .prepare("SELECT department_id FROM user_departments ud JOIN users u ON u.id = ud.user_id WHERE u.username = 'sup'")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let (op, dep): (i64, i64) = conn.query_row(
                "SELECT u.id, ud.department_id FROM users u JOIN user_departments ud ON ud.user_id = u.id WHERE u.username = 'op0'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok::<_, presswork::service::Error>((deps, op, dep))
        })
        .await?;
    let admin = actor(1, Role::Admin, vec![]);
    let supervisor = actor(2, Role::Supervisor, sup_departments);
    let operator = actor(op_id, Role::Operator, vec![op_department]);
    let month = WorkloadQuery::default();
    let year = WorkloadQuery {
        from: Some((chrono::Local::now().date_naive() - chrono::Duration::days(365)).to_string()),
        to: None,
    };
    println!(
        "\n{:<46} {:>9} {:>9} {:>9}",
        "query", "p50 ms", "p99 ms", "cpu ms"
    );
    for (label, who, query) in [
        ("workload, admin, last 30 days", &admin, &month),
        ("workload, admin, last 366 days", &admin, &year),
        (
            "workload, supervisor (2 departments), 30 days",
            &supervisor,
            &month,
        ),
        ("workload, operator, 30 days", &operator, &month),
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
    // A dispatcher pass over every pending pool, as if every department were automatic.
    store
        .write(|conn| {
            conn.execute("UPDATE departments SET strategy = 'least_loaded'", [])
                .map_err(presswork::service::Error::from)
        })
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
    // What the maintained tallies save: counting the task table itself.
    let timings = time(runs.min(10), || {
        let store = store.clone();
        async move {
            store
                .read(|conn| {
                    let mut stmt = conn.prepare_cached("SELECT department_id, operator_id, status, COUNT(*) FROM tasks GROUP BY 1, 2, 3")?;
                    let n = stmt.query_map([], |_| Ok(()))?.count();
                    Ok::<_, presswork::service::Error>(n)
                })
                .await
                .expect("count")
        }
    })
    .await;
    report("(baseline) GROUP BY over the whole task table", timings);
    Ok(())
}

/// Wall times of each run, and the process CPU time they used in all.
struct Timings {
    wall: Vec<Duration>,
    cpu: Option<Duration>,
}

/// CPU time (user + system) this process has used so far, where the OS tells it cheaply.
/// Wall times on a shared machine include waiting for a core; CPU time does not.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at state, field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(Duration::from_millis(ticks * 10))
}

async fn time<F, Fut, T>(runs: usize, mut f: F) -> Timings
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    // One untimed run warms the page cache and the statement caches.
    std::hint::black_box(f().await);
    let mut wall = Vec::with_capacity(runs);
    let cpu_before = cpu_time();
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f().await);
        wall.push(start.elapsed());
    }
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    Timings { wall, cpu }
}

fn report(label: &str, mut t: Timings) {
    t.wall.sort();
    let runs = t.wall.len();
    let at = |q: f64| {
        let i = ((runs as f64 * q).ceil() as usize).clamp(1, runs) - 1;
        t.wall[i].as_secs_f64() * 1000.0
    };
    let cpu = t
        .cpu
        .map(|c| format!("{:>9.2}", c.as_secs_f64() * 1000.0 / runs as f64))
        .unwrap_or_else(|| format!("{:>9}", "n/a"));
    println!(
        "{label:<46} {:>9.2} {:>9.2} {cpu}   ({runs} runs)",
        at(0.50),
        at(0.99)
    );
}
