//! The route template of a request path (`/api/v1/tasks/{id}/claim`), from the documented
//! operations, so metric labels stay a small fixed set whatever paths clients send: a path
//! no operation has is `unmatched`, a page or file of the web UI is `static`.

use super::openapi;
use std::sync::LazyLock;

/// Every documented path, split into segments; `{...}` matches any one segment.
static TEMPLATES: LazyLock<Vec<(&'static str, Vec<&'static str>)>> = LazyLock::new(|| {
    let mut paths: Vec<&'static str> = openapi::operations().iter().map(|op| op.path).collect();
    paths.sort_unstable();
    paths.dedup();
    paths
        .into_iter()
        .map(|p| (p, p.split('/').collect()))
        .collect()
});

/// The template `path` belongs to; `status` 404 is `unmatched` whatever the path looked like.
pub fn template_of(path: &str, status: u16) -> &'static str {
    let api = path.starts_with("/api/") || path == "/healthz" || path == "/metrics";
    if !api {
        return if status == 404 { "unmatched" } else { "static" };
    }
    let segments: Vec<&str> = path.split('/').collect();
    // A literal segment beats a parameter: `/tasks/batch` before `/tasks/{id}`.
    let mut best: Option<(&'static str, usize)> = None;
    for (template, parts) in TEMPLATES.iter() {
        if parts.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let fits = parts.iter().zip(&segments).all(|(t, s)| {
            if t.starts_with('{') {
                !s.is_empty()
            } else {
                literal += 1;
                t == s
            }
        });
        if fits && best.is_none_or(|(_, l)| literal > l) {
            best = Some((template, literal));
        }
    }
    match best {
        Some((template, _)) if status != 404 => template,
        _ => "unmatched",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fold_to_their_documented_template() {
        assert_eq!(
            template_of("/api/v1/tasks/42/claim", 200),
            "/api/v1/tasks/{id}/claim"
        );
        assert_eq!(
            template_of("/api/v1/tasks/batch", 200),
            "/api/v1/tasks/batch"
        );
        assert_eq!(
            template_of("/api/v1/tasks/xyz-random", 405),
            "/api/v1/tasks/{id}"
        );
        assert_eq!(template_of("/api/v1/tasks/42/claim", 404), "unmatched");
        assert_eq!(template_of("/api/v1/tasks/42/bogus", 400), "unmatched");
        assert_eq!(template_of("/api/v1/nothing/here/at/all", 401), "unmatched");
        assert_eq!(template_of("/js/app.js", 200), "static");
        assert_eq!(template_of("/js/nope.js", 404), "unmatched");
        assert_eq!(template_of("/healthz", 200), "/healthz");
    }
}
