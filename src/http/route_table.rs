//! The route template of a request path (`/api/v1/tasks/{id}/claim`), from the documented
//! operations, so metric labels stay a small fixed set whatever paths clients send: a path
//! no operation has is `unmatched`, a page or file of the web UI is `static`.

use super::openapi;
use std::collections::HashSet;
use std::sync::LazyLock;

struct Table {
    /// Every documented operation: its method (upper case), path, and the path's segments.
    ops: Vec<(String, &'static str, Vec<&'static str>)>,
    /// Segments some route spells out, at any position (e.g. "batch", "claim").
    literal: HashSet<&'static str>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let ops: Vec<_> = openapi::operations()
        .iter()
        .map(|op| {
            (
                op.method.to_uppercase(),
                op.path,
                op.path.split('/').collect(),
            )
        })
        .collect();
    let literal = ops
        .iter()
        .flat_map(|(_, _, segs): &(String, &str, Vec<&'static str>)| segs.iter().copied())
        .filter(|s| !s.starts_with('{'))
        .collect();
    Table { ops, literal }
});

/// Paths of the API and the operations endpoints, as opposed to the web UI's.
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path == "/metrics"
}

/// Does a documented path match a request path? `{param}` takes any segment no route spells
/// out: `/tasks/batch` is the batch route, not task "batch".
fn fits(segments: &[&str], path: &[&str], literal: &HashSet<&str>) -> bool {
    segments.len() == path.len()
        && segments
            .iter()
            .zip(path)
            .all(|(d, p)| d == p || (d.starts_with('{') && !p.is_empty() && !literal.contains(p)))
}

/// The documented operations `path` belongs to: (method, template).
fn matching(path: &str) -> impl Iterator<Item = (&'static str, &'static str)> + use<'_> {
    let segments: Vec<&str> = path.split('/').collect();
    TABLE
        .ops
        .iter()
        .filter(move |(_, _, segs)| fits(segs, &segments, &TABLE.literal))
        .map(|(method, template, _)| (method.as_str(), *template))
}

/// The methods the documented routes at `path` take, in document order, without repeats.
pub fn methods_at(path: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (method, _) in matching(path) {
        if !out.contains(&method) {
            out.push(method);
        }
    }
    out
}

/// The template `path` belongs to, for a metric label; 404 is `unmatched` whatever the path.
pub fn template_of(path: &str, status: u16) -> &'static str {
    if !is_api(path) {
        return if status == 404 { "unmatched" } else { "static" };
    }
    match matching(path).next() {
        Some((_, template)) if status != 404 => template,
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
