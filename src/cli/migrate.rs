//! `presswork migrate [--check]`: report or apply pending schema migrations. Applying takes
//! a verified snapshot first and refuses while a server holds the data dir.

use crate::config::Config;
use crate::store::migrations::CURRENT;
use crate::store::{lock, upgrade};
use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// Only report what would be done.
    #[arg(long)]
    pub check: bool,
}

pub fn run(config: &Config, args: MigrateArgs) -> anyhow::Result<()> {
    let db = config.db_path();
    if !db.exists() {
        say!(
            "no database yet at {}; `presswork serve` creates one",
            db.display()
        )?;
        return Ok(());
    }
    let plan =
        upgrade::check(&db, &CURRENT).with_context(|| format!("checking {}", db.display()))?;
    if plan.from == plan.to {
        say!("schema version {}: up to date", plan.from)?;
        return Ok(());
    }
    if args.check {
        say!(
            "schema version {}: {} migration step(s) pending to version {}",
            plan.from,
            plan.steps(),
            plan.to
        )?;
        return Ok(());
    }
    let _held = lock::acquire(&config.lock_path()).context("refusing to migrate")?;
    let up = upgrade::migrate_safely(&db, &config.backups(), &CURRENT)
        .with_context(|| format!("migrating {}", db.display()))?;
    if let Some(snapshot) = &up.snapshot {
        say!("snapshot taken first: {}", snapshot.display())?;
    }
    say!(
        "migrated from schema version {} to {}",
        up.pending.from,
        up.pending.to
    )?;
    Ok(())
}
