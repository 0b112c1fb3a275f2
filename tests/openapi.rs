//! The OpenAPI document describes exactly the routes the server has: every `warp::path!` route
//! declared in `src/http/` is in the document, and every documented route answers (it is not a
//! 404 "no such route" nor a 405).

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// (method, path) of every route declared in the source, with typed segments as `{*}`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/http");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for (i, _) in source.match_indices("warp::path!(") {
            let rest = &source[i + "warp::path!(".len()..];
            let args = &rest[..rest.find(')').unwrap()];
            let segments: Vec<String> = args
                .split('/')
                .map(|seg| {
                    let seg = seg.trim();
                    match seg.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                        Some(literal) => literal.to_owned(),
                        None => "{*}".to_owned(),
                    }
                })
                .collect();
            // The method filter follows the path in the same chain.
            let chain = &rest[..rest
                .find(';')
                .unwrap_or(rest.len())
                .min(rest.find("let ").unwrap_or(rest.len()))];
            let method = ["get", "post", "patch", "put", "delete"]
                .into_iter()
                .find(|m| chain.contains(&format!("warp::{m}()")))
                .unwrap_or("get");
            let top_level = matches!(segments[0].as_str(), "healthz" | "metrics");
            let prefix = if top_level { "" } else { "/api/v1" };
            found.insert((
                method.to_owned(),
                format!("{prefix}/{}", segments.join("/")),
            ));
        }
    }
    found
}

fn matches(pattern: &str, documented: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (
        pattern.split('/').collect(),
        documented.split('/').collect(),
    );
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(p, d)| p == d || *p == "{*}" || (d.starts_with('{') && *p == "{*}"))
}

fn documented(doc: &Value) -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.push((method.clone(), path.clone()));
        }
    }
    ops
}

#[test]
fn the_document_and_the_routes_agree() {
    let s = TestServer::start();
    let (status, doc) = s.anonymous().get("/api/v1/openapi.json");
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let mut ops = documented(&doc);
    // Probe with a session of its own, and sign it out last.
    ops.sort_by_key(|(_, p)| p.ends_with("/logout"));
    let prober = Client::login(&s.base, "admin", ADMIN_PASSWORD);
    let source = routes_in_source();
    assert!(
        source.len() >= 10,
        "the scan found too few routes: {source:?}"
    );
    for (method, pattern) in &source {
        assert!(
            ops.iter().any(|(m, p)| m == method && matches(pattern, p)),
            "{} {pattern} is served but not in the OpenAPI document",
            method.to_uppercase()
        );
    }
    for (method, path) in &ops {
        assert!(
            source.iter().any(|(m, p)| m == method && matches(p, path)),
            "{} {path} is documented but no route declares it",
            method.to_uppercase()
        );
        // And it really answers: anything but "no such route" or "wrong method".
        let concrete = path.replace("{id}", "1").replace("{code}", "DEFECT");
        let (status, body) = prober.send(&method.to_uppercase(), &concrete, b"{}");
        let no_route = status == 404 && body["error"]["message"] == "no such page or API route";
        assert!(
            !no_route && status != 405,
            "{} {concrete} answered {status} {body}",
            method.to_uppercase()
        );
    }
}

#[test]
fn every_schema_reference_resolves() {
    let s = TestServer::start();
    let (_, doc) = s.anonymous().get("/api/v1/openapi.json");
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (i, _) in text.match_indices("\"$ref\":\"#/components/schemas/") {
        let rest = &text[i + "\"$ref\":\"#/components/schemas/".len()..];
        let name = &rest[..rest.find('"').unwrap()];
        assert!(schemas.contains_key(name), "dangling $ref to {name}");
    }
    let task = &schemas["TaskView"]["properties"];
    assert!(task["status"].is_object() && task["quantity"].is_object());
}
