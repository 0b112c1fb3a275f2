//! The print job as a graph (issue 13), through the API: units and spec defaults, steps and
//! needs, gates, honest completion, work segments and handover, id integrity, and a
//! database made by the previous release opening and working.

mod common;

use common::floor::*;
use common::*;
use serde_json::{json, Value};

/// The 10,000-box job: 4+0 colours, 4-up, 125 overs, plate making and cutting side by side.
fn box_job(s: &TestServer) -> Value {
    let lines: Vec<Value> = ["CTP", "CUT", "PRT", "DIE", "GLUE", "PACK"]
        .iter()
        .map(|c| json!({"process_id": process_id(&s.admin, c)}))
        .collect();
    let (status, order) = s.admin.post(
        "/api/v1/work-orders",
        &json!({"customer": "华彩包装", "product": "彩盒", "quantity": 10000, "due_date": "2026-12-24",
                "paper": "白卡", "gsm": 350, "sheet_size": "787×1092", "finished_size": "120×80×40",
                "colors_front": 4, "colors_back": 0, "ups": 4, "overs": 125, "processes": lines}),
    );
    assert_eq!(status, 201, "{order}");
    order
}

fn avail(o: &Value, code: &str) -> i64 {
    task_of(o, code)["available_qty"].as_i64().unwrap()
}

#[test]
fn the_ten_thousand_box_job_plans_in_each_steps_own_unit_and_gates_printing() {
    let s = TestServer::start();
    let order = box_job(&s);
    let planned: Vec<(String, i64, String, i64)> = order["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["process_code"].as_str().unwrap().to_owned(),
                t["quantity"].as_i64().unwrap(),
                t["unit"].as_str().unwrap().to_owned(),
                t["step"].as_i64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("CTP", 4, "plate", 1),
        ("CUT", 2625, "sheet", 1),
        ("PRT", 2625, "sheet", 2),
        ("DIE", 2625, "sheet", 3),
        ("GLUE", 10000, "piece", 4),
        ("PACK", 10000, "piece", 5),
    ];
    let want: Vec<(String, i64, String, i64)> = want
        .iter()
        .map(|(c, q, u, st)| (c.to_string(), *q, u.to_string(), *st))
        .collect();
    assert_eq!(planned, want);
    assert_eq!(
        (order["ups"].as_i64(), order["overs"].as_i64()),
        (Some(4), Some(125))
    );
    let gates: Vec<&str> = order["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap())
        .collect();
    assert_eq!(gates, ["proof_approved", "paper_ready", "die_ready"]);

    let (status, order) = s.admin.post(
        &format!("/api/v1/work-orders/{}/approve", id(&order)),
        &json!({}),
    );
    assert_eq!(status, 200, "{order}");
    let prt = task_of(&order, "PRT");
    assert_eq!(prt["ready"], false);
    let waits: Vec<String> = prt["blocked_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b["process_code"]
                .as_str()
                .or(b["gate"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(waits, ["CTP", "CUT", "paper_ready", "proof_approved"]);

    // Printing may be claimed ahead, but not started, and the refusal says why.
    let li = s.user("li", "operator", &["PRINTING"]);
    let prt_id = id(prt);
    let claimed = must(&li, prt_id, "claim", json!({}));
    assert_eq!(
        claimed["actions"],
        json!(["release"]),
        "no start while it waits"
    );
    let (status, reply) = act(&li, prt_id, "start", json!({}));
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (409, Some("not_ready")),
        "{reply}"
    );
    assert_eq!(
        reply["error"]["details"]["blocked_by"][0]["process_code"],
        "CTP"
    );

    // Plates made, 1,000 sheets cut, proof and paper ticked: 1,000 sheets may print.
    let wu = s.user("wu", "operator", &["PREPRESS"]);
    let ctp = id(task_of(&order, "CTP"));
    must(&wu, ctp, "claim", json!({}));
    must(&wu, ctp, "start", json!({}));
    must(&wu, ctp, "complete", json!({"good_total": 4}));
    let cutter = s.user("ma", "operator", &["CUTTING"]);
    let cut = id(task_of(&order, "CUT"));
    must(&cutter, cut, "claim", json!({}));
    must(&cutter, cut, "start", json!({}));
    must(&cutter, cut, "progress", json!({"good": 1000}));
    let o = order_of(&s, &order);
    assert_eq!(avail(&o, "PRT"), 1000);
    assert_eq!(
        task_of(&o, "PRT")["ready"],
        false,
        "the gates still hold it"
    );
    let maker = s.user("chen", "maker", &[]);
    for gate in ["proof_approved", "paper_ready"] {
        let (status, body) = maker.post(
            &format!("/api/v1/work-orders/{}/gates/{gate}", id(&order)),
            &json!({}),
        );
        assert_eq!(status, 200, "{body}");
    }
    let o = order_of(&s, &order);
    let gate = o["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "proof_approved")
        .unwrap();
    assert_eq!(gate["done_by_name"], "chen", "who ticked it is kept");
    let t = task(&li, prt_id);
    assert_eq!(
        (t["ready"].as_bool(), t["actions"].clone()),
        (Some(true), json!(["release", "start"]))
    );
    must(&li, prt_id, "start", json!({}));
    must(
        &li,
        prt_id,
        "progress",
        json!({"good": 900, "scrap": 10, "scrap_reason": "MAKE_READY"}),
    );
    // Printed sheets reach die-cutting (still waiting for its die); its pieces are 4 a sheet.
    let o = order_of(&s, &order);
    assert_eq!(avail(&o, "DIE"), 900);
    assert_eq!(task_of(&o, "DIE")["blocked_by"][0]["gate"], "die_ready");
    let history = history(&s.admin, &format!("work-orders/{}", id(&order)));
    assert!(kinds(&history).contains(&"work_order.gate_done".to_owned()));
}

fn order_of(s: &TestServer, order: &Value) -> Value {
    common::floor::order(&s.admin, id(order))
}

#[test]
fn completion_states_final_totals_honestly() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let zhao = s.user("zhao", "operator", &["DIECUT"]);
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    let (prt, die) = (id(task_of(&order, "PRT")), id(task_of(&order, "DIE")));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(&li, prt, "progress", json!({"good": 3000}));
    must(&zhao, die, "claim", json!({}));
    must(&zhao, die, "start", json!({}));
    must(&zhao, die, "progress", json!({"good": 2000}));
    // Die-cutting cannot finish while printing is still open.
    let reply = act(
        &zhao,
        die,
        "complete",
        json!({"good_total": 2000, "shortfall_reason": "x"}),
    );
    assert_eq!(refused(reply, 409), "upstream_open");
    // Printing finishes short: the reason is asked for, naming the field.
    let (status, reply) = act(&li, prt, "complete", json!({"good_total": 4800}));
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("shortfall_reason")),
        "{reply}"
    );
    let (status, reply) = act(
        &li,
        prt,
        "complete",
        json!({"good_total": 2999, "shortfall_reason": "x"}),
    );
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("good_total")),
        "{reply}"
    );
    let (status, reply) = act(
        &li,
        prt,
        "complete",
        json!({"good_total": 4800, "scrap_total": 200}),
    );
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("scrap_reason")),
        "{reply}"
    );
    let t = must(
        &li,
        prt,
        "complete",
        json!({"good_total": 4800, "scrap_total": 200, "scrap_reason": "RUN_WASTE",
               "shortfall_reason": "纸张不够 paper ran out"}),
    );
    assert_eq!(
        (t["good_qty"].as_i64(), t["scrap_qty"].as_i64()),
        (Some(4800), Some(200))
    );
    assert_eq!(t["shortfall_reason"], "纸张不够 paper ran out");
    // What really finished is what reaches die-cutting, which may now finish short.
    assert_eq!(task(&zhao, die)["available_qty"], 4800);
    let (status, reply) = act(
        &zhao,
        die,
        "complete",
        json!({"good_total": 4801, "shortfall_reason": "x"}),
    );
    assert_eq!(refused((status, reply), 409), "quantity_exceeds_available");
    must(
        &zhao,
        die,
        "complete",
        json!({"good_total": 4800, "shortfall_reason": "printing short"}),
    );
}

#[test]
fn a_shift_handover_keeps_the_clock_and_credits_each_operator_their_part() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let wang = s.user("wang", "operator", &["PRINTING"]);
    let wang_id = wang.get("/api/v1/auth/me").1["id"].as_i64().unwrap();
    let li_id = li.get("/api/v1/auth/me").1["id"].as_i64().unwrap();
    let order = published_order(&s.admin, &["PRT"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    let started = must(&li, prt, "start", json!({}));
    must(&li, prt, "progress", json!({"good": 1000}));
    let t = must(
        &li,
        prt,
        "handover",
        json!({"operator_id": wang_id, "note": "早班交接"}),
    );
    assert_eq!(
        (t["status"].as_str(), t["operator_id"].as_i64()),
        (Some("in_progress"), Some(wang_id))
    );
    assert_eq!(
        t["running_since"], started["running_since"],
        "the clock kept running"
    );
    let (status, reply) = act(&li, prt, "progress", json!({"good": 1}));
    assert_eq!(refused((status, reply), 409), "task_held_by_other");
    must(&wang, prt, "progress", json!({"good": 1000}));
    must(
        &wang,
        prt,
        "complete",
        json!({"good_total": 2000, "shortfall_reason": "short order"}),
    );
    let conn = rusqlite::Connection::open(s.db_path()).unwrap();
    let credit = |who: i64| -> (i64, i64) {
        conn.query_row(
            "SELECT COUNT(*), SUM(good) FROM task_segments WHERE task_id = ?1 AND operator_id = ?2",
            [prt, who],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    assert_eq!(credit(li_id), (1, 1000));
    assert_eq!(credit(wang_id), (1, 1000));
    let good: i64 = conn
        .query_row(
            "SELECT SUM(good) FROM task_daily WHERE operator_id = ?1",
            [wang_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        good, 1000,
        "the stats credit wang with his 1,000, not 2,000"
    );
    let h = history(&s.admin, &format!("tasks/{prt}"));
    let handed = h
        .iter()
        .find(|e| e["kind"] == "task.handed_over")
        .expect("handover in history");
    assert_eq!(handed["data"]["note"], "早班交接");
}

#[test]
fn steps_and_needs_that_loop_or_dangle_are_refused_naming_the_line() {
    let s = TestServer::start();
    let prt = process_id(&s.admin, "PRT");
    let die = process_id(&s.admin, "DIE");
    for (lines, field) in [
        (
            json!([{"process_id": prt, "needs": [1]}, {"process_id": die}]),
            "processes[0].needs",
        ),
        (
            json!([{"process_id": prt}, {"process_id": die, "needs": [7]}]),
            "processes[1].needs",
        ),
        (
            json!([{"process_id": prt, "needs": [0]}]),
            "processes[0].needs",
        ),
    ] {
        let (status, reply) = s.admin.post(
            "/api/v1/work-orders",
            &json!({"customer": "c", "product": "p", "quantity": 10, "due_date": "2026-12-24",
                    "processes": lines}),
        );
        assert_eq!(
            (status, reply["error"]["field"].as_str()),
            (422, Some(field)),
            "{reply}"
        );
    }
    let (_, list) = s.admin.get("/api/v1/work-orders");
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        0,
        "nothing half-written"
    );
    // A plate line needs the colours to plan its plates.
    let ctp = process_id(&s.admin, "CTP");
    let (status, reply) = s.admin.post(
        "/api/v1/work-orders",
        &json!({"customer": "c", "product": "p", "quantity": 10, "due_date": "2026-12-24",
                "processes": [{"process_id": ctp}]}),
    );
    assert_eq!(
        (status, reply["error"]["field"].as_str()),
        (422, Some("processes[0].quantity"))
    );
}

#[test]
fn task_ids_are_never_reused() {
    let s = TestServer::start();
    let order = create_order(&s.admin, &["PRT", "DIE"]);
    let die = id(task_of(&order, "DIE"));
    let (status, reply) = s.admin.post(
        "/api/v1/tasks/batch",
        &json!({"action": "delete_drafts", "ids": [die]}),
    );
    assert_eq!(status, 200, "{reply}");
    let again = create_order(&s.admin, &["PACK"]);
    let pack = id(task_of(&again, "PACK"));
    assert!(pack > die, "task {pack} reuses the deleted task {die}'s id");
}

#[test]
fn a_database_made_by_the_previous_release_opens_and_works() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1.db");
    let s = TestServer::start_on_copy_of(&fixture);
    // Order 1: CTP completed, PRT paused with 3,000 good, DIE running, PACK waiting.
    let o = common::floor::order(&s.admin, 1);
    let by_id = |id: i64| {
        o["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_id(2)["status"], "paused");
    assert_eq!(by_id(2)["good_qty"], 3000);
    assert_eq!(by_id(2)["unit"], "sheet");
    assert_eq!(
        by_id(3)["available_qty"],
        3000,
        "die-cutting still takes printing's sheets"
    );
    assert_eq!(by_id(1)["unit"], "plate");
    let h = history(&s.admin, "tasks/2");
    assert!(
        kinds(&h).contains(&"task.paused".to_owned()),
        "history kept"
    );
    // The printing operator resumes and finishes; a new order gets a new id.
    let li = Client::login(&s.base, "li", "li-secret-1");
    must(&li, 2, "resume", json!({}));
    must(
        &li,
        2,
        "complete",
        json!({"good_total": 4980, "shortfall_reason": "20 sheets make-ready"}),
    );
    let fresh = published_order(&s.admin, &["PRT"]);
    assert!(id(task_of(&fresh, "PRT")) > 16);
    let out = s.cli(&["check"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("schema version: 2"));
}

/// "The customer adds 500": raising the order quantity after approval gives a started task
/// its new target, which its card shows until the operator acknowledges; lowering it below
/// what was reported is refused and changes nothing.
#[test]
fn the_customer_adds_500_and_the_running_task_hears_of_it() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    let (prt, die) = (id(task_of(&order, "PRT")), id(task_of(&order, "DIE")));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(&li, prt, "progress", json!({"good": 3000}));
    let path = format!("/api/v1/work-orders/{}", id(&order));

    let (status, edited) = s.admin.patch(&path, &json!({"quantity": 5500}));
    assert_eq!(status, 200, "{edited}");
    let running = task(&li, prt);
    assert_eq!(running["quantity"], 5500);
    assert_eq!(running["status"], "in_progress", "the clock keeps running");
    assert_eq!(running["target_notice"]["from"], 5000);
    assert_eq!(running["target_notice"]["to"], 5500);
    assert!(running["actions"]
        .as_array()
        .unwrap()
        .contains(&json!("acknowledge")));
    // The unclaimed die-cutting task simply follows.
    assert_eq!(task(&s.admin, die)["quantity"], 5500);
    assert!(task(&s.admin, die)["target_notice"].is_null());
    assert!(kinds(&history(&s.admin, &format!("tasks/{prt}")))
        .contains(&"task.target_changed".to_owned()));

    let seen = must(&li, prt, "acknowledge", json!({}));
    assert!(seen["target_notice"].is_null());
    assert!(!seen["actions"]
        .as_array()
        .unwrap()
        .contains(&json!("acknowledge")));
    assert_eq!(
        refused(act(&li, prt, "acknowledge", json!({})), 409),
        "no_target_notice"
    );

    let before = order_of(&s, &order);
    let reply = s.admin.patch(&path, &json!({"quantity": 2900}));
    assert_eq!(refused(reply.clone(), 409), "quantity_below_reported");
    assert_eq!(reply.1["error"]["details"]["reported"], 3000);
    let after = order_of(&s, &order);
    assert_eq!(after["quantity"], 5500);
    assert_eq!(after["version"], before["version"], "nothing half-applied");
    assert_eq!(task(&li, prt)["quantity"], 5500);
}

/// Reordering that would put started work after unstarted work is refused; reordering what
/// nobody has touched still works.
#[test]
fn started_work_cannot_be_put_after_unfinished_work() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT", "DIE", "PACK"]);
    let prt = id(task_of(&order, "PRT"));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    let path = format!("/api/v1/work-orders/{}", id(&order));
    let lines: Vec<Value> = order["lines"].as_array().unwrap().clone();
    let line = |i: usize| json!({"id": lines[i]["id"], "process_id": lines[i]["process_id"]});

    // Die-cutting before printing: printing, already running, would wait for it.
    let version = order_of(&s, &order)["version"].clone();
    let reply = s
        .admin
        .patch(&path, &json!({"processes": [line(1), line(0), line(2)]}));
    assert_eq!(refused(reply.clone(), 409), "started_work_reordered");
    assert_eq!(reply.1["error"]["details"]["would_need"], "DIE");
    let now = order_of(&s, &order);
    assert_eq!(now["version"], version, "nothing half-applied");
    let codes: Vec<&str> = now["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["process_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["PRT", "DIE", "PACK"]);
    // Swapping the two steps after it, which nobody has started, is fine.
    let (status, body) = s
        .admin
        .patch(&path, &json!({"processes": [line(0), line(2), line(1)]}));
    assert_eq!(status, 200, "{body}");
}

/// A supervisor splits part of a task's unstarted remainder to a second press crew; the
/// siblings together feed die-cutting, and a split too large or by an operator is refused.
#[test]
fn a_split_task_runs_on_two_crews_and_both_feed_the_next_step() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let zhang = s.user("zhang", "operator", &["PRINTING"]);
    let chen = s.user("chen", "supervisor", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT", "DIE"]);
    let (prt, die) = (id(task_of(&order, "PRT")), id(task_of(&order, "DIE")));
    must(&li, prt, "claim", json!({}));
    must(&li, prt, "start", json!({}));
    must(&li, prt, "progress", json!({"good": 1000}));

    let zhang_id = zhang.get("/api/v1/auth/me").1["id"].clone();
    let too_much = act(&chen, prt, "split", json!({"quantity": 4001}));
    assert_eq!(too_much.0, 422, "{}", too_much.1);
    assert_eq!(
        too_much.1["error"]["details"],
        json!({"rule": "range", "min": 1, "max": 4000})
    );
    assert_eq!(
        refused(act(&li, prt, "split", json!({"quantity": 10})), 403),
        "forbidden"
    );

    let (status, both) = act(
        &chen,
        prt,
        "split",
        json!({"quantity": 2000, "operator_id": zhang_id, "reason": "二号机帮忙"}),
    );
    assert_eq!(status, 200, "{both}");
    assert_eq!(both["task"]["quantity"], 3000);
    assert_eq!(
        both["task"]["status"], "in_progress",
        "the running crew keeps running"
    );
    let split = id(&both["split"]);
    assert_eq!(both["split"]["quantity"], 2000);
    assert_eq!(both["split"]["split_from"], prt);
    assert_eq!(both["split"]["operator_id"], zhang_id);
    assert!(kinds(&history(&s.admin, &format!("tasks/{prt}"))).contains(&"task.split".to_owned()));

    must(&zhang, split, "start", json!({}));
    must(&zhang, split, "progress", json!({"good": 2000}));
    must(&li, prt, "progress", json!({"good": 2000}));
    assert_eq!(
        task(&s.admin, die)["available_qty"],
        5000,
        "both halves reach die-cutting"
    );
    must(&zhang, split, "complete", json!({"good_total": 2000}));
    must(&li, prt, "complete", json!({"good_total": 3000}));
    assert!(task(&s.admin, die)["ready"].as_bool().unwrap());
}

/// The shop's catalogue says what each process counts, where it sits and what it waits for;
/// a gate taken away stops holding open work at once.
#[test]
fn a_process_unit_step_and_gates_are_edited_in_the_catalogue() {
    let s = TestServer::start();
    let order = create_order(&s.admin, &["PRT"]);
    let (status, order) = s.admin.post(
        &format!("/api/v1/work-orders/{}/approve", id(&order)),
        &json!({}),
    );
    assert_eq!(status, 200, "{order}");
    let prt_task = id(task_of(&order, "PRT"));
    assert!(
        !task(&s.admin, prt_task)["ready"].as_bool().unwrap(),
        "waits for proof and paper"
    );
    let prt = process_id(&s.admin, "PRT");
    let path = format!("/api/v1/processes/{prt}");

    let (status, reply) = s
        .admin
        .patch(&path, &json!({"gates": ["proof_approved", "ink_ready"]}));
    assert_eq!(status, 422, "{reply}");
    assert_eq!(reply["error"]["field"], "gates[1]");
    assert_eq!(reply["error"]["details"]["rule"], "unknown");

    let (status, p) = s.admin.patch(
        &path,
        &json!({"gates": ["proof_approved"], "unit": "sheet", "default_step": 35}),
    );
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (p["gates"].clone(), p["default_step"].clone()),
        (json!(["proof_approved"]), json!(35))
    );
    let t = task(&s.admin, prt_task);
    assert_eq!(t["blocked_by"].as_array().unwrap().len(), 1, "{t}");
    assert_eq!(t["blocked_by"][0]["gate"], "proof_approved");

    let (status, p) = s.admin.patch(&path, &json!({"gates": []}));
    assert_eq!(status, 200, "{p}");
    assert!(task(&s.admin, prt_task)["ready"].as_bool().unwrap());
    let (status, _) = s.admin.patch(&path, &json!({"unit": "litre"}));
    assert_eq!(status, 422);
}

/// A shop adds its own gate ("ink mixed") and makes printing wait for it: new orders carry
/// it, and printing is ready only once it is ticked.
#[test]
fn a_shop_adds_its_own_gate_and_printing_waits_for_it() {
    let s = TestServer::start();
    let ink = json!({"code": "ink_ready", "name_zh": "专色调好", "name_en": "Spot ink mixed"});
    let chen = s.user("chen", "supervisor", &["PRINTING"]);
    assert_eq!(refused(chen.post("/api/v1/gates", &ink), 403), "forbidden");
    let (status, bad) = s.admin.post(
        "/api/v1/gates",
        &json!({"code": "9ink", "name_zh": "x", "name_en": "x"}),
    );
    assert_eq!(
        (status, bad["error"]["details"]["rule"].clone()),
        (422, json!("format")),
        "{bad}"
    );
    let (status, gate) = s.admin.post("/api/v1/gates", &ink);
    assert_eq!(status, 201, "{gate}");
    assert_eq!(
        refused(s.admin.post("/api/v1/gates", &ink), 409),
        "gate_exists"
    );
    let (_, all) = s.admin.get("/api/v1/gates");
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["code"] == "ink_ready"));

    let prt = process_id(&s.admin, "PRT");
    let (status, p) = s.admin.patch(
        &format!("/api/v1/processes/{prt}"),
        &json!({"gates": ["proof_approved", "paper_ready", "ink_ready"]}),
    );
    assert_eq!(status, 200, "{p}");
    let order = published_order(&s.admin, &["PRT"]);
    let printing = id(task_of(&order, "PRT"));
    assert!(
        task(&s.admin, printing)["ready"].as_bool().unwrap(),
        "every gate ticked"
    );
    let path = format!("/api/v1/work-orders/{}/gates/ink_ready", id(&order));
    let (status, _) = chen.post(&path, &json!({"done": false}));
    assert_eq!(status, 200);
    let t = task(&s.admin, printing);
    assert!(!t["ready"].as_bool().unwrap());
    assert_eq!(t["blocked_by"][0]["gate"], "ink_ready");
    let (status, _) = chen.post(&path, &json!({"done": true}));
    assert_eq!(status, 200);
    assert!(task(&s.admin, printing)["ready"].as_bool().unwrap());
}
