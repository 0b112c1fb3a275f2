//! The benchmark database: where it lives, seeding it once, and the people the benchmarks
//! act as. Every subcommand gets its database here, so one seeding can serve them all.

use crate::seed;
use anyhow::Context;
use presswork::domain::Role;
use presswork::service::{now_ms, seed::ensure_catalog, Actor, Error};
use presswork::store::Store;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct DbArgs {
    /// Tasks to seed when the database does not exist yet.
    #[arg(long, default_value_t = 1_000_000)]
    tasks: usize,
    #[arg(long, default_value_t = 60)]
    operators: usize,
    /// Orders of the last this many days are still open.
    #[arg(long, default_value_t = 14)]
    open_days: i64,
    /// Where the database lives (default: a fresh directory under the system temp dir,
    /// removed afterwards). A database already there is reused as it is, without seeding.
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// A seeded database, opened through the real store, with the people the benchmarks act as.
pub struct Bench {
    pub store: Store,
    pub admin: Actor,
    /// A supervisor of two departments.
    pub supervisor: Actor,
    /// An operator of one department.
    pub operator: Actor,
    /// Removed on drop when the database was a temporary one.
    temporary: Option<PathBuf>,
}

impl Drop for Bench {
    fn drop(&mut self) {
        if let Some(dir) = &self.temporary {
            let _ = std::fs::remove_dir_all(dir);
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

impl DbArgs {
    pub fn has_dir(&self) -> bool {
        self.dir.is_some()
    }

    /// Opens the database in `--dir`, seeding it first when there is none.
    pub async fn open(&self) -> anyhow::Result<Bench> {
        let temporary = self
            .dir
            .is_none()
            .then(|| std::env::temp_dir().join(format!("presswork-bench-{}", std::process::id())));
        let dir = self.dir.clone().or(temporary.clone()).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("presswork.db");
        if path.exists() {
            println!("reusing the seeded database {}", path.display());
        } else {
            self.seed(&path).await?;
        }
        let store = Store::open(&path).context("opening the database")?;
        check_tallies(&store).await?;
        let (sup_departments, op_id, op_department) = store.read(people).await?;
        Ok(Bench {
            store,
            admin: actor(1, Role::Admin, vec![]),
            supervisor: actor(2, Role::Supervisor, sup_departments),
            operator: actor(op_id, Role::Operator, vec![op_department]),
            temporary,
        })
    }

    async fn seed(&self, path: &Path) -> anyhow::Result<()> {
        let shape = seed::Shape {
            tasks: self.tasks,
            operators: self.operators,
            open_days: self.open_days,
            now: now_ms(),
        };
        let started = Instant::now();
        // The store creates the schema and the catalogue; the seed then loads in bulk.
        let store = Store::open(path).context("creating the database")?;
        ensure_catalog(&store).await?;
        drop(store);
        let conn = rusqlite::Connection::open(path)?;
        let open = seed::seed(&conn, &shape)?;
        drop(conn);
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "seeded {} tasks ({open} open, {} operators) in {:.1} s; database {:.0} MB",
            shape.tasks,
            shape.operators,
            started.elapsed().as_secs_f64(),
            size as f64 / 1e6
        );
        Ok(())
    }
}

/// The maintained tallies must add up to the task table, or the stats would be wrong.
async fn check_tallies(store: &Store) -> anyhow::Result<()> {
    let (rows, sum, days, tasks) = store
        .read(|conn| {
            let rows: i64 = conn.query_row("SELECT COUNT(*) FROM task_tally", [], |r| r.get(0))?;
            let sum: i64 = conn.query_row("SELECT SUM(n) FROM task_tally", [], |r| r.get(0))?;
            let days: i64 = conn.query_row("SELECT COUNT(*) FROM task_daily", [], |r| r.get(0))?;
            // The seed numbers tasks 1..=N, so the highest id is the task count.
            let tasks: i64 =
                conn.query_row("SELECT COALESCE(MAX(id), 0) FROM tasks", [], |r| r.get(0))?;
            Ok::<_, Error>((rows, sum, days, tasks))
        })
        .await?;
    println!("{tasks} tasks; tallies: {rows} tally rows summing to {sum} tasks; {days} daily rows");
    anyhow::ensure!(
        sum == tasks,
        "the tally does not add up to the {tasks} tasks"
    );
    Ok(())
}

/// The seeded supervisor's departments, and an operator of the department whose pool holds
/// the most pending tasks (some departments' processes come first in every order, so their
/// pools stay empty) with that department.
fn people(conn: &rusqlite::Connection) -> Result<(Vec<i64>, i64, i64), Error> {
    let deps: Vec<i64> = conn
        .prepare(
            "SELECT department_id FROM user_departments ud JOIN users u ON u.id = ud.user_id
             WHERE u.username = 'sup'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let (op, dep) = conn.query_row(
        "SELECT u.id, ud.department_id FROM users u JOIN user_departments ud ON ud.user_id = u.id
         WHERE u.role = 'operator' AND ud.department_id = (SELECT department_id FROM task_tally
             WHERE status = 'pending' GROUP BY department_id ORDER BY SUM(n) DESC LIMIT 1)
         ORDER BY u.id LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((deps, op, dep))
}
