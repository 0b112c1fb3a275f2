//! `presswork serve`: open (create, migrate, seed) the database and run the HTTP server and
//! the background loops until Ctrl-C or SIGTERM.

use crate::config::Config;
use crate::events::hub::{Hub, HubSettings};
use crate::service::seed;
use crate::store::Store;
use crate::App;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; use 0.0.0.0:8080 to serve the shop's LAN.
    #[arg(long, env = "PRESSWORK_ADDR")]
    pub addr: Option<SocketAddr>,
}

pub fn run(config: Config, _args: ServeArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
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
    // One watch tells the HTTP server, the live hub and every loop to stop.
    let (stop, shutdown) = watch::channel(false);
    let hub = Hub::start(store.clone(), HubSettings::from_env(), shutdown.clone());
    let app = App {
        store: store.clone(),
        config: Arc::new(config.clone()),
        hub: hub.clone(),
    };
    let routes = crate::http::routes(app.clone());
    let mut stopped = shutdown.clone();
    let (addr, server) = warp::serve(routes)
        .try_bind_with_graceful_shutdown(config.addr, async move {
            let _ = stopped.wait_for(|s| *s).await;
        })
        .with_context(|| format!("listening on {}", config.addr))?;
    let overdue = tokio::spawn(crate::loops::overdue::run(app, shutdown.clone()));
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
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
    let _ = overdue.await;
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
