//! Operations endpoints outside the API: `/metrics` in the Prometheus text format.
//! (`/healthz` lives in routes.rs.) Unauthenticated like /healthz: it shows counts, never
//! names, orders or prices.

use super::auth::with_app;
use crate::store::SCHEMA_VERSION;
use crate::App;
use warp::filters::BoxedFilter;
use warp::http::header;
use warp::reply::Response;
use warp::{Filter, Reply};

pub fn metrics(app: App) -> BoxedFilter<(Response,)> {
    warp::path!("metrics")
        .and(super::get_or_head())
        .and(with_app(app))
        .map(|app: App| {
            let text = app.metrics.render(&app.store.pool_stats(), SCHEMA_VERSION);
            warp::reply::with_header(text, header::CONTENT_TYPE, "text/plain; version=0.0.4")
                .into_response()
        })
        .boxed()
}
