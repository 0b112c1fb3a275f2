//! `presswork serve`: open (create, migrate, seed) the database and run the HTTP server and
//! the background loops until Ctrl-C or SIGTERM.

use crate::config::Config;
use crate::events::hub::{Hub, HubSettings};
use crate::loops;
use crate::service::seed;
use crate::store::Store;
use crate::App;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; use 0.0.0.0:8080 to serve the shop's LAN.
    #[arg(long, env = "PRESSWORK_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Longest pause (ms) between the dispatcher's looks at the pools (default 1000). It also
    /// wakes on every change and when an auto-assign delay runs out.
    #[arg(long, env = "PRESSWORK_DISPATCH_TICK_MS")]
    pub dispatch_tick_ms: Option<u64>,
}

pub fn run(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(config, args))
}

async fn serve(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    let db = config.db_path();
    let store =
        Store::open(&db).with_context(|| format!("opening the database {}", db.display()))?;
    seed::ensure_catalog(&store).await?;
    let given = std::env::var("PRESSWORK_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    if let Some((password, generated)) = seed::ensure_admin(&store, given).await? {
        if generated {
            println!("First run: created user 'admin' with password: {password}");
            println!("  (shown only this once; change it after signing in)");
        } else {
            println!(
                "First run: created user 'admin' with the password from PRESSWORK_ADMIN_PASSWORD"
            );
        }
    }
    // One signal tells the HTTP server, the live hub and every loop to stop.
    let (trigger, shutdown) = loops::shutdown_channel();
    let hub = Hub::start(store.clone(), HubSettings::from_env(), shutdown.watch());
    let app = App {
        store: store.clone(),
        config: Arc::new(config.clone()),
        hub: hub.clone(),
    };
    let routes = crate::http::routes(app.clone());
    let mut server_shutdown = shutdown.clone();
    let (addr, server) = warp::serve(routes)
        .try_bind_with_graceful_shutdown(config.addr, async move { server_shutdown.wait().await })
        .with_context(|| format!("listening on {}", config.addr))?;
    let tick = args
        .dispatch_tick_ms
        .map(Duration::from_millis)
        .unwrap_or(loops::dispatcher::DEFAULT_TICK);
    let background = vec![
        tokio::spawn(loops::overdue::run(app.clone(), shutdown.watch())),
        tokio::spawn(loops::dispatcher::run(app, tick, shutdown)),
    ];
    tokio::spawn(async move {
        shutdown_signal().await;
        trigger.fire();
    });
    println!("presswork listening on http://{addr}");
    println!("data directory: {}", config.data_dir.display());
    server.await;
    tracing::info!("shutting down");
    // Live clients got a close frame telling them where to resume; let them say goodbye.
    if !hub.drained(Duration::from_secs(5)).await {
        tracing::warn!(
            left = hub.connections(),
            "some live clients did not close in time"
        );
    }
    for task in background {
        // A loop finishes its current pass (a few writes at most) and stops; never hang on one.
        if tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .is_err()
        {
            tracing::warn!("a background loop did not stop in time");
        }
    }
    store.checkpoint().context("checkpointing the database")?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
