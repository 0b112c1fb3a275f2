//! Routes for the signed-in person's inbox: list, unread count, mark one or all read.

use super::auth::{actor, with_app};
use super::input::{parse_query, query};
use super::ok;
use crate::service::{notifications, Actor};
use crate::App;
use std::convert::Infallible;
use warp::reply::Response;
use warp::Filter;

async fn list(app: App, actor: Actor, query: String) -> Result<Response, Infallible> {
    ok(match parse_query(&query) {
        Ok(q) => notifications::list_inbox(&app.store, &actor, q).await,
        Err(e) => Err(e),
    })
}

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    let list = warp::path!("notifications")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and(query())
        .and_then(list);
    let unread = warp::path!("notifications" / "unread-count")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|app: App, actor: Actor| async move {
            ok(notifications::unread_count(&app.store, &actor).await)
        });
    let read = warp::path!("notifications" / i64 / "read")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|id, app: App, actor: Actor| async move {
            ok(notifications::mark_read(&app.store, &actor, id).await)
        });
    let read_all = warp::path!("notifications" / "read-all")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(actor(app))
        .and_then(|app: App, actor: Actor| async move {
            ok(notifications::mark_all_read(&app.store, &actor).await)
        });
    list.or(unread)
        .unify()
        .or(read)
        .unify()
        .or(read_all)
        .unify()
        .boxed()
}
