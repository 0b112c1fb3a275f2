//! Bad input gets a clear JSON error with the right status, names the field, and changes nothing.

mod common;

use common::*;
use serde_json::{json, Value};

fn error_code(body: &Value) -> &str {
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not a JSON error: {body}"))
}

fn order_count(s: &TestServer) -> usize {
    let (_, page) = s.admin.get("/api/v1/work-orders?limit=500");
    page["items"].as_array().unwrap().len()
}

#[test]
fn every_failure_is_a_json_error_with_the_right_status() {
    let s = TestServer::start();
    let prt = process_id(&s.admin, "PRT");
    let good = json!({"customer": "c", "product": "p", "quantity": 5, "due_date": "2026-12-01", "processes": [{"process_id": prt}]});
    type Case<'a> = (&'a str, Vec<u8>, u16, &'a str, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (
            "malformed",
            b"{\"customer\":".to_vec(),
            400,
            "malformed_json",
            None,
        ),
        ("empty", b"".to_vec(), 400, "malformed_json", None),
        (
            "not an object",
            b"[1,2]".to_vec(),
            422,
            "invalid_field",
            Some("body"),
        ),
        (
            "missing field",
            br#"{"customer":"c"}"#.to_vec(),
            422,
            "invalid_field",
            Some("product"),
        ),
        (
            "unknown field",
            serde_json::to_vec(&{
                let mut g = good.clone();
                g["colour"] = json!(1);
                g
            })
            .unwrap(),
            422,
            "invalid_field",
            Some("colour"),
        ),
        (
            "wrong type",
            serde_json::to_vec(&{
                let mut g = good.clone();
                g["quantity"] = json!("lots");
                g
            })
            .unwrap(),
            422,
            "invalid_field",
            Some("quantity"),
        ),
        (
            "negative",
            serde_json::to_vec(&{
                let mut g = good.clone();
                g["quantity"] = json!(-5);
                g
            })
            .unwrap(),
            422,
            "invalid_field",
            Some("quantity"),
        ),
        (
            "huge",
            serde_json::to_vec(&{
                let mut g = good.clone();
                g["quantity"] = json!(1e30);
                g
            })
            .unwrap(),
            422,
            "invalid_field",
            Some("quantity"),
        ),
        (
            "bad date",
            serde_json::to_vec(&{
                let mut g = good.clone();
                g["due_date"] = json!("31/12/2026");
                g
            })
            .unwrap(),
            422,
            "invalid_field",
            Some("due_date"),
        ),
        (
            "bad priority",
            serde_json::to_vec(&{
                let mut g = good.clone();
                g["priority"] = json!("asap");
                g
            })
            .unwrap(),
            422,
            "invalid_field",
            Some("priority"),
        ),
        (
            "unknown process",
            serde_json::to_vec(&{
                let mut g = good.clone();
                g["processes"][0]["process_id"] = json!(9999);
                g
            })
            .unwrap(),
            422,
            "invalid_field",
            Some("processes[0].process_id"),
        ),
        (
            "line quantity",
            serde_json::to_vec(&{
                let mut g = good.clone();
                g["processes"][0]["quantity"] = json!(0);
                g
            })
            .unwrap(),
            422,
            "invalid_field",
            Some("processes[0].quantity"),
        ),
        (
            "control chars",
            serde_json::to_vec(&{
                let mut g = good.clone();
                g["customer"] = json!("a\u{0007}b");
                g
            })
            .unwrap(),
            422,
            "invalid_field",
            Some("customer"),
        ),
    ];
    for (name, body, status, code, field) in cases {
        let (got, reply) = s.admin.send("POST", "/api/v1/work-orders", &body);
        assert_eq!(got, status, "{name}: {reply}");
        assert_eq!(error_code(&reply), code, "{name}: {reply}");
        assert!(
            reply["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{name}"
        );
        if let Some(field) = field {
            assert_eq!(reply["error"]["field"], field, "{name}: {reply}");
        }
    }
    assert_eq!(order_count(&s), 0, "no failed request created anything");

    // A 10 MB body is refused from its Content-Length alone, before a byte of it is read. (A
    // client still sending when the 413 comes may see the connection reset instead, so the
    // test announces the size and sends nothing.)
    let reply = raw_request(
        &s.addr,
        &format!(
            "POST /api/v1/work-orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            s.admin.token.as_deref().unwrap(),
            10 * 1024 * 1024
        ),
    );
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("\"body_too_large\""), "{reply}");

    let (status, reply) = s.admin.send("DELETE", "/api/v1/work-orders", b"");
    assert_eq!((status, error_code(&reply)), (405, "method_not_allowed"));
    let (status, reply) = s.admin.get("/api/v1/no-such-thing");
    assert_eq!((status, error_code(&reply)), (404, "not_found"));
    let (status, reply) = s.admin.get("/api/v1/work-orders/abc");
    assert_eq!(status / 100, 4, "{reply}");
    assert!(reply["error"]["code"].is_string());
    let (status, reply) = s.admin.get("/api/v1/work-orders/999999");
    assert_eq!((status, error_code(&reply)), (404, "not_found"));
    let (status, reply) = s.admin.get("/api/v1/tasks?status=sleeping");
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("status"))
    );

    let (status, reply) = s.anonymous().get("/api/v1/tasks");
    assert_eq!((status, error_code(&reply)), (401, "unauthorized"));
    let mut forged = s.anonymous();
    forged.token = Some("0".repeat(64));
    let (status, reply) = forged.get("/api/v1/tasks");
    assert_eq!((status, error_code(&reply)), (401, "unauthorized"));
    let (status, reply) = s.anonymous().post(
        "/api/v1/auth/login",
        &json!({"username": "admin", "password": "wrong-password"}),
    );
    assert_eq!((status, error_code(&reply)), (401, "unauthorized"));
}

#[test]
fn a_failed_edit_leaves_the_order_exactly_as_it_was() {
    let s = TestServer::start();
    let order = create_order(&s.admin, &["CTP", "PRT"]);
    let id = order["id"].as_i64().unwrap();
    // The first line is fine, the second names a process that does not exist: nothing applies.
    let (status, reply) = s.admin.patch(
        &format!("/api/v1/work-orders/{id}"),
        &json!({"customer": "新客户", "processes": [{"process_id": process_id(&s.admin, "CTP")}, {"process_id": 424242}]}),
    );
    assert_eq!(status, 422, "{reply}");
    assert_eq!(reply["error"]["field"], "processes[1].process_id");
    let (_, now) = s.admin.get(&format!("/api/v1/work-orders/{id}"));
    assert_eq!(now["customer"], order["customer"]);
    assert_eq!(now["version"], order["version"]);
    assert_eq!(now["tasks"], order["tasks"]);
    let (_, history) = s.admin.get(&format!("/api/v1/work-orders/{id}"));
    assert_eq!(history["tasks"].as_array().unwrap().len(), 2);
}

/// Sends raw bytes on a fresh connection and returns what the server answers.
fn raw_request(addr: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
        if reply.windows(4).any(|w| w == b"\r\n\r\n") && reply.ends_with(b"}") {
            break;
        }
    }
    String::from_utf8_lossy(&reply).into_owned()
}

/// A refused field names the rule it broke, with its figures, so a screen can word it in
/// its own language instead of showing the server's English.
#[test]
fn a_refused_field_names_its_rule_and_figures() {
    let s = TestServer::start();
    let prt = process_id(&s.admin, "PRT");
    let ctp = process_id(&s.admin, "CTP");
    let order = |extra: Value| {
        let mut body = json!({"customer": "c", "product": "p", "quantity": 5,
                              "due_date": "2026-12-01", "processes": [{"process_id": prt}]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, reply) = s.admin.post("/api/v1/work-orders", &body);
        assert_eq!(status, 422, "{reply}");
        reply["error"].clone()
    };
    let e = order(json!({"quantity": 0}));
    assert_eq!(e["field"], "quantity");
    assert_eq!(
        e["details"],
        json!({"rule": "range", "min": 1, "max": 1_000_000_000})
    );
    let e = order(json!({"customer": "  "}));
    assert_eq!(e["details"], json!({"rule": "required"}));
    let e = order(json!({"notes": "x".repeat(4001)}));
    assert_eq!(e["details"], json!({"rule": "too_long", "max": 4000}));
    let e = order(json!({"processes": [{"process_id": ctp}]}));
    assert_eq!(e["field"], "processes[0].quantity");
    assert_eq!(e["details"], json!({"rule": "needs_colours"}));
    let e = order(json!({"processes": [{"process_id": prt, "needs": [1]},
                                       {"process_id": prt, "needs": [0]}]}));
    assert_eq!(e["details"]["rule"], "cycle", "{e}");
    let e = order(json!({"colour": 1}));
    assert_eq!(e["details"], json!({"rule": "unknown_field"}));
}
