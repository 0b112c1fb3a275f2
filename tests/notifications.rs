//! The notifications inbox and the overdue watch against the real server: approving or
//! rejecting an order tells its maker; overdue and long-unclaimed urgent tasks tell their
//! department's supervisors, once.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn order(client: &Client, codes: &[&str], priority: &str, due: &str) -> Value {
    let processes: Vec<Value> = codes
        .iter()
        .map(|c| json!({"process_id": process_id(client, c)}))
        .collect();
    let (status, body) = client.post(
        "/api/v1/work-orders",
        &json!({"customer": "华彩包装", "product": "彩盒", "quantity": 1000, "due_date": due,
                "priority": priority, "amount": 350.0, "processes": processes}),
    );
    assert_eq!(status, 201, "{body}");
    body
}

fn inbox(client: &Client) -> Value {
    let (status, body) = client.get("/api/v1/notifications");
    assert_eq!(status, 200, "{body}");
    body
}

fn kinds(inbox: &Value) -> Vec<String> {
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["event"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// Polls the inbox until `done` holds (or fails after a while).
fn wait_inbox(client: &Client, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let inbox = inbox(client);
        if done(&inbox) {
            return inbox;
        }
        assert!(Instant::now() < deadline, "inbox never got there: {inbox}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn approving_and_rejecting_tell_the_maker_who_reads_them() {
    let s = TestServer::start();
    let maker = s.user("mei", "maker", &[]);
    let manager = s.user("mgr", "manager", &[]);
    let other = s.user("pa", "operator", &["PRINTING"]);
    assert_eq!(inbox(&maker)["unread"], 0);

    let first = order(&maker, &["PRT"], "normal", "2026-12-20");
    let second = order(&maker, &["PRT"], "normal", "2026-12-20");
    let (status, _) = maker.post(
        &format!("/api/v1/work-orders/{}/submit", second["id"]),
        &json!({}),
    );
    assert_eq!(status, 200);
    let (status, _) = manager.post(
        &format!("/api/v1/work-orders/{}/approve", first["id"]),
        &json!({}),
    );
    assert_eq!(status, 200);
    let (status, body) = manager.post(
        &format!("/api/v1/work-orders/{}/reject", second["id"]),
        &json!({"reason": "纸张规格不对 wrong paper"}),
    );
    assert_eq!(status, 200, "{body}");

    // Written with the change itself, so it is there as soon as the change is.
    let got = inbox(&maker);
    assert_eq!(
        kinds(&got),
        ["work_order.rejected", "work_order.approved"],
        "newest first"
    );
    assert_eq!(got["unread"], 2);
    let rejected = &got["items"][0];
    assert_eq!(rejected["read_at"], Value::Null);
    assert_eq!(rejected["event"]["work_order_id"], second["id"]);
    assert_eq!(
        rejected["event"]["data"]["reason"],
        "纸张规格不对 wrong paper"
    );
    assert_eq!(
        maker.get("/api/v1/notifications/unread-count").1["unread"],
        2
    );
    // Nobody else was told, and the manager is not told of their own decisions.
    assert_eq!(inbox(&manager)["items"], json!([]));
    assert_eq!(inbox(&other)["items"], json!([]));

    let id = rejected["id"].as_i64().unwrap();
    let (status, _) = other.post(&format!("/api/v1/notifications/{id}/read"), &json!({}));
    assert_eq!(status, 404, "someone else's notification");
    let (status, read) = maker.post(&format!("/api/v1/notifications/{id}/read"), &json!({}));
    assert_eq!(status, 200, "{read}");
    assert!(read["read_at"].is_i64());
    assert_eq!(
        maker.get("/api/v1/notifications/unread-count").1["unread"],
        1
    );
    let (_, unread_only) = maker.get("/api/v1/notifications?unread_only=true");
    assert_eq!(kinds(&unread_only), ["work_order.approved"]);

    let (status, all) = maker.post("/api/v1/notifications/read-all", &json!({}));
    assert_eq!(status, 200, "{all}");
    assert_eq!(
        (all["marked"].as_i64(), all["unread"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(inbox(&maker)["unread"], 0);
    assert_eq!(
        inbox(&maker)["items"].as_array().unwrap().len(),
        2,
        "read, not gone"
    );
}

#[test]
fn the_inbox_pages_newest_first_and_checks_its_query() {
    let s = TestServer::start();
    let maker = s.user("mei", "maker", &[]);
    for _ in 0..5 {
        let o = order(&maker, &["PRT"], "normal", "2026-12-20");
        let (status, _) = s.admin.post(
            &format!("/api/v1/work-orders/{}/approve", o["id"]),
            &json!({}),
        );
        assert_eq!(status, 200);
    }
    let (status, page1) = maker.get("/api/v1/notifications?limit=3");
    assert_eq!(status, 200);
    assert_eq!(page1["items"].as_array().unwrap().len(), 3);
    let cursor = page1["next_cursor"].as_str().expect("a next page");
    let (_, page2) = maker.get(&format!("/api/v1/notifications?limit=3&cursor={cursor}"));
    assert_eq!(page2["items"].as_array().unwrap().len(), 2);
    assert_eq!(page2["next_cursor"], Value::Null);
    let ids: Vec<i64> = page1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2["items"].as_array().unwrap())
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let (status, body) = maker.get("/api/v1/notifications?limit=0");
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("limit"))
    );
    let (status, body) = maker.get("/api/v1/notifications?cursor=abc");
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("cursor"))
    );
    let (status, _) = s.anonymous().get("/api/v1/notifications");
    assert_eq!(status, 401);
}

#[test]
fn overdue_and_long_unclaimed_urgent_tasks_alert_their_supervisors_once() {
    // The rule comes from config.toml, as an administrator sets it.
    let s = TestServer::start_with_config(
        "[alerts]\nurgent_unclaimed_minutes = 0.05\n",
        &[("PRESSWORK_OVERDUE_TICK_SECS", "0.1")],
    );
    let sup = s.user("sup", "supervisor", &["PRINTING"]);
    let other_sup = s.user("sup2", "supervisor", &["DIECUT"]);
    let pa = s.user("pa", "operator", &["PRINTING"]);

    let late = order(&s.admin, &["PRT"], "normal", "2020-01-01");
    let late_task = late["tasks"][0]["id"].clone();
    let (status, _) = s.admin.post(
        &format!("/api/v1/work-orders/{}/approve", late["id"]),
        &json!({}),
    );
    assert_eq!(status, 200);
    let got = wait_inbox(&sup, |i| kinds(i).contains(&"task.overdue".to_owned()));
    assert_eq!(got["items"][0]["event"]["task_id"], late_task);

    let urgent = order(&s.admin, &["PRT", "PRT"], "urgent", "2030-01-01");
    let (status, approved) = s.admin.post(
        &format!("/api/v1/work-orders/{}/approve", urgent["id"]),
        &json!({}),
    );
    assert_eq!(status, 200);
    let claimed = approved["tasks"][0]["id"].as_i64().unwrap();
    let waiting = approved["tasks"][1]["id"].clone();
    let (status, _) = pa.post(&format!("/api/v1/tasks/{claimed}/claim"), &json!({}));
    assert_eq!(status, 200);
    // Seconds of ticks later, the unclaimed one is flagged; the overdue one was not again.
    let got = wait_inbox(&sup, |i| {
        kinds(i).contains(&"task.urgent_unclaimed".to_owned())
    });
    let about = |kind: &str| -> Vec<Value> {
        got["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["event"]["kind"] == kind)
            .map(|n| n["event"]["task_id"].clone())
            .collect()
    };
    assert_eq!(about("task.urgent_unclaimed"), [waiting]);
    assert_eq!(about("task.overdue"), [late_task]);
    assert_eq!(got["unread"], 2);
    assert_eq!(
        inbox(&other_sup)["items"],
        json!([]),
        "another department's supervisor"
    );
    assert_eq!(inbox(&pa)["items"], json!([]), "operators are not notified");
}
