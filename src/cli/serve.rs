//! `presswork serve` (and a bare `presswork`, as a double-click runs it): lock the data dir,
//! migrate safely, seed, then run the HTTP server and the background loops until Ctrl-C or
//! SIGTERM, and stop them all in order.

use crate::config::{Config, Loaded};
use crate::events::hub::{Hub, HubSettings};
use crate::service::{order_flow, seed};
use crate::shutdown::{self, Shutdown};
use crate::store::refusal::is_read_only_io;
use crate::store::{lock, schema_version_of, Store, StoreError, SCHEMA_VERSION};
use crate::App;
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// How long the loops get to finish their current step once shutdown fires.
const LOOP_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {}

pub fn run(loaded: Loaded, _args: ServeArgs) -> anyhow::Result<()> {
    let (_logging, log_file) = crate::logging::init_server(&loaded.config);
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    let config = loaded.config;
    let (held, read_only) = match lock::acquire(&config.lock_path()) {
        Ok(held) => (Some(held), false),
        // The lock file is the first thing serve writes: failing there is how a read-only
        // data dir shows up.
        Err(lock::LockError::Io { source, .. }) if is_read_only_io(&source) => {
            (lock::share(&config.lock_path())?, true)
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(pid) = held.as_ref().and_then(|h| h.stale_pid) {
        tracing::info!(
            pid,
            "the previous server (pid {pid}) did not stop cleanly; taking over its data dir"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(serve(config, log_file, read_only));
    drop(held);
    result
}

/// The store of a server on a read-only data dir: the existing database, at this schema
/// version (an upgrade would need to write), opened for reading only.
fn open_read_only(config: &Config) -> anyhow::Result<Store> {
    let db = config.db_path();
    let store = Store::open_read_only(&db).with_context(|| {
        format!(
            "the data directory {} is read-only; opening {} for reading",
            config.data_dir.display(),
            db.display()
        )
    })?;
    let found = store.read_blocking(|conn| schema_version_of(conn).map_err(StoreError::from))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        }
        .into());
    }
    if found < SCHEMA_VERSION {
        anyhow::bail!(
            "the database is at schema version {found} and this presswork needs {SCHEMA_VERSION}; \
             the upgrade needs a writable data directory ({} is read-only)",
            config.data_dir.display()
        );
    }
    Ok(store)
}

const READ_ONLY_NOTICE: &str = "READ-ONLY: the data directory cannot be written; serving reads \
    only, every change is refused until presswork is restarted with a writable data directory";

type Server = Pin<Box<dyn Future<Output = ()> + Send>>;

/// warp's bind error repeats its cause in its own message and again as its source (and so
/// does hyper's beneath it); say it once, in the operating system's own words.
fn once(e: &warp::Error, doing: String) -> anyhow::Error {
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    anyhow::anyhow!("{doing}: {cause}")
}

fn bind(app: &App, shutdown: &Shutdown) -> anyhow::Result<(SocketAddr, Server)> {
    let config = &app.config;
    let routes = crate::http::routes(app.clone());
    let signal = {
        let mut shutdown = shutdown.clone();
        async move { shutdown.wait().await }
    };
    match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => {
            let (addr, server) = warp::serve(routes)
                .tls()
                .cert_path(cert)
                .key_path(key)
                .try_bind_with_graceful_shutdown(config.addr, signal)
                .map_err(|e| {
                    once(
                        &e,
                        format!(
                            "serving HTTPS on {} with {} and {}",
                            config.addr,
                            cert.display(),
                            key.display()
                        ),
                    )
                })?;
            Ok((addr, Box::pin(server)))
        }
        _ => {
            let (addr, server) = warp::serve(routes)
                .try_bind_with_graceful_shutdown(config.addr, signal)
                .map_err(|e| once(&e, format!("listening on {}", config.addr)))?;
            Ok((addr, Box::pin(server)))
        }
    }
}

async fn serve(
    config: Config,
    log_file: Option<std::path::PathBuf>,
    read_only: bool,
) -> anyhow::Result<()> {
    let store = if read_only {
        tracing::warn!(dir = %config.data_dir.display(), "{READ_ONLY_NOTICE}");
        tokio::task::block_in_place(|| open_read_only(&config))?
    } else {
        tokio::task::block_in_place(|| super::open_store(&config))?
    };
    if !read_only {
        seed::ensure_catalog(&store).await?;
        // An upgrade leaves the orders' flow to be derived once by the new rules.
        let settled = order_flow::settle_stale(&store).await?;
        if settled > 0 {
            tracing::info!(orders = settled, "derived the flow of upgraded work orders");
        }
    }
    let (trigger, shutdown) = shutdown::channel();
    // One signal tells the HTTP server, the live hub and every loop to stop.
    let hub = Hub::start(
        store.clone(),
        HubSettings::from_config(&config),
        shutdown.watch(),
    );
    let app = App::new(
        store.clone(),
        Arc::new(config.clone()),
        hub.clone(),
        shutdown.clone(),
    );
    crate::loops::backups::note_newest(&app);
    let (addr, server) = bind(&app, &shutdown)?;
    // Only once the port is ours: a start that fails to bind must not create the admin, or
    // the password printed once would be lost with that start.
    if !read_only {
        first_admin(&store, &config).await?;
    }
    let tick = Duration::from_millis(config.dispatch_tick_ms);
    // Each loop exists to write (a backup, alerts, assignments): none has work when nothing
    // can be written.
    let loops = if read_only {
        tracing::info!("read-only: scheduled backups, overdue alerts and auto-dispatch are off");
        Vec::new()
    } else {
        vec![
            tokio::spawn(crate::loops::backups::run(app.clone(), shutdown.clone())),
            tokio::spawn(crate::loops::overdue::run(app.clone(), shutdown.watch())),
            tokio::spawn(crate::loops::dispatcher::run(
                app.clone(),
                tick,
                shutdown.clone(),
            )),
        ]
    };
    if read_only {
        say!("{READ_ONLY_NOTICE}")?;
    }
    super::console::announce(&config, addr, log_file.as_deref());
    tokio::spawn(async move {
        shutdown::os_signal().await;
        tracing::info!("shutting down: no new connections; finishing requests in flight");
        trigger.fire();
    });
    server.await;
    // Live clients got a close frame telling them where to resume; let them say goodbye.
    if !hub.drained(Duration::from_secs(5)).await {
        tracing::warn!(
            left = hub.connections(),
            "some live clients did not close in time"
        );
    }
    for handle in loops {
        if tokio::time::timeout(LOOP_GRACE, handle).await.is_err() {
            tracing::warn!("a background loop did not stop in time");
        }
    }
    tokio::task::block_in_place(|| store.checkpoint()).context(
        "folding the write-ahead log back into the database on the way out; nothing \
         committed is lost: the next start with a writable data directory folds it in",
    )?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// The first admin, on a database that has none; its password is shown here, once.
async fn first_admin(store: &Store, config: &Config) -> anyhow::Result<()> {
    if let Some((password, generated)) =
        seed::ensure_admin(store, config.admin_password.clone()).await?
    {
        if generated {
            say!("First run: created user 'admin' with password: {password}")?;
            say!("  (shown only this once; change it after signing in)")?;
        } else {
            say!(
                "First run: created user 'admin' with the password from PRESSWORK_ADMIN_PASSWORD"
            )?;
        }
    }
    Ok(())
}
