//! `PATCH /departments/{id}`: who may change dispatch settings, how each field is checked,
//! and the event the change leaves.

mod common;

use common::*;
use serde_json::{json, Value};

fn department(client: &Client, code: &str) -> Value {
    let (_, list) = client.get("/api/v1/departments");
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap()
        .clone()
}

#[test]
fn admins_and_managers_change_settings_and_everyone_sees_them() {
    let s = TestServer::start();
    let manager = s.user("boss", "manager", &[]);
    let supervisor = s.user("sup", "supervisor", &["PRINTING"]);
    let id = department_id(&s.admin, "PRINTING");
    let path = format!("/api/v1/departments/{id}");
    let (status, body) = s.admin.patch(
        &path,
        &json!({"strategy": "round_robin", "auto_assign_delay_s": 30, "wip_cap": 3}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["strategy"].as_str(),
            body["auto_assign_delay_s"].as_i64(),
            body["wip_cap"].as_i64()
        ),
        (Some("round_robin"), Some(30), Some(3))
    );
    let seen = department(&supervisor, "PRINTING");
    assert_eq!(
        (seen["strategy"].as_str(), seen["wip_cap"].as_i64()),
        (Some("round_robin"), Some(3))
    );
    // null clears the cap; fields left out stay as they were.
    let (status, body) = manager.patch(&path, &json!({"wip_cap": null}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["wip_cap"], Value::Null);
    assert_eq!(
        (
            body["strategy"].as_str(),
            body["auto_assign_delay_s"].as_i64()
        ),
        (Some("round_robin"), Some(30))
    );
    // The event names each change, from and to, and who made it.
    let conn = rusqlite::Connection::open_with_flags(
        s.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT department_id, data FROM events WHERE kind = 'department.updated' ORDER BY id",
        )
        .unwrap();
    let events: Vec<(i64, Value)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                serde_json::from_str(&r.get::<_, String>(1)?).unwrap(),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].0, id);
    assert_eq!(
        events[0].1["changes"]["strategy"],
        json!({"from": "manual", "to": "round_robin"})
    );
    assert_eq!(
        events[1].1["changes"],
        json!({"wip_cap": {"from": 3, "to": null}})
    );
}

#[test]
fn the_shop_floor_may_not_change_settings() {
    let s = TestServer::start();
    let path = format!(
        "/api/v1/departments/{}",
        department_id(&s.admin, "PRINTING")
    );
    for (name, role) in [("sup", "supervisor"), ("li", "operator"), ("chen", "maker")] {
        let client = s.user(name, role, &["PRINTING"]);
        let (status, body) = client.patch(&path, &json!({"strategy": "least_loaded"}));
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{role}: {body}"
        );
    }
    assert_eq!(department(&s.admin, "PRINTING")["strategy"], "manual");
}

#[test]
fn each_setting_is_checked_and_a_bad_one_changes_nothing() {
    let s = TestServer::start();
    let path = format!(
        "/api/v1/departments/{}",
        department_id(&s.admin, "PRINTING")
    );
    for (body, field) in [
        (json!({"strategy": "fastest"}), "strategy"),
        (
            json!({"strategy": "least_loaded", "auto_assign_delay_s": -1}),
            "auto_assign_delay_s",
        ),
        (
            json!({"auto_assign_delay_s": 86_401}),
            "auto_assign_delay_s",
        ),
        (json!({"strategy": "skill", "wip_cap": 0}), "wip_cap"),
        (json!({"wip_cap": "three"}), "wip_cap"),
        (json!({"colour": "red"}), "colour"),
        (json!({}), "body"),
    ] {
        let (status, reply) = s.admin.patch(&path, &body);
        assert_eq!(
            (status, reply["error"]["field"].as_str()),
            (422, Some(field)),
            "{body}: {reply}"
        );
    }
    let d = department(&s.admin, "PRINTING");
    assert_eq!(
        (
            d["strategy"].as_str(),
            d["auto_assign_delay_s"].as_i64(),
            &d["wip_cap"]
        ),
        (Some("manual"), Some(0), &Value::Null)
    );
    let (status, body) = s
        .admin
        .patch("/api/v1/departments/9999", &json!({"wip_cap": 2}));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, _) = s.anonymous().patch(&path, &json!({"wip_cap": 2}));
    assert_eq!(status, 401);
}
