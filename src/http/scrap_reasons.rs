//! Routes for the scrap reason list: everyone reads it; admins and managers keep it.

use super::auth::{actor, with_app};
use super::input::{body, parse_json};
use super::{ok, respond};
use crate::service::{scrap_reasons, Actor};
use crate::App;
use bytes::Bytes;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

pub fn routes(app: App) -> BoxedFilter<(Response,)> {
    let list = warp::path!("scrap-reasons")
        .and(super::get_or_head())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and_then(|app: App, actor: Actor| async move {
            ok(scrap_reasons::list_scrap_reasons(&app.store, &actor).await)
        });
    let create = warp::path!("scrap-reasons")
        .and(warp::post())
        .and(with_app(app.clone()))
        .and(actor(app.clone()))
        .and(body())
        .and_then(|app: App, actor: Actor, body: Bytes| async move {
            let result = match parse_json(&body) {
                Ok(input) => scrap_reasons::create_scrap_reason(&app.store, &actor, input).await,
                Err(e) => Err(e),
            };
            Ok::<_, std::convert::Infallible>(respond(StatusCode::CREATED, result))
        });
    let edit = warp::path!("scrap-reasons" / String)
        .and(warp::patch())
        .and(with_app(app.clone()))
        .and(actor(app))
        .and(body())
        .and_then(
            |code: String, app: App, actor: Actor, body: Bytes| async move {
                ok(match parse_json(&body) {
                    Ok(patch) => {
                        scrap_reasons::edit_scrap_reason(&app.store, &actor, code, patch).await
                    }
                    Err(e) => Err(e),
                })
            },
        );
    list.or(create).unify().or(edit).unify().boxed()
}
