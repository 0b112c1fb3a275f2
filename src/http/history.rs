//! Routes for history: a task's and a work order's events, in the caller's scope.

use super::auth::{actor, with_app};
use super::input::{parse_query, query};
use super::ok;
use crate::service::{history, Actor};
use crate::App;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

pub fn routes(app: App) -> BoxedFilter<(Response,)> {
    let task = warp::path!("tasks" / i64 / "history")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and(query())
        .and_then(|id, app: App, actor: Actor, query: String| async move {
            ok(match parse_query(&query) {
                Ok(q) => history::task_history(&app.store, &actor, id, q).await,
                Err(e) => Err(e),
            })
        });
    let order = warp::path!("work-orders" / i64 / "history")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app))
        .and(query())
        .and_then(|id, app: App, actor: Actor, query: String| async move {
            ok(match parse_query(&query) {
                Ok(q) => history::work_order_history(&app.store, &actor, id, q).await,
                Err(e) => Err(e),
            })
        });
    task.or(order).unify().boxed()
}
