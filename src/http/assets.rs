//! The web UI, embedded in the binary with rust-embed and served with a content type and
//! cache headers. Unknown paths under `/` fall back to `index.html` (the UI routes itself).

use rust_embed::RustEmbed;
use warp::http::{header, Response as HttpResponse, StatusCode};
use warp::reply::Response;
use warp::Filter;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

fn serve(path: &str) -> Option<Response> {
    let file = Assets::get(path)?;
    let mime = file.metadata.mimetype().to_owned();
    // index.html must always be fresh so a new release's modules are picked up.
    let cache = if path.ends_with(".html") {
        "no-cache"
    } else {
        "public, max-age=300"
    };
    HttpResponse::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, mime)
        .header(header::CACHE_CONTROL, cache)
        .body(file.data.into_owned().into())
        .ok()
}

/// Paths under `api/` are never the UI's. They are turned away before the method is checked,
/// so a request to an API route that does not exist is a 404 whatever its method, and the UI
/// can tell a missing route (404) from a route that exists for another method (405).
fn not_api() -> impl Filter<Extract = (warp::path::Tail,), Error = warp::Rejection> + Clone {
    warp::path::tail().and_then(|tail: warp::path::Tail| async move {
        if tail.as_str().starts_with("api/") {
            Err(warp::reject::not_found())
        } else {
            Ok(tail)
        }
    })
}

pub fn routes() -> warp::filters::BoxedFilter<(Response,)> {
    not_api()
        .and(super::get_or_head())
        .and_then(|tail: warp::path::Tail| async move {
            let path = tail.as_str();
            let wanted = if path.is_empty() { "index.html" } else { path };
            match serve(wanted) {
                Some(r) => Ok(r),
                // Deep links like /work-orders/12 load the app, which routes itself; a missing
                // file with an extension is a real 404.
                None if !wanted.contains('.') => {
                    serve("index.html").ok_or_else(warp::reject::not_found)
                }
                None => Err(warp::reject::not_found()),
            }
        })
        .boxed()
}
