//! Routes for department settings: `PATCH /departments/{id}` (strategy, delay, WIP cap), and
//! `GET /departments/{id}/load` (what each operator holds against the cap). Listing
//! departments is in `catalog`.

use super::auth::{actor, with_app};
use super::input::{body, parse_json};
use super::ok;
use crate::service::{departments, wip, Actor};
use crate::App;
use bytes::Bytes;
use std::convert::Infallible;
use warp::reply::Response;
use warp::Filter;

async fn update(id: i64, app: App, body: Bytes, actor: Actor) -> Result<Response, Infallible> {
    ok(match parse_json(&body) {
        Ok(settings) => departments::update_department(&app.store, &actor, id, settings).await,
        Err(e) => Err(e),
    })
}

async fn load(id: i64, app: App, actor: Actor) -> Result<Response, Infallible> {
    ok(wip::department_load(&app.store, &actor, id).await)
}

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    let update = warp::path!("departments" / i64)
        .and(warp::patch())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app.clone()))
        .and_then(update);
    let load = warp::path!("departments" / i64 / "load")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app))
        .and_then(load);
    update.or(load).unify().boxed()
}
