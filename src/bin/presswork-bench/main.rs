//! `presswork-bench`: measures presswork's hot reads on a large seeded database.
//!
//! `presswork-bench seed --tasks 10000000 --dir D` seeds a year of a busy shop once;
//! `stats --dir D` times the workload statistics and a dispatcher pass, `list --dir D` the task
//! list. Without `--dir`, `stats` and `list` seed a temporary database and remove it after.

mod db;
mod list;
mod seed;
mod stats;
mod timing;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "presswork-bench", about = "Benchmarks for presswork")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Seeds N tasks into --dir (once), for later `stats` and `list` runs.
    Seed {
        #[command(flatten)]
        db: db::DbArgs,
    },
    /// Times the workload statistics and a dispatcher pass.
    Stats {
        #[command(flatten)]
        db: db::DbArgs,
        /// Timed runs of each query.
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
    /// Times the task list: first and deep pages for each role.
    List {
        #[command(flatten)]
        db: db::DbArgs,
        /// Timed runs of each query.
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Print SQLite's query plan of each case first.
        #[arg(long)]
        explain: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let load = timing::load_average();
    match Cli::parse().command {
        Command::Seed { db } => {
            anyhow::ensure!(db.has_dir(), "seed needs --dir: where to keep the database");
            runtime.block_on(db.open())?;
        }
        Command::Stats { db, runs } => runtime.block_on(async {
            let bench = db.open().await?;
            stats::run(&bench, runs).await
        })?,
        Command::List { db, runs, explain } => runtime.block_on(async {
            let bench = db.open().await?;
            list::run(&bench, runs, explain).await
        })?,
    }
    println!(
        "load average (1, 5, 15 min): {load} at the start, {} at the end",
        timing::load_average()
    );
    Ok(())
}
