//! `presswork config check`: the effective configuration, every value with where it came
//! from (default, config.toml, environment or flag), secrets redacted. A key presswork does
//! not know (a typo such as `keeep`) fails the check: the server only warns and starts, so
//! this is the place a mistake must not pass quietly.

use crate::config::Loaded;

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration and where each value came from.
    Check,
}

pub fn run(loaded: &Loaded, cmd: ConfigCommand) -> anyhow::Result<()> {
    match cmd {
        ConfigCommand::Check => {
            let found = if loaded.file_found {
                "found"
            } else {
                "not found; defaults apply"
            };
            say!("config file: {} ({found})", loaded.file.display())?;
            for (key, value, source) in loaded.describe() {
                say!("{key:<34} = {:<36} # {source}", format!("{value:?}"))?;
            }
            for warning in &loaded.warnings {
                say!("warning: {warning}")?;
            }
            if !loaded.warnings.is_empty() {
                anyhow::bail!(
                    "config check found {} problem(s) in {}; see the warnings above",
                    loaded.warnings.len(),
                    loaded.file.display()
                );
            }
        }
    }
    Ok(())
}
