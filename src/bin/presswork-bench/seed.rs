//! Seeds a benchmark database quickly: a year of a busy shop's work orders, lines and tasks in
//! multi-row INSERTs, through the real schema (so the workload triggers do their real work for
//! every row). The secondary indexes of the three big tables are dropped while loading and
//! built again from their own definitions afterwards: one sort per index instead of millions
//! of scattered inserts.

use presswork::domain::Role;
use presswork::service::users::{insert_user, NewUser};
use rusqlite::{params_from_iter, types::Value, Connection};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Rows per INSERT statement (a few more at most): well under SQLite's 32766 bound parameters.
const BATCH: usize = 400;
/// Tasks per transaction: keeps the write-ahead log (and the disk it takes) to a few hundred MB.
const CHUNK: i64 = 500_000;
/// The tables whose secondary indexes are rebuilt after loading.
const BIG_TABLES: &str = "('tasks', 'work_orders', 'work_order_lines')";

pub struct Shape {
    pub tasks: usize,
    pub operators: usize,
    /// Orders created in the last `open_days` days are still being worked; older ones are done.
    pub open_days: i64,
    pub now: i64,
}

/// Deterministic pseudo-random numbers: the same shape seeds the same database.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: i64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n.max(1) as u64) as i64
    }
}

/// Collects rows for one table; `flush` writes them in one multi-row INSERT.
struct Inserter<'c> {
    conn: &'c Connection,
    head: &'static str,
    width: usize,
    rows: Vec<Value>,
}

impl<'c> Inserter<'c> {
    fn new(conn: &'c Connection, head: &'static str, width: usize) -> Self {
        Inserter {
            conn,
            head,
            width,
            rows: Vec::with_capacity(BATCH * width),
        }
    }

    fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.width);
        self.rows.extend(row);
    }

    fn len(&self) -> usize {
        self.rows.len() / self.width
    }

    fn flush(&mut self) -> rusqlite::Result<()> {
        let n = self.rows.len() / self.width;
        if n == 0 {
            return Ok(());
        }
        let one = format!("({})", vec!["?"; self.width].join(","));
        let sql = format!("{} VALUES {}", self.head, vec![one; n].join(","));
        self.conn
            .prepare_cached(&sql)?
            .execute(params_from_iter(self.rows.drain(..)))?;
        Ok(())
    }
}

/// (process id, department id, parallel) in catalogue order.
fn processes(conn: &Connection) -> rusqlite::Result<Vec<(i64, i64, bool)>> {
    let mut stmt =
        conn.prepare("SELECT id, department_id, parallel FROM processes ORDER BY sequence")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

fn add_people(conn: &Connection, shape: &Shape) -> anyhow::Result<Vec<Vec<i64>>> {
    let departments: Vec<(i64, String)> = conn
        .prepare("SELECT id, code FROM departments ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let max_id: i64 = departments.iter().map(|d| d.0).max().unwrap_or(0);
    let mut by_department = vec![Vec::new(); max_id as usize + 1];
    let person = |name: String, role, departments: Vec<String>| NewUser {
        username: name,
        display_name: None,
        role,
        password: String::new(),
        departments,
        skills: vec![],
        locale: None,
    };
    // Nobody signs in to a benchmark database, so no real password hash is needed.
    for i in 0..shape.operators {
        let (id, code) = &departments[i % departments.len()];
        let user = insert_user(
            conn,
            &person(format!("op{i}"), Role::Operator, vec![code.clone()]),
            "-",
        )?;
        by_department[*id as usize].push(user);
    }
    let codes = departments.iter().take(2).map(|d| d.1.clone()).collect();
    insert_user(conn, &person("sup".into(), Role::Supervisor, codes), "-")?;
    Ok(by_department)
}

/// Seeds exactly `shape.tasks` tasks (about four per order) and returns how many are open.
/// Commits as it goes: the connection must not be inside a transaction.
pub fn seed(conn: &Connection, shape: &Shape) -> anyhow::Result<usize> {
    // A bulk load: durability per chunk does not matter, speed does.
    conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")?;
    let indexes: Vec<(String, String)> = conn
        .prepare(&format!(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN {BIG_TABLES}"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX {name}"))?;
    }
    let open = load(conn, shape)?;
    for (_, sql) in &indexes {
        conn.execute_batch(sql)?;
    }
    // No ANALYZE: the appliance never runs it, so the planner here sees what it sees there.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(open)
}

fn load(conn: &Connection, shape: &Shape) -> anyhow::Result<usize> {
    // Tasks may reach the database before the order they belong to (each table is written
    // in its own batches), so foreign keys are checked at each commit, not per statement.
    // Batches vary a little in size; each size is one cached statement.
    conn.set_prepared_statement_cache_capacity(256);
    conn.execute_batch("BEGIN")?;
    let catalogue = processes(conn)?;
    let operators = add_people(conn, shape)?;
    let mut rng = Lcg(7);
    let total = shape.tasks as i64;
    let span = 365 * DAY_MS;
    let mut order_rows = Inserter::new(
        conn,
        "INSERT INTO work_orders (id, number, customer, product, quantity, due_date, priority, status, created_at, updated_at)",
        10,
    );
    let mut line_rows = Inserter::new(
        conn,
        "INSERT INTO work_order_lines (id, work_order_id, position, process_id, quantity, parallel)",
        6,
    );
    let mut task_rows = Inserter::new(
        conn,
        "INSERT INTO tasks (id, work_order_id, line_id, process_id, department_id, sequence, parallel, priority,
            due_date, quantity, good_qty, status, operator_id, assigned_via, published_at, claimed_at,
            started_at, completed_at, worked_ms, created_at, updated_at)",
        21,
    );
    let (mut task_id, mut open) = (0i64, 0usize);
    let mut o = 0i64;
    while task_id < total {
        o += 1;
        // Orders arrive evenly over the year, oldest first.
        let created = shape.now - span + task_id * span / total;
        let due = chrono::DateTime::from_timestamp_millis(created + (7 + rng.below(15)) * DAY_MS)
            .map(|d| d.date_naive().to_string())
            .unwrap_or_default();
        let priority = rng.below(4);
        let live = created > shape.now - shape.open_days * DAY_MS;
        let cancelled = !live && rng.below(20) == 0;
        // Between two and six processes, in catalogue order.
        let k = (2 + rng.below(5)).min(total - task_id);
        let mut picks: Vec<usize> = (0..catalogue.len()).collect();
        while picks.len() > k as usize {
            picks.remove(rng.below(picks.len() as i64) as usize);
        }
        // How far a live order has got: tasks before `reached` are done, `reached` is at work.
        let reached = if live { rng.below(k) } else { k };
        let status = if cancelled {
            "cancelled"
        } else if live {
            "in_progress"
        } else {
            "completed"
        };
        order_rows.push(vec![
            o.into(),
            format!("B{o:09}").into(),
            // 500 customers, each with every 500th order or so.
            format!("客户{0:03} Customer {0:03}", (o * 7919) % 500).into(),
            "彩盒 Box".to_owned().into(),
            5000i64.into(),
            due.clone().into(),
            priority.into(),
            status.to_owned().into(),
            created.into(),
            created.into(),
        ]);
        let mut at = created + rng.below(2 * HOUR_MS);
        for (seq, &p) in picks.iter().enumerate() {
            let (process, department, parallel) = catalogue[p];
            task_id += 1;
            let seq = seq as i64;
            line_rows.push(vec![
                task_id.into(),
                o.into(),
                (seq + 1).into(),
                process.into(),
                5000i64.into(),
                parallel.into(),
            ]);
            let people = &operators[department as usize];
            let operator = people.get(rng.below(people.len() as i64) as usize).copied();
            let published = at;
            let claimed = published + rng.below(4 * HOUR_MS);
            let worked = 10 * 60_000 + rng.below(6 * HOUR_MS);
            let done = claimed + worked + rng.below(HOUR_MS);
            let (status, good, holder) = match seq.cmp(&reached) {
                _ if cancelled => ("cancelled", 0, None),
                std::cmp::Ordering::Less => ("completed", 5000, operator),
                std::cmp::Ordering::Equal => (
                    ["assigned", "in_progress", "paused"][rng.below(3) as usize],
                    rng.below(5000),
                    operator,
                ),
                std::cmp::Ordering::Greater => ("pending", 0, None),
            };
            open += usize::from(matches!(
                status,
                "pending" | "assigned" | "in_progress" | "paused"
            ));
            let claimed_at = holder.map(|_| claimed);
            let completed_at = (status == "completed").then_some(done);
            let worked_ms = if status == "completed" { worked } else { 0 };
            let started = (status != "assigned")
                .then_some(claimed + 60_000)
                .filter(|_| holder.is_some());
            task_rows.push(vec![
                task_id.into(),
                o.into(),
                task_id.into(),
                process.into(),
                department.into(),
                (seq + 1).into(),
                parallel.into(),
                priority.into(),
                due.clone().into(),
                5000i64.into(),
                good.into(),
                status.to_owned().into(),
                holder.into(),
                holder.map(|_| "claim".to_owned()).into(),
                published.into(),
                claimed_at.into(),
                started.into(),
                completed_at.into(),
                worked_ms.into(),
                created.into(),
                completed_at.unwrap_or(published).into(),
            ]);
            at = done;
        }
        // Orders before their lines before their tasks: foreign keys hold at every statement.
        // (Deferring them instead makes SQLite look for the children of every new order,
        // which without the dropped indexes is a scan of the task table per order.)
        if task_rows.len() >= BATCH {
            order_rows.flush()?;
            line_rows.flush()?;
            task_rows.flush()?;
        }
        if task_id / CHUNK != (task_id - k) / CHUNK {
            conn.execute_batch("COMMIT; BEGIN")?;
        }
    }
    order_rows.flush()?;
    line_rows.flush()?;
    task_rows.flush()?;
    conn.execute_batch("COMMIT")?;
    Ok(open)
}
