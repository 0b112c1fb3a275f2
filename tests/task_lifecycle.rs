//! The operator's side of the task lifecycle against the real server: start, pause, resume,
//! progress (with scrap reasons), complete and release; worked time kept by the server; and
//! the work order starting and completing with its tasks. Directing tasks: `task_direction`.

mod common;

use common::floor::*;
use common::*;
use serde_json::json;

/// The `at` of each history entry of `kind`, in order.
fn times(history: &[serde_json::Value], kind: &str) -> Vec<i64> {
    history
        .iter()
        .filter(|e| e["kind"] == kind)
        .map(|e| e["at"].as_i64().unwrap())
        .collect()
}

#[test]
fn an_operator_works_a_task_and_the_server_keeps_the_time() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));

    let t = must(&li, prt, "start", json!({}));
    assert_eq!(t["status"], "in_progress");
    assert!(
        t["running_since"].is_i64() && t["started_at"] == t["running_since"],
        "{t}"
    );
    assert_eq!(
        order_status(&s, &order),
        "in_progress",
        "the order starts with its first task"
    );

    let t = must(&li, prt, "pause", json!({}));
    assert_eq!(t["status"], "paused");
    assert!(t["running_since"].is_null());
    let first_run = t["worked_ms"].as_i64().unwrap();
    let t = must(&li, prt, "resume", json!({}));
    assert_eq!(t["status"], "in_progress");
    assert_eq!(t["worked_ms"], first_run, "resuming keeps what was worked");
    must(&li, prt, "pause", json!({}));
    must(&li, prt, "resume", json!({}));
    let t = must(&li, prt, "progress", json!({"good": 3000}));
    assert_eq!(
        (t["good_qty"].as_i64(), t["scrap_qty"].as_i64()),
        (Some(3000), Some(0))
    );
    let t = must(
        &li,
        prt,
        "complete",
        json!({"good_total": 4950, "scrap_total": 50, "scrap_reason": "RUN_WASTE",
               "shortfall_reason": "50 sheets lost to run waste"}),
    );
    assert_eq!(t["status"], "completed");
    assert_eq!(
        (t["good_qty"].as_i64(), t["scrap_qty"].as_i64()),
        (Some(4950), Some(50))
    );
    assert!(t["completed_at"].is_i64() && t["running_since"].is_null());

    // Worked time is exactly the running spans between start/resume and pause/complete, as
    // the server stamped them in the history: never reset, never counting paused time.
    let h = history(&li, &format!("tasks/{prt}"));
    let runs: Vec<i64> = times(&h, "task.started")
        .into_iter()
        .chain(times(&h, "task.resumed"))
        .collect();
    let stops: Vec<i64> = times(&h, "task.paused")
        .into_iter()
        .chain(times(&h, "task.completed"))
        .collect();
    assert_eq!((runs.len(), stops.len()), (3, 3), "{:?}", kinds(&h));
    let expected: i64 = stops.iter().sum::<i64>() - runs.iter().sum::<i64>();
    assert_eq!(t["worked_ms"], expected);
    assert_eq!(
        times(&h, "task.started")[0],
        t["started_at"].as_i64().unwrap()
    );
    assert_eq!(
        order_status(&s, &order),
        "completed",
        "the order completes with its last task"
    );
}

fn order_status(s: &TestServer, work_order: &serde_json::Value) -> String {
    order(&s.admin, id(work_order))["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn only_the_holder_works_a_task() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let wang = s.user("wang", "operator", &["PRINTING"]);
    let zhao = s.user("zhao", "operator", &["DIECUT"]);
    let boss = s.user("boss", "supervisor", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    for action in ["start", "release"] {
        let (status, reply) = act(&wang, prt, action, json!({}));
        assert_eq!(
            (status, reply["error"]["code"].as_str()),
            (409, Some("task_held_by_other")),
            "a colleague may not {action}, and is told who holds it: {reply}"
        );
        assert_eq!(reply["error"]["details"]["operator_name"], "li");
        assert!(
            reply["error"]["message"].as_str().unwrap().contains("li"),
            "{reply}"
        );
        assert_eq!(
            refused(act(&zhao, prt, action, json!({})), 404),
            "not_found",
            "another department's task is not seen"
        );
        assert_eq!(
            refused(act(&boss, prt, action, json!({})), 403),
            "forbidden",
            "supervisors direct, they do not work"
        );
        assert_eq!(
            refused(act(&s.admin, prt, action, json!({})), 403),
            "forbidden"
        );
    }
    assert_eq!(task(&li, prt)["status"], "assigned", "nothing changed");
}

#[test]
fn invalid_transitions_name_the_current_state() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT"]);
    let prt = id(task_of(&order, "PRT"));
    assert_eq!(
        refused(act(&li, prt, "start", json!({})), 409),
        "task_is_pending",
        "claim first"
    );
    must(&li, prt, "claim", json!({}));
    assert_eq!(
        refused(act(&li, prt, "pause", json!({})), 409),
        "task_is_assigned"
    );
    assert_eq!(
        refused(act(&li, prt, "complete", json!({"good_total": 5000})), 409),
        "task_is_assigned"
    );
    assert_eq!(
        refused(act(&li, prt, "progress", json!({"good": 1})), 409),
        "task_is_assigned"
    );
    must(&li, prt, "start", json!({}));
    assert_eq!(
        refused(act(&li, prt, "start", json!({})), 409),
        "task_is_in_progress"
    );
    assert_eq!(
        refused(act(&li, prt, "resume", json!({})), 409),
        "task_is_in_progress"
    );
    assert_eq!(
        refused(act(&li, prt, "release", json!({})), 409),
        "task_is_in_progress",
        "pause before giving it back"
    );
    must(&li, prt, "pause", json!({}));
    assert_eq!(
        refused(act(&li, prt, "start", json!({})), 409),
        "task_is_paused",
        "a paused task resumes"
    );
    must(
        &li,
        prt,
        "complete",
        json!({"good_total": 0, "shortfall_reason": "spec changed"}),
    );
    for action in ["start", "pause", "resume", "complete", "release"] {
        let body = if action == "complete" {
            json!({"good_total": 0})
        } else {
            json!({})
        };
        assert_eq!(
            refused(act(&li, prt, action, body), 409),
            "task_is_completed",
            "{action}"
        );
    }
    assert_eq!(
        refused(act(&li, prt, "progress", json!({"good": 1})), 409),
        "task_is_completed"
    );
    assert_eq!(
        refused(act(&s.admin, prt, "cancel", json!({"reason": "x"})), 409),
        "task_is_completed"
    );
}

#[test]
fn one_operator_holds_several_tasks_at_once() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING", "FINISHING"]);
    let a = published_order(&s.admin, &["PRT"]);
    let b = published_order(&s.admin, &["PRT"]);
    let c = published_order(&s.admin, &["UV"]);
    for t in [task_of(&a, "PRT"), task_of(&b, "PRT"), task_of(&c, "UV")] {
        must(&li, id(t), "claim", json!({}));
        must(&li, id(t), "start", json!({}));
    }
    let (_, mine) = li.get("/api/v1/tasks?status=in_progress");
    assert_eq!(mine["items"].as_array().unwrap().len(), 3, "{mine}");
}

#[test]
fn progress_adds_quantities_and_scrap_needs_a_reason_from_the_list() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(&li, prt, "progress", json!({"good": 100}));
    let t = must(
        &li,
        prt,
        "progress",
        json!({"good": 50, "scrap": 5, "scrap_reason": "MAKE_READY", "note": "换版"}),
    );
    assert_eq!(
        (t["good_qty"].as_i64(), t["scrap_qty"].as_i64()),
        (Some(150), Some(5))
    );
    let field = |body| {
        let (status, reply) = act(&li, prt, "progress", body);
        assert_eq!(status, 422, "{reply}");
        reply["error"]["field"].as_str().unwrap().to_owned()
    };
    assert_eq!(field(json!({"scrap": 1})), "scrap_reason");
    assert_eq!(
        field(json!({"scrap": 1, "scrap_reason": "NOPE"})),
        "scrap_reason"
    );
    assert_eq!(field(json!({"good": -1})), "good");
    assert_eq!(field(json!({"good": 0})), "good");
    assert_eq!(field(json!({"good": 1, "colour": 1})), "colour");
    // A retired reason is refused; the list keeps it for past reports.
    let (status, r) = s
        .admin
        .patch("/api/v1/scrap-reasons/DAMAGE", &json!({"active": false}));
    assert_eq!((status, r["active"].as_bool()), (200, Some(false)), "{r}");
    assert_eq!(
        field(json!({"scrap": 1, "scrap_reason": "DAMAGE"})),
        "scrap_reason"
    );
    let t = task(&li, prt);
    assert_eq!(
        (t["good_qty"].as_i64(), t["scrap_qty"].as_i64()),
        (Some(150), Some(5)),
        "refused reports changed nothing"
    );
    let h = history(&li, &format!("tasks/{prt}"));
    let report = h.iter().rfind(|e| e["kind"] == "task.progress").unwrap();
    assert_eq!(report["data"]["scrap_reason"], "MAKE_READY");
    assert_eq!(report["data"]["note"], "换版");
}

#[test]
fn scrap_reasons_are_seeded_and_kept_by_managers() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let manager = s.user("boss", "manager", &[]);
    let (status, list) = li.get("/api/v1/scrap-reasons");
    assert_eq!(status, 200);
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["MAKE_READY", "RUN_WASTE", "DEFECT", "DAMAGE"]);
    assert_eq!(list[0]["name_zh"], "开机损耗");
    let new = json!({"code": "ink_smear", "name_zh": "蹭脏", "name_en": "Ink smear"});
    assert_eq!(
        refused(li.post("/api/v1/scrap-reasons", &new), 403),
        "forbidden"
    );
    let (status, created) = manager.post("/api/v1/scrap-reasons", &new);
    assert_eq!(
        (status, created["code"].as_str()),
        (201, Some("INK_SMEAR")),
        "{created}"
    );
    assert_eq!(
        refused(manager.post("/api/v1/scrap-reasons", &new), 409),
        "scrap_reason_exists"
    );
    let (status, reply) = manager.post(
        "/api/v1/scrap-reasons",
        &json!({"code": "bad code!", "name_zh": "x", "name_en": "x"}),
    );
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("code"))
    );
    let (status, _) = manager.patch("/api/v1/scrap-reasons/NOPE", &json!({"name_en": "x"}));
    assert_eq!(status, 404);
    // Renaming checks each field and changes nothing when one is wrong.
    for (bad, field) in [
        (json!({"name_en": " "}), "name_en"),
        (json!({"name_zh": "蹭墨", "position": -1}), "position"),
    ] {
        let (status, reply) = manager.patch("/api/v1/scrap-reasons/INK_SMEAR", &bad);
        assert_eq!(
            (status, reply["error"]["field"].as_str()),
            (422, Some(field)),
            "{reply}"
        );
    }
    let (status, renamed) = manager.patch(
        "/api/v1/scrap-reasons/ink_smear",
        &json!({"name_zh": "蹭墨", "position": 5}),
    );
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(
        (renamed["name_zh"].as_str(), renamed["name_en"].as_str()),
        (Some("蹭墨"), Some("Ink smear"))
    );
    let (_, list) = li.get("/api/v1/scrap-reasons");
    assert_eq!(list[0]["code"], "INK_SMEAR", "position 5 sorts first");
    // The new reason is usable at once.
    let order = published_order(&s.admin, &["PRT"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(
        &li,
        prt,
        "progress",
        json!({"scrap": 2, "scrap_reason": "INK_SMEAR"}),
    );
}

#[test]
fn releasing_returns_the_task_to_the_pool_with_its_work() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let wang = s.user("wang", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(&li, prt, "progress", json!({"good": 1200}));
    let paused = must(&li, prt, "pause", json!({}));
    let t = must(&li, prt, "release", json!({}));
    assert_eq!(t["status"], "pending");
    assert!(
        t["operator_id"].is_null() && t["claimed_at"].is_null(),
        "{t}"
    );
    assert_eq!(t["good_qty"], 1200);
    assert_eq!(t["worked_ms"], paused["worked_ms"]);
    assert_eq!(
        refused(act(&li, prt, "resume", json!({})), 409),
        "task_is_pending"
    );
    must(&wang, prt, "claim", json!({}));
    let t = must(&wang, prt, "start", json!({}));
    assert_eq!(
        t["started_at"], paused["started_at"],
        "the first start is kept"
    );
    assert_eq!(
        t["worked_ms"], paused["worked_ms"],
        "worked time carries over"
    );
}
