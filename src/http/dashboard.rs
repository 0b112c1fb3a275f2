//! Route for the manager dashboard's figures: `GET /stats/dashboard`.

use super::auth::{actor, with_app};
use super::ok;
use crate::service::{dashboard, Actor};
use crate::App;
use warp::reply::Response;
use warp::Filter;

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    warp::path!("stats" / "dashboard")
        .and(warp::get())
        .and(with_app(app.clone()))
        .and(actor(app))
        .and_then(|app: App, actor: Actor| async move {
            ok(dashboard::dashboard(&app.store, &actor).await)
        })
        .boxed()
}
