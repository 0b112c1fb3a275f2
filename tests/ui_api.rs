//! The server parts the UI adds: the dashboard figures (scoped like every read), the job
//! ticket's QR codes, and the 404-versus-405 answer the UI uses to tell which optional
//! routes a server has.

mod common;

use common::{department_id, published_order, task_of, TestServer};
use serde_json::{json, Value};

fn figures(dashboard: &Value, department: i64) -> &Value {
    dashboard["departments"]
        .as_array()
        .expect("departments")
        .iter()
        .find(|d| d["department_id"] == department)
        .unwrap_or_else(|| panic!("no figures for department {department}: {dashboard}"))
}

#[test]
fn the_dashboard_counts_open_overdue_and_finished_work_in_the_callers_scope() {
    let s = TestServer::start();
    let printing = department_id(&s.admin, "PRINTING");
    let prepress = department_id(&s.admin, "PREPRESS");
    let order = published_order(&s.admin, &["CTP", "PRT"]);
    // An order due last year: its open tasks are overdue.
    let (status, late) = s.admin.post(
        "/api/v1/work-orders",
        &json!({"customer": "迟到", "product": "Late", "quantity": 10, "due_date": "2020-01-01",
                "processes": [{"process_id": common::process_id(&s.admin, "PRT")}]}),
    );
    assert_eq!(status, 201, "{late}");
    let (status, _) = s.admin.post(
        &format!("/api/v1/work-orders/{}/approve", late["id"]),
        &json!({}),
    );
    assert_eq!(status, 200);

    // One finished task, written straight into the real database file: this branch has no
    // "complete" route yet, and the figures only read the table.
    let done = task_of(&order, "CTP")["id"].as_i64().unwrap();
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    db.execute(
        "UPDATE tasks SET status = 'completed', claimed_at = published_at + 3600000,
            worked_ms = 7200000, completed_at = ?2 WHERE id = ?1",
        rusqlite::params![done, chrono_now_ms()],
    )
    .unwrap();

    let (status, d) = s.admin.get("/api/v1/stats/dashboard");
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["days"], 14);
    let days = d["completed_per_day"].as_array().unwrap();
    assert_eq!(days.len(), 14);
    assert_eq!(days.last().unwrap()["completed"], 1, "{d}");
    assert_eq!(days.last().unwrap()["date"], d["today"]);
    let p = figures(&d, printing);
    assert_eq!(p["pending"], 2);
    assert_eq!(p["overdue"], 1);
    let pre = figures(&d, prepress);
    assert_eq!(pre["pending"], 0);
    assert_eq!(pre["completed"], 1);
    assert_eq!(pre["avg_queue_ms"], 3_600_000);
    assert_eq!(pre["avg_work_ms"], 7_200_000);

    // A supervisor sees the figures of their own department only.
    let boss = s.user("zhao", "supervisor", &["PRINTING"]);
    let (status, mine) = boss.get("/api/v1/stats/dashboard");
    assert_eq!(status, 200);
    let seen: Vec<_> = mine["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["department_id"].clone())
        .collect();
    assert_eq!(seen, vec![json!(printing)]);
    assert_eq!(s.anonymous().get("/api/v1/stats/dashboard").0, 401);
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn qr_codes_are_svg_for_what_the_caller_may_see() {
    let s = TestServer::start();
    let order = published_order(&s.admin, &["CTP", "PRT"]);
    let printing_task = task_of(&order, "PRT")["id"].as_i64().unwrap();
    let plate_task = task_of(&order, "CTP")["id"].as_i64().unwrap();
    let (status, svg) = s
        .admin
        .get(&format!("/api/v1/work-orders/{}/qr.svg", order["id"]));
    assert_eq!(status, 200);
    assert!(svg.as_str().unwrap().starts_with("<?xml"), "{svg}");
    // An operator of printing sees printing's pool, not plate making's.
    let op = s.user("zhang", "operator", &["PRINTING"]);
    assert_eq!(
        op.get(&format!("/api/v1/tasks/{printing_task}/qr.svg")).0,
        200
    );
    let (status, body) = op.get(&format!("/api/v1/tasks/{plate_task}/qr.svg"));
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(s.admin.get("/api/v1/tasks/999999/qr.svg").0, 404);
}

#[test]
fn a_missing_api_route_is_404_whatever_the_method_and_an_existing_one_is_405() {
    let s = TestServer::start();
    let (status, body) = s.admin.send("OPTIONS", "/api/v1/no-such-thing/1", b"");
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["message"], "no such page or API route");
    let (status, _) = s.admin.send("POST", "/api/v1/no-such-thing", b"{}");
    assert_eq!(status, 404);
    let (status, body) = s.admin.send("OPTIONS", "/api/v1/tasks/1/claim", b"");
    assert_eq!(status, 405, "{body}");
    // The UI itself is still served for any other path.
    let (status, page) = s.anonymous().get("/work-orders/12");
    assert_eq!(status, 200);
    assert!(page.as_str().unwrap().contains("<main id=\"view\""));
}
