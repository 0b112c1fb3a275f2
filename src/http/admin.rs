//! Routes for changing people and the process catalogue (admin pages).

use super::auth::{actor, with_app};
use super::input::{body, parse_json};
use super::ok;
use crate::service::{process_admin, user_admin, Actor};
use crate::App;
use bytes::Bytes;
use warp::reply::Response;
use warp::Filter;

pub fn routes(app: App) -> warp::filters::BoxedFilter<(Response,)> {
    let edit_user = warp::path!("users" / i64)
        .and(warp::patch())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app.clone()))
        .and_then(|id, app: App, body: Bytes, actor: Actor| async move {
            ok(match parse_json(&body) {
                Ok(patch) => user_admin::update_user(&app.store, &app.hub, &actor, id, patch).await,
                Err(e) => Err(e),
            })
        });
    let password = warp::path!("users" / i64 / "password")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app.clone()))
        .and_then(|id, app: App, body: Bytes, actor: Actor| async move {
            ok(match parse_json(&body) {
                Ok(input) => {
                    user_admin::reset_password(&app.store, &app.hub, &actor, id, input).await
                }
                Err(e) => Err(e),
            })
        });
    let edit_process = warp::path!("processes" / i64)
        .and(warp::patch())
        .and(with_app(app.clone()))
        .and(body())
        .and(actor(app))
        .and_then(|id, app: App, body: Bytes, actor: Actor| async move {
            ok(match parse_json(&body) {
                Ok(patch) => process_admin::update_process(&app.store, &actor, id, patch).await,
                Err(e) => Err(e),
            })
        });
    edit_user
        .or(password)
        .unify()
        .or(edit_process)
        .unify()
        .boxed()
}
