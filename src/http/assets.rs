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

pub fn routes() -> warp::filters::BoxedFilter<(Response,)> {
    warp::get()
        .and(warp::path::tail())
        .and_then(|tail: warp::path::Tail| async move {
            let path = tail.as_str();
            if path.starts_with("api/") {
                return Err(warp::reject::not_found());
            }
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
