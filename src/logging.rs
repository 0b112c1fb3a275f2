//! Logging through `tracing`: readable lines (or JSON for a service manager) on stderr, and
//! for the server a daily rolling file in the data dir. Sets up the subscriber only; it
//! decides nothing about what is logged.

use crate::config::{Config, LogFormat};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

/// Keeps the file writer flushing; drop it last (at the end of `main`'s command).
pub struct Guard(#[allow(dead_code)] Option<tracing_appender::non_blocking::WorkerGuard>);

/// Rolling files kept under `<data dir>/logs`: two weeks of days.
const KEEP_LOG_FILES: usize = 14;
pub const LOG_PREFIX: &str = "presswork";

type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

fn layer<W>(format: LogFormat, writer: W, ansi: bool) -> BoxedLayer
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(ansi)
        // A log that cannot be written (disk full) must never take a request down with it.
        .log_internal_errors(false);
    match format {
        LogFormat::Text => fmt.boxed(),
        LogFormat::Json => fmt.json().flatten_event(true).boxed(),
    }
}

/// `Targets` takes the same `level` and `target=level,...` filters as `EnvFilter`, without
/// its span and field matching, which would pull a regex engine (~1 MiB) into the binary.
fn filter(config: &Config) -> Targets {
    config
        .log_level
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO))
}

/// Console logging only, for the one-shot verbs (backup, restore, import...).
pub fn init_console(config: &Config) -> Guard {
    let stderr = layer(config.log_format, std::io::stderr, false);
    let _ = tracing_subscriber::registry()
        .with(vec![stderr])
        .with(filter(config))
        .try_init();
    Guard(None)
}

/// Console plus, when `log.file` is on, the rolling file. Returns where the file goes.
pub fn init_server(config: &Config) -> (Guard, Option<std::path::PathBuf>) {
    let mut layers = vec![layer(config.log_format, std::io::stderr, false)];
    let mut guard = None;
    let mut shown = None;
    if config.log_file {
        let dir = config.log_dir();
        let _ = std::fs::create_dir_all(&dir);
        let appender = tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(LOG_PREFIX)
            .filename_suffix("log")
            .max_log_files(KEEP_LOG_FILES)
            .build(&dir);
        match appender {
            Ok(appender) => {
                let (writer, g) = tracing_appender::non_blocking(appender);
                layers.push(layer(config.log_format, writer, false));
                guard = Some(g);
                shown = Some(dir.join(format!("{LOG_PREFIX}.YYYY-MM-DD.log")));
            }
            // Logging to the console still works; say why the file does not.
            Err(e) => eprintln!("warning: no log file in {}: {e}", dir.display()),
        }
    }
    let _ = tracing_subscriber::registry()
        .with(layers)
        .with(filter(config))
        .try_init();
    (Guard(guard), shown)
}
