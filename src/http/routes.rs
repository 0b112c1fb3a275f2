//! The whole route tree, the security headers, and the single `recover`.

use super::{assets, auth, catalog, errors, tasks, work_orders};
use crate::App;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::Filter;

pub fn api(app: App) -> BoxedFilter<(Response,)> {
    let allowed = std::sync::Arc::new(app.config.allowed_origins.clone());
    warp::path("api")
        .and(warp::path("v1"))
        .and(super::security::same_origin(allowed))
        .and(
            auth::routes(app.clone())
                .or(catalog::routes(app.clone()))
                .unify()
                .or(work_orders::routes(app.clone()))
                .unify()
                .or(tasks::routes(app))
                .unify(),
        )
        .boxed()
}

fn health(app: App) -> BoxedFilter<(Response,)> {
    warp::path!("healthz")
        .and(warp::get())
        .and(auth::with_app(app))
        .and_then(|app: App| async move {
            let result = crate::service::health::check(&app.store).await;
            super::ok(result)
        })
        .boxed()
}

pub fn routes(app: App) -> BoxedFilter<(Response,)> {
    let tls = app.config.tls();
    let metrics = app.metrics.clone();
    api(app.clone())
        .or(health(app.clone()))
        .unify()
        .or(super::ops::metrics(app))
        .unify()
        .or(assets::routes())
        .unify()
        .recover(errors::recover)
        .unify()
        .map(move |r: Response| super::security::headers(r, tls))
        .with(warp::log::custom(move |info| {
            metrics.observe_request(
                info.method().as_str(),
                info.path(),
                info.status().as_u16(),
                info.elapsed(),
            )
        }))
        .with(warp::trace::request())
        .map(warp::reply::Reply::into_response)
        .boxed()
}
