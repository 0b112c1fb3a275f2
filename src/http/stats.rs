//! Routes for statistics: `GET /stats/workload?from=&to=`.

use super::auth::{actor, with_app};
use super::input::{parse_query, query};
use super::ok;
use crate::service::{stats, Actor};
use crate::App;
use std::convert::Infallible;
use warp::reply::Response;
use warp::Filter;

async fn workload(app: App, actor: Actor, query: String) -> Result<Response, Infallible> {
    ok(match parse_query(&query) {
        Ok(q) => stats::workload(&app.store, &actor, q).await,
        Err(e) => Err(e),
    })
}

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    warp::path!("stats" / "workload")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app))
        .and(query())
        .and_then(workload)
        .boxed()
}
