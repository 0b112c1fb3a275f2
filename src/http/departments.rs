//! Routes for department settings: `PATCH /departments/{id}` (strategy, delay, WIP cap).
//! Listing departments is in `catalog`.

use super::auth::{actor, with_app};
use super::input::{body, parse_json};
use super::ok;
use crate::service::{departments, Actor};
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

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    warp::path!("departments" / i64)
        .and(warp::patch())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app))
        .and_then(update)
        .boxed()
}
