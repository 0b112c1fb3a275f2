//! Auto-dispatch against the real server: each strategy hands tasks to the operator it should
//! and says why in the task's history; the WIP cap holds back assignments and claims; a delay
//! keeps a task in the pool until it runs out; manual departments are left alone; and the
//! server stops cleanly with the dispatcher running.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The dispatcher's longest pause, short so that waiting on the timer never slows a test.
const FAST: &[(&str, &str)] = &[("PRESSWORK_DISPATCH_TICK_MS", "100")];

fn operator(s: &TestServer, name: &str, departments: &[&str], skills: &[&str]) -> (Client, i64) {
    let (status, body) = s.admin.post(
        "/api/v1/users",
        &json!({"username": name, "role": "operator", "password": PASSWORD,
                "departments": departments, "skills": skills}),
    );
    assert_eq!(status, 201, "creating {name}: {body}");
    (
        Client::login(&s.base, name, PASSWORD),
        body["id"].as_i64().unwrap(),
    )
}

fn set_department(s: &TestServer, code: &str, settings: Value) {
    let id = department_id(&s.admin, code);
    let (status, body) = s
        .admin
        .patch(&format!("/api/v1/departments/{id}"), &settings);
    assert_eq!(status, 200, "{body}");
}

fn task(s: &TestServer, id: i64) -> Value {
    let (status, t) = s.admin.get(&format!("/api/v1/tasks/{id}"));
    assert_eq!(status, 200, "{t}");
    t
}

/// Polls until `f` gives a value; fails after a generous bound.
fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn assigned(s: &TestServer, id: i64) -> Value {
    eventually(&format!("task {id} to be assigned"), || {
        let t = task(s, id);
        (t["status"] == "assigned").then_some(t)
    })
}

fn ids(order: &Value) -> Vec<i64> {
    order["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

/// The `task.assigned` events of a task, read from the event log (the task's history).
fn assigned_events(s: &TestServer, task_id: i64) -> Vec<Value> {
    let conn = rusqlite::Connection::open_with_flags(
        s.db_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT data FROM events WHERE task_id = ?1 AND kind = 'task.assigned' ORDER BY id",
        )
        .unwrap();
    let rows = stmt
        .query_map([task_id], |r| r.get::<_, String>(0))
        .unwrap();
    rows.map(|d| serde_json::from_str(&d.unwrap()).unwrap())
        .collect()
}

fn check_history(s: &TestServer, t: &Value, strategy: &str, operator: i64, why: &str) {
    assert_eq!(t["operator_id"], operator, "{t}");
    assert_eq!(t["assigned_via"], "auto");
    assert_eq!(t["assign_reason"], why);
    let events = assigned_events(s, t["id"].as_i64().unwrap());
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(
        (e["via"].as_str(), e["strategy"].as_str()),
        (Some("auto"), Some(strategy))
    );
    assert_eq!(e["operator_id"], operator);
    assert_eq!(e["why"], why);
    assert!(e["why_zh"].as_str().is_some_and(|z| !z.is_empty()), "{e}");
    // The task carries both wordings, so a screen in either language can show its own.
    assert_eq!(t["assign_reason_zh"], e["why_zh"], "{t}");
    assert_eq!(
        e["task"]["operator_id"], operator,
        "the snapshot shows the assignment"
    );
}

#[test]
fn least_loaded_picks_fewest_open_tasks_then_the_operator_idle_longest() {
    let s = TestServer::start_with(FAST);
    let (li, _) = operator(&s, "li", &["PRINTING"], &[]);
    let (wang, wang_id) = operator(&s, "wang", &["PRINTING"], &[]);
    let (_, zhao_id) = operator(&s, "zhao", &["PRINTING"], &[]);
    // While the department is manual, li takes two tasks and wang one.
    let held = ids(&published_order(&s.admin, &["PRT", "PRT", "PRT"]));
    for (who, id) in [(&li, held[0]), (&li, held[1]), (&wang, held[2])] {
        let (status, body) = who.post(&format!("/api/v1/tasks/{id}/claim"), &json!({}));
        assert_eq!(status, 200, "{body}");
    }
    set_department(&s, "PRINTING", json!({"strategy": "least_loaded"}));
    let first = ids(&published_order(&s.admin, &["PRT"]))[0];
    let t = assigned(&s, first);
    check_history(
        &s,
        &t,
        "least_loaded",
        zhao_id,
        "least_loaded: 0 open tasks, fewest of 3 operators",
    );
    // Now wang and zhao hold one each; wang has waited since his claim, zhao got work just now.
    let second = ids(&published_order(&s.admin, &["PRT"]))[0];
    let t = assigned(&s, second);
    check_history(
        &s,
        &t,
        "least_loaded",
        wang_id,
        "least_loaded: 1 open task, fewest of 3 operators; idle longest of 2 tied",
    );
    assert_eq!(
        t["assign_reason_zh"],
        "负载最少：在手 1 个任务，3 名操作工中最少；2 人并列，取空闲最久者"
    );
    // A person's reassignment replaces presswork's words in both languages.
    let (status, t) = s.admin.post(
        &format!("/api/v1/tasks/{second}/assign"),
        &json!({"operator_id": zhao_id, "reason": "换人"}),
    );
    assert_eq!(status, 200, "{t}");
    assert_eq!(
        (t["assign_reason"].as_str(), &t["assign_reason_zh"]),
        (Some("换人"), &Value::Null)
    );
}

#[test]
fn round_robin_takes_turns_and_keeps_its_place() {
    let s = TestServer::start_with(FAST);
    let ops: Vec<i64> = ["a", "b", "c"]
        .iter()
        .map(|n| operator(&s, n, &["PRINTING"], &[]).1)
        .collect();
    set_department(&s, "PRINTING", json!({"strategy": "round_robin"}));
    let tasks = ids(&published_order(&s.admin, &["PRT", "PRT", "PRT", "PRT"]));
    let got: Vec<i64> = tasks
        .iter()
        .map(|id| assigned(&s, *id)["operator_id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, [ops[0], ops[1], ops[2], ops[0]]);
    let last = task(&s, tasks[3]);
    check_history(
        &s,
        &last,
        "round_robin",
        ops[0],
        "round_robin: turn 1 of 3 operators, after c",
    );
    // The cursor is kept in the department: the next task goes to the next in turn.
    let next = ids(&published_order(&s.admin, &["PRT"]))[0];
    assert_eq!(assigned(&s, next)["operator_id"], ops[1]);
}

#[test]
fn skill_only_considers_operators_who_can_do_the_process() {
    let s = TestServer::start_with(FAST);
    let (_, li) = operator(&s, "li", &["FINISHING"], &["LAM_G"]);
    let (_, wang) = operator(&s, "wang", &["FINISHING"], &["LAM_G", "FOIL_G"]);
    let (_, _zhao) = operator(&s, "zhao", &["FINISHING"], &[]);
    set_department(&s, "FINISHING", json!({"strategy": "skill"}));
    let order = published_order(&s.admin, &["LAM_G", "FOIL_G", "UV"]);
    let (lam, foil, uv) = (
        task_of(&order, "LAM_G")["id"].as_i64().unwrap(),
        task_of(&order, "FOIL_G")["id"].as_i64().unwrap(),
        task_of(&order, "UV")["id"].as_i64().unwrap(),
    );
    let t = assigned(&s, lam);
    check_history(&s, &t, "skill", li, "skill: 2 of 3 operators can do LAM_G; 0 open tasks, fewest of them; idle longest of 2 tied");
    let t = assigned(&s, foil);
    check_history(
        &s,
        &t,
        "skill",
        wang,
        "skill: 1 of 3 operators can do FOIL_G; 0 open tasks, fewest of them",
    );
    // The same pass looked at UV and found nobody skilled: it stays in the pool.
    let t = task(&s, uv);
    assert_eq!(
        (t["status"].as_str(), &t["operator_id"]),
        (Some("pending"), &Value::Null)
    );
    assert!(assigned_events(&s, uv).is_empty());
}

#[test]
fn the_wip_cap_holds_back_auto_assignment_and_claims() {
    let s = TestServer::start_with(FAST);
    let (li, li_id) = operator(&s, "li", &["PRINTING"], &[]);
    set_department(
        &s,
        "PRINTING",
        json!({"strategy": "least_loaded", "wip_cap": 1}),
    );
    let tasks = ids(&published_order(&s.admin, &["PRT", "PRT"]));
    let first = assigned(&s, tasks[0]);
    assert_eq!(first["operator_id"], li_id);
    // Both tasks were due in the same pass; the second found li at the cap.
    let second = task(&s, tasks[1]);
    assert_eq!(second["status"], "pending", "{second}");
    let (status, body) = li.post(&format!("/api/v1/tasks/{}/claim", tasks[1]), &json!({}));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("wip_limit_reached")),
        "{body}"
    );
    // Raising the cap lets the dispatcher hand it out.
    set_department(&s, "PRINTING", json!({"wip_cap": 2}));
    let t = assigned(&s, tasks[1]);
    check_history(
        &s,
        &t,
        "least_loaded",
        li_id,
        "least_loaded: 1 open task, fewest of 1 operator",
    );
}

#[test]
fn a_delay_keeps_the_task_in_the_pool_until_it_runs_out() {
    let s = TestServer::start_with(FAST);
    let (li, li_id) = operator(&s, "li", &["PRINTING"], &[]);
    set_department(
        &s,
        "PRINTING",
        json!({"strategy": "least_loaded", "auto_assign_delay_s": 2}),
    );
    let tasks = ids(&published_order(&s.admin, &["PRT", "PRT"]));
    // Within the delay the pool is the operators': a claim takes the task as usual.
    let (status, body) = li.post(&format!("/api/v1/tasks/{}/claim", tasks[0]), &json!({}));
    assert_eq!(status, 200, "{body}");
    let t = assigned(&s, tasks[1]);
    assert_eq!(t["operator_id"], li_id);
    let waited = t["claimed_at"].as_i64().unwrap() - t["published_at"].as_i64().unwrap();
    assert!(
        waited >= 2000,
        "assigned {waited} ms after publishing, before the 2 s delay ran out"
    );
    // The dispatcher never touched the claimed one.
    let claimed = task(&s, tasks[0]);
    assert_eq!(claimed["assigned_via"], "claim");
    assert!(assigned_events(&s, tasks[0]).is_empty());
}

#[test]
fn manual_departments_are_never_auto_assigned() {
    let s = TestServer::start_with(FAST);
    operator(&s, "li", &["PRINTING"], &[]);
    operator(&s, "zhao", &["DIECUT"], &[]);
    set_department(&s, "PRINTING", json!({"strategy": "least_loaded"}));
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    assigned(&s, task_of(&order, "PRT")["id"].as_i64().unwrap());
    // The pass that assigned PRT saw DIE too, and DIECUT is manual.
    let die = task(&s, task_of(&order, "DIE")["id"].as_i64().unwrap());
    assert_eq!(
        (die["status"].as_str(), &die["operator_id"]),
        (Some("pending"), &Value::Null)
    );
    // Switching PRINTING back to manual stops it there as well.
    set_department(&s, "PRINTING", json!({"strategy": "manual"}));
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    set_department(&s, "DIECUT", json!({"strategy": "least_loaded"}));
    assigned(&s, task_of(&order, "DIE")["id"].as_i64().unwrap());
    let prt = task(&s, task_of(&order, "PRT")["id"].as_i64().unwrap());
    assert_eq!(prt["status"], "pending", "{prt}");
}

#[test]
fn the_server_stops_cleanly_with_the_dispatcher_running() {
    let mut s = TestServer::start_with(FAST);
    operator(&s, "li", &["PRINTING"], &[]);
    // One task assigned, one waiting on a long delay: the loop is busy and has a timer set.
    set_department(&s, "PRINTING", json!({"strategy": "least_loaded"}));
    assigned(&s, ids(&published_order(&s.admin, &["PRT"]))[0]);
    set_department(&s, "PRINTING", json!({"auto_assign_delay_s": 3600}));
    published_order(&s.admin, &["PRT"]);
    let status = s
        .terminate(Duration::from_secs(10))
        .expect("the server exits after SIGTERM");
    assert!(status.success(), "exit status {status:?}");
    let log = std::fs::read_to_string(s.data_dir().join("test-server.log")).unwrap_or_default();
    assert!(
        !log.contains("did not stop in time") && !log.contains("panicked"),
        "{log}"
    );
}
