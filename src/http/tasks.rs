//! Routes for tasks: the scoped list, one task, and the claim.

use super::auth::{actor, with_app};
use super::input::{parse_query, query};
use super::ok;
use crate::service::{tasks, Actor};
use crate::App;
use std::convert::Infallible;
use warp::reply::Response;
use warp::Filter;

async fn list(app: App, actor: Actor, query: String) -> Result<Response, Infallible> {
    ok(match parse_query(&query) {
        Ok(filter) => tasks::list_tasks(&app.store, &actor, filter).await,
        Err(e) => Err(e),
    })
}

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    let list = warp::path!("tasks")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and(query())
        .and_then(list);
    let get = warp::path!("tasks" / i64)
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|id, app: App, actor: Actor| async move {
            ok(tasks::get_task(&app.store, &actor, id).await)
        });
    let claim = warp::path!("tasks" / i64 / "claim")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(actor(app))
        .and_then(|id, app: App, actor: Actor| async move {
            ok(tasks::claim_task(&app.store, &actor, id).await)
        });
    list.or(get).unify().or(claim).unify().boxed()
}
