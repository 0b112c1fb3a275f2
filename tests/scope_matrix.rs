//! Every role against every endpoint: allowed, or refused with the status the design gives
//! (403 for a role that may never do it, 404 for what is outside the caller's scope, 401 for
//! nobody signed in), and prices absent for the shop floor in every reply. Each cell gets a
//! fresh fixture, so a refusal is never an accident of state left by another cell.

mod common;

use common::floor::*;
use common::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Columns: who calls. `sup_x` and `op_x` work in die-cutting, outside the fixtures' printing.
const WHO: [&str; 8] = [
    "admin",
    "manager",
    "maker",
    "supervisor",
    "operator",
    "sup_x",
    "op_x",
    "anonymous",
];
/// Roles that may see prices; every other column must never receive one.
const SEES_PRICES: usize = 3;

struct World {
    s: TestServer,
    callers: Vec<Client>,
    li: i64,
    n: AtomicUsize,
}

struct Req {
    method: &'static str,
    path: String,
    body: Value,
}

fn get(path: impl Into<String>) -> Req {
    Req {
        method: "GET",
        path: path.into(),
        body: Value::Null,
    }
}

fn post(path: impl Into<String>, body: Value) -> Req {
    Req {
        method: "POST",
        path: path.into(),
        body,
    }
}

fn patch(path: impl Into<String>, body: Value) -> Req {
    Req {
        method: "PATCH",
        path: path.into(),
        body,
    }
}

impl World {
    fn next(&self) -> usize {
        self.n.fetch_add(1, Ordering::Relaxed)
    }
    /// A published single-step printing order; returns (order id, task id).
    fn pending(&self) -> (i64, i64) {
        let order = published_order(&self.s.admin, &["PRT"]);
        (id(&order), id(task_of(&order, "PRT")))
    }
    /// A printing task held by the operator `li`, taken to `state`.
    fn held(&self, state: &str) -> i64 {
        let (_, t) = self.pending();
        let li = &self.callers[4];
        must(li, t, "claim", json!({}));
        if state != "assigned" {
            must(li, t, "start", json!({}));
        }
        if state == "paused" {
            must(li, t, "pause", json!({}));
        }
        t
    }
    fn draft(&self) -> Value {
        create_order(&self.s.admin, &["PRT", "DIE"])
    }
}

type Setup = fn(&World) -> Req;

/// (what, expected status per column of `WHO`, whether price-seeing roles must get prices, setup)
fn rows() -> Vec<(&'static str, [u16; 8], bool, Setup)> {
    const ALL: [u16; 8] = [200, 200, 200, 200, 200, 200, 200, 401];
    const IN_SCOPE: [u16; 8] = [200, 200, 200, 200, 200, 404, 404, 401];
    const OFFICE: [u16; 8] = [200, 200, 200, 404, 404, 404, 404, 401];
    const WORK: [u16; 8] = [403, 403, 403, 403, 200, 403, 404, 401];
    const DIRECT: [u16; 8] = [200, 200, 403, 200, 403, 404, 403, 401];
    const DIRECT_BATCH: [u16; 8] = [200, 200, 403, 200, 403, 409, 403, 401];
    const MAKERS: [u16; 8] = [200, 200, 200, 403, 403, 403, 403, 401];
    const APPROVERS: [u16; 8] = [200, 200, 403, 403, 403, 403, 403, 401];
    vec![
        ("GET /auth/me", ALL, false, |_| get("/api/v1/auth/me")),
        ("GET /processes", ALL, false, |_| get("/api/v1/processes")),
        ("GET /departments", ALL, false, |_| {
            get("/api/v1/departments")
        }),
        ("GET /users", ALL, false, |_| get("/api/v1/users")),
        (
            "GET /departments/{id}/load",
            [200, 200, 403, 200, 403, 403, 403, 401],
            false,
            |w| {
                get(format!(
                    "/api/v1/departments/{}/load",
                    department_id(&w.s.admin, "PRINTING")
                ))
            },
        ),
        ("GET /scrap-reasons", ALL, false, |_| {
            get("/api/v1/scrap-reasons")
        }),
        (
            "POST /users",
            [201, 403, 403, 403, 403, 403, 403, 401],
            false,
            |w| {
                post(
                    "/api/v1/users",
                    json!({"username": format!("u{}", w.next()), "role": "operator", "password": PASSWORD}),
                )
            },
        ),
        (
            "POST /scrap-reasons",
            [201, 201, 403, 403, 403, 403, 403, 401],
            false,
            |w| {
                post(
                    "/api/v1/scrap-reasons",
                    json!({"code": format!("R{}", w.next()), "name_zh": "其他", "name_en": "Other"}),
                )
            },
        ),
        ("PATCH /scrap-reasons/{code}", APPROVERS, false, |_| {
            patch("/api/v1/scrap-reasons/DEFECT", json!({"name_en": "Defect"}))
        }),
        (
            "POST /work-orders",
            [201, 201, 201, 403, 403, 403, 403, 401],
            false,
            |w| {
                let prt = process_id(&w.s.admin, "PRT");
                post(
                    "/api/v1/work-orders",
                    json!({"customer": "c", "product": "p", "quantity": 10, "due_date": "2026-12-01",
                "unit_price": 1.5, "processes": [{"process_id": prt}]}),
                )
            },
        ),
        ("GET /work-orders", ALL, true, |w| {
            w.pending();
            get("/api/v1/work-orders")
        }),
        ("GET /work-orders/{id}", IN_SCOPE, true, |w| {
            get(format!("/api/v1/work-orders/{}", w.pending().0))
        }),
        ("GET /work-orders/{draft}", OFFICE, true, |w| {
            get(format!("/api/v1/work-orders/{}", id(&w.draft())))
        }),
        ("PATCH /work-orders/{id}", MAKERS, true, |w| {
            patch(
                format!("/api/v1/work-orders/{}", id(&w.draft())),
                json!({"notes": "加急"}),
            )
        }),
        ("POST /work-orders/{id}/submit", MAKERS, true, |w| {
            post(
                format!("/api/v1/work-orders/{}/submit", id(&w.draft())),
                json!({}),
            )
        }),
        ("POST /work-orders/{id}/approve", APPROVERS, true, |w| {
            post(
                format!("/api/v1/work-orders/{}/approve", id(&w.draft())),
                json!({}),
            )
        }),
        ("POST /work-orders/{id}/reject", APPROVERS, true, |w| {
            let o = id(&w.draft());
            w.s.admin
                .post(&format!("/api/v1/work-orders/{o}/submit"), &json!({}));
            post(
                format!("/api/v1/work-orders/{o}/reject"),
                json!({"reason": "重排"}),
            )
        }),
        ("POST /work-orders/{id}/cancel", MAKERS, true, |w| {
            post(
                format!("/api/v1/work-orders/{}/cancel", id(&w.draft())),
                json!({"reason": "客户取消"}),
            )
        }),
        (
            "POST /work-orders/{approved}/cancel",
            APPROVERS,
            true,
            |w| {
                post(
                    format!("/api/v1/work-orders/{}/cancel", w.pending().0),
                    json!({"reason": "客户取消"}),
                )
            },
        ),
        ("GET /tasks", ALL, false, |w| {
            w.pending();
            get("/api/v1/tasks")
        }),
        ("GET /tasks?ready=true", ALL, false, |w| {
            w.pending();
            get("/api/v1/tasks?ready=true")
        }),
        ("GET /tasks/{id}", IN_SCOPE, false, |w| {
            get(format!("/api/v1/tasks/{}", w.pending().1))
        }),
        ("GET /tasks/{draft}", OFFICE, false, |w| {
            get(format!("/api/v1/tasks/{}", id(task_of(&w.draft(), "PRT"))))
        }),
        (
            "POST /tasks/{id}/claim",
            [403, 403, 403, 403, 200, 403, 404, 401],
            false,
            |w| post(format!("/api/v1/tasks/{}/claim", w.pending().1), json!({})),
        ),
        ("POST /tasks/{id}/start", WORK, false, |w| {
            post(
                format!("/api/v1/tasks/{}/start", w.held("assigned")),
                json!({}),
            )
        }),
        ("POST /tasks/{id}/pause", WORK, false, |w| {
            post(
                format!("/api/v1/tasks/{}/pause", w.held("in_progress")),
                json!({}),
            )
        }),
        ("POST /tasks/{id}/resume", WORK, false, |w| {
            post(
                format!("/api/v1/tasks/{}/resume", w.held("paused")),
                json!({}),
            )
        }),
        ("POST /tasks/{id}/progress", WORK, false, |w| {
            post(
                format!("/api/v1/tasks/{}/progress", w.held("in_progress")),
                json!({"good": 5}),
            )
        }),
        ("POST /tasks/{id}/complete", WORK, false, |w| {
            post(
                format!("/api/v1/tasks/{}/complete", w.held("in_progress")),
                json!({"good_total": 0, "shortfall_reason": "test"}),
            )
        }),
        ("POST /tasks/{id}/release", WORK, false, |w| {
            post(
                format!("/api/v1/tasks/{}/release", w.held("assigned")),
                json!({}),
            )
        }),
        ("POST /tasks/{id}/assign", DIRECT, false, |w| {
            post(
                format!("/api/v1/tasks/{}/assign", w.pending().1),
                json!({"operator_id": w.li}),
            )
        }),
        ("POST /tasks/{id}/unassign", DIRECT, false, |w| {
            post(
                format!("/api/v1/tasks/{}/unassign", w.held("assigned")),
                json!({"reason": "调班"}),
            )
        }),
        ("POST /tasks/{id}/cancel", DIRECT, false, |w| {
            post(
                format!("/api/v1/tasks/{}/cancel", w.pending().1),
                json!({"reason": "不做了"}),
            )
        }),
        ("POST /tasks/batch cancel", DIRECT_BATCH, false, |w| {
            post(
                "/api/v1/tasks/batch",
                json!({"action": "cancel", "ids": [w.pending().1], "reason": "不做了"}),
            )
        }),
        ("POST /tasks/batch assign", DIRECT_BATCH, false, |w| {
            post(
                "/api/v1/tasks/batch",
                json!({"action": "assign", "ids": [w.pending().1], "operator_id": w.li}),
            )
        }),
        ("POST /tasks/batch publish", APPROVERS, false, |w| {
            post("/api/v1/tasks/batch", {
                let draft = w.draft();
                let all: Vec<i64> = draft["tasks"].as_array().unwrap().iter().map(id).collect();
                json!({"action": "publish", "ids": all})
            })
        }),
        ("POST /tasks/batch delete_drafts", MAKERS, false, |w| {
            post(
                "/api/v1/tasks/batch",
                json!({"action": "delete_drafts", "ids": [id(task_of(&w.draft(), "DIE"))]}),
            )
        }),
        ("GET /tasks/{id}/history", IN_SCOPE, false, |w| {
            get(format!("/api/v1/tasks/{}/history", w.pending().1))
        }),
        ("GET /tasks/{draft}/history", OFFICE, false, |w| {
            get(format!(
                "/api/v1/tasks/{}/history",
                id(task_of(&w.draft(), "PRT"))
            ))
        }),
        ("GET /work-orders/{id}/history", IN_SCOPE, true, |w| {
            get(format!("/api/v1/work-orders/{}/history", w.pending().0))
        }),
        ("GET /work-orders/{draft}/history", OFFICE, true, |w| {
            get(format!("/api/v1/work-orders/{}/history", id(&w.draft())))
        }),
        ("GET /healthz", [200; 8], false, |_| get("/healthz")),
    ]
}

#[test]
fn every_role_against_every_endpoint() {
    let s = TestServer::start();
    let callers = vec![
        s.admin.clone(),
        s.user("boss", "manager", &[]),
        s.user("chen", "maker", &[]),
        s.user("sup", "supervisor", &["PRINTING"]),
        s.user("li", "operator", &["PRINTING"]),
        s.user("sup_x", "supervisor", &["DIECUT"]),
        s.user("op_x", "operator", &["DIECUT"]),
        s.anonymous(),
    ];
    let li = user_id(&s, "li");
    let w = World {
        s,
        callers,
        li,
        n: AtomicUsize::new(0),
    };

    let mut wrong = Vec::new();
    let rows = rows();
    for (what, expected, priced, setup) in &rows {
        for (col, who) in WHO.iter().enumerate() {
            let req = setup(&w);
            let body = if req.body.is_null() {
                Vec::new()
            } else {
                req.body.to_string().into_bytes()
            };
            let (status, reply) = match req.method {
                "GET" => w.callers[col].get(&req.path),
                method => w.callers[col].send(method, &req.path, &body),
            };
            if status != expected[col] {
                wrong.push(format!(
                    "{what} as {who}: {status}, expected {} — {reply}",
                    expected[col]
                ));
                continue;
            }
            if status < 300 && col >= SEES_PRICES && has_price(&reply) {
                wrong.push(format!(
                    "{what} as {who}: a price reached the shop floor — {reply}"
                ));
            }
            if status < 300 && col < SEES_PRICES && *priced && !has_price(&reply) {
                wrong.push(format!("{what} as {who}: prices missing — {reply}"));
            }
            if status >= 400 && reply["error"]["code"].as_str().is_none() {
                wrong.push(format!("{what} as {who}: not a JSON error — {reply}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cells wrong:\n{}",
        wrong.len(),
        rows.len() * WHO.len(),
        wrong.join("\n")
    );
}

#[test]
fn signing_out_ends_the_session_for_every_role() {
    let s = TestServer::start();
    for (name, role) in [
        ("boss", "manager"),
        ("chen", "maker"),
        ("sup", "supervisor"),
        ("li", "operator"),
    ] {
        let depts: &[&str] = if role == "manager" || role == "maker" {
            &[]
        } else {
            &["PRINTING"]
        };
        let c = s.user(name, role, depts);
        let (status, _) = c.post("/api/v1/auth/logout", &json!({}));
        assert_eq!(status, 200, "{role}");
        let (status, reply) = c.get("/api/v1/tasks");
        assert_eq!(
            (status, reply["error"]["code"].as_str()),
            (401, Some("unauthorized")),
            "{role}"
        );
    }
}
