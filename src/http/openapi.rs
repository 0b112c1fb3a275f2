//! The OpenAPI 3.1 document at `/api/v1/openapi.json`. Paths come from the route table below;
//! every request and response schema is derived from the Rust type the handler really uses,
//! so bodies cannot drift from the code. `tests/openapi.rs` checks the table against the
//! routes declared in `src/http/` in both directions.

use super::auth::Credentials;
use super::work_orders::Reason;
use crate::domain::task_input::{
    AssignInput, BatchInput, CompleteInput, HandoverInput, ProgressInput, ReasonInput, SplitInput,
};
use crate::domain::work_order::{NewWorkOrder, WorkOrderPatch};
use crate::service::catalog::{Department, Process};
use crate::service::departments::DepartmentSettings;
use crate::service::gates::{Gate, GateTick, NewGate};
use crate::service::health::Health;
use crate::service::history::{HistoryPage, HistoryQuery};
use crate::service::notifications::{Inbox, InboxQuery, MarkedAll, Notification, Unread};
use crate::service::process_admin::ProcessPatch;
use crate::service::scrap_reasons::{NewScrapReason, ScrapReason, ScrapReasonPatch};
use crate::service::stats::{Workload, WorkloadQuery};
use crate::service::task_batch::BatchResult;
use crate::service::task_control::SplitView;
use crate::service::tasks::{TaskFilter, TaskPage};
use crate::service::tickets::Ticket;
use crate::service::user_admin::{NewPassword, UserPatch};
use crate::service::users::{LoginResult, NewUser, UserView};
use crate::service::views::{GateView, TaskView, WorkOrderView};
use crate::service::wip::DepartmentLoad;
use crate::service::work_orders::{Page, WorkOrderFilter};
use crate::service::Actor;
use crate::store::event_log::Event;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn s<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// A documented operation. `errors` lists the statuses it may answer besides 401/500.
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub request: Option<SchemaFn>,
    pub query: Option<SchemaFn>,
    pub status: u16,
    pub response: SchemaFn,
    pub errors: &'static [u16],
    pub public: bool,
    /// The success body's media type; JSON unless said otherwise (the QR codes are SVG).
    pub media: &'static str,
}

const fn op(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    response: SchemaFn,
) -> Op {
    Op {
        method,
        path,
        summary,
        request: None,
        query: None,
        status: 200,
        response,
        errors: &[],
        public: false,
        media: "application/json",
    }
}

impl Op {
    const fn body(mut self, request: SchemaFn) -> Op {
        self.request = Some(request);
        self
    }
    const fn query(mut self, query: SchemaFn) -> Op {
        self.query = Some(query);
        self
    }
    const fn created(mut self) -> Op {
        self.status = 201;
        self
    }
    const fn errors(mut self, errors: &'static [u16]) -> Op {
        self.errors = errors;
        self
    }
    const fn public(mut self) -> Op {
        self.public = true;
        self
    }
    /// Prometheus's text format.
    const fn text(mut self) -> Op {
        self.media = "text/plain";
        self
    }

    const fn svg(mut self) -> Op {
        self.media = "image/svg+xml";
        self
    }
}

#[derive(serde::Serialize, JsonSchema)]
#[allow(dead_code)]
struct Ok {
    ok: bool,
}

#[derive(serde::Serialize, JsonSchema)]
#[allow(dead_code)]
struct ErrorDetail {
    /// Stable English identifier, e.g. `task_already_claimed`.
    code: String,
    message: String,
    /// The offending field's JSON path, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    /// Facts a client can word itself: a batch's `failures` (each with `id`, `code`, `message`
    /// and its own `details`), who holds a task (`task_held_by_other`: `operator_id`,
    /// `operator_name`), or whose cap was reached (`wip_limit_reached` on an assignment:
    /// `operator_id`, `operator_name`, `held`, `cap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Value>,
}

#[derive(serde::Serialize, JsonSchema)]
#[allow(dead_code)]
struct ErrorBody {
    error: ErrorDetail,
}

/// Every route of the server. Keep in step with `src/http/`: the test enforces it.
pub fn operations() -> Vec<Op> {
    vec![
        op(
            "post",
            "/api/v1/auth/login",
            "Sign in; sets the session cookie",
            s::<LoginResult>,
        )
        .body(s::<Credentials>)
        .errors(&[401, 422, 429])
        .public(),
        op(
            "post",
            "/api/v1/auth/logout",
            "Sign out (forgets the token)",
            s::<Ok>,
        )
        .public(),
        op("get", "/api/v1/auth/me", "The signed-in user", s::<Actor>),
        op(
            "get",
            "/api/v1/processes",
            "The process catalogue",
            s::<Vec<Process>>,
        ),
        op(
            "get",
            "/api/v1/departments",
            "Departments with their dispatch settings",
            s::<Vec<Department>>,
        ),
        op(
            "get",
            "/api/v1/users",
            "Users the caller may see",
            s::<Vec<UserView>>,
        ),
        op(
            "patch",
            "/api/v1/departments/{id}",
            "Dispatch strategy, auto-assign delay, WIP cap (admin, manager)",
            s::<Department>,
        )
        .body(s::<DepartmentSettings>)
        .errors(&[403, 404, 422]),
        op(
            "get",
            "/api/v1/departments/{id}/load",
            "What each active operator of the department holds against the WIP cap, counted as the cap counts (admin, manager, its supervisors)",
            s::<DepartmentLoad>,
        )
        .errors(&[403, 404]),
        op(
            "get",
            "/api/v1/stats/workload",
            "Workload per department and operator, in the caller's scope",
            s::<Workload>,
        )
        .query(s::<WorkloadQuery>)
        .errors(&[422]),
        op("get", "/api/v1/events", "WebSocket upgrade: JSON arrays of events the caller may see; `?after=<id>` replays what was missed, `?ticket=` authenticates", s::<Vec<Event>>)
            .errors(&[400, 426]),
        op("post", "/api/v1/events/ticket", "A short-lived, single-use ticket for the WebSocket", s::<Ticket>),
        op("get", "/api/v1/notifications", "The caller's inbox, newest first, with the unread count", s::<Inbox>)
            .query(s::<InboxQuery>)
            .errors(&[422]),
        op("get", "/api/v1/notifications/unread-count", "How many notifications are unread", s::<Unread>),
        op("post", "/api/v1/notifications/{id}/read", "Mark one notification read", s::<Notification>).errors(&[404]),
        op("post", "/api/v1/notifications/read-all", "Mark every notification read", s::<MarkedAll>),
        op("patch", "/api/v1/users/{id}", "Change a user's name, role, departments, skills, locale or active flag (admin)", s::<UserView>)
            .body(s::<UserPatch>)
            .errors(&[403, 404, 409, 422]),
        op("post", "/api/v1/users/{id}/password", "Set a new password and sign the user out everywhere (admin)", s::<UserView>)
            .body(s::<NewPassword>)
            .errors(&[403, 404, 422]),
        op("patch", "/api/v1/processes/{id}", "Edit a process of the catalogue (admin, manager)", s::<Process>)
            .body(s::<ProcessPatch>)
            .errors(&[403, 404, 422]),
        op("post", "/api/v1/users", "Add a user (admin)", s::<UserView>)
            .body(s::<NewUser>)
            .created()
            .errors(&[403, 409, 422]),
        op(
            "post",
            "/api/v1/work-orders",
            "Create a work order with one draft task per process line",
            s::<WorkOrderView>,
        )
        .body(s::<NewWorkOrder>)
        .created()
        .errors(&[403, 422]),
        op(
            "get",
            "/api/v1/work-orders",
            "Work orders the caller may see, most urgent first",
            s::<Page<WorkOrderView>>,
        )
        .query(s::<WorkOrderFilter>)
        .errors(&[422]),
        op(
            "get",
            "/api/v1/work-orders/{id}",
            "One work order with its lines and visible tasks",
            s::<WorkOrderView>,
        )
        .errors(&[404]),
        op(
            "patch",
            "/api/v1/work-orders/{id}",
            "Edit; process lines sync to tasks differentially",
            s::<WorkOrderView>,
        )
        .body(s::<WorkOrderPatch>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/work-orders/{id}/submit",
            "Submit a draft for approval",
            s::<WorkOrderView>,
        )
        .errors(&[403, 404, 409]),
        op(
            "post",
            "/api/v1/work-orders/{id}/approve",
            "Approve and publish every draft task",
            s::<WorkOrderView>,
        )
        .errors(&[403, 404, 409]),
        op(
            "post",
            "/api/v1/work-orders/{id}/reject",
            "Return a submitted order to draft",
            s::<WorkOrderView>,
        )
        .body(s::<Reason>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/work-orders/{id}/cancel",
            "Cancel the order and its open tasks",
            s::<WorkOrderView>,
        )
        .body(s::<Reason>)
        .errors(&[403, 404, 409, 422]),
        op(
            "get",
            "/api/v1/tasks",
            "Tasks the caller may see, most urgent first, keyset-paged",
            s::<TaskPage>,
        )
        .query(s::<TaskFilter>)
        .errors(&[422]),
        op("get", "/api/v1/tasks/{id}", "One task", s::<TaskView>).errors(&[404]),
        op(
            "post",
            "/api/v1/tasks/{id}/claim",
            "Claim a pending task from the pool; exactly one claim wins",
            s::<TaskView>,
        )
        .errors(&[403, 404, 409]),
        op(
            "post",
            "/api/v1/tasks/{id}/start",
            "Start work on an assigned, ready task (its operator)",
            s::<TaskView>,
        )
        .errors(&[403, 404, 409]),
        op(
            "post",
            "/api/v1/tasks/{id}/pause",
            "Pause a running task",
            s::<TaskView>,
        )
        .errors(&[403, 404, 409]),
        op(
            "post",
            "/api/v1/tasks/{id}/resume",
            "Resume a paused task",
            s::<TaskView>,
        )
        .errors(&[403, 404, 409]),
        op(
            "post",
            "/api/v1/tasks/{id}/progress",
            "Report good and scrap quantities (scrap needs a reason code)",
            s::<TaskView>,
        )
        .body(s::<ProgressInput>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/tasks/{id}/complete",
            "Complete a task with its final totals (409 upstream_open while a step before it is open)",
            s::<TaskView>,
        )
        .body(s::<CompleteInput>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/tasks/{id}/release",
            "Give a task back to the pool",
            s::<TaskView>,
        )
        .errors(&[403, 404, 409]),
        op(
            "post",
            "/api/v1/tasks/{id}/handover",
            "Pass a running task to the next operator without stopping the clock",
            s::<TaskView>,
        )
        .body(s::<HandoverInput>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/tasks/{id}/split",
            "Move part of a task's unstarted remainder into a new task of the same line",
            s::<SplitView>,
        )
        .body(s::<SplitInput>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/tasks/{id}/acknowledge",
            "The operator has seen the task's changed target (409 no_target_notice)",
            s::<TaskView>,
        )
        .errors(&[403, 404, 409]),
        op("get", "/api/v1/gates", "The gates catalogue", s::<Vec<Gate>>),
        op("post", "/api/v1/gates", "Add a gate (admins)", s::<Gate>)
            .body(s::<NewGate>)
            .errors(&[403, 409, 422]),
        op(
            "post",
            "/api/v1/work-orders/{id}/gates/{code}",
            "Tick (or open again) one of the order's gates",
            s::<Vec<GateView>>,
        )
        .body(s::<GateTick>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/tasks/{id}/assign",
            "Assign or reassign to an operator of the department",
            s::<TaskView>,
        )
        .body(s::<AssignInput>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/tasks/{id}/unassign",
            "Take a task back to the pool",
            s::<TaskView>,
        )
        .body(s::<ReasonInput>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/tasks/{id}/cancel",
            "Cancel a task with a reason",
            s::<TaskView>,
        )
        .body(s::<ReasonInput>)
        .errors(&[403, 404, 409, 422]),
        op(
            "post",
            "/api/v1/tasks/batch",
            "All-or-nothing batch: publish, assign, delete_drafts or cancel",
            s::<BatchResult>,
        )
        .body(s::<BatchInput>)
        .errors(&[403, 404, 409, 422]),
        op(
            "get",
            "/api/v1/tasks/{id}/history",
            "A task's history, in the caller's scope",
            s::<HistoryPage>,
        )
        .query(s::<HistoryQuery>)
        .errors(&[404, 422]),
        op(
            "get",
            "/api/v1/tasks/{id}/qr.svg",
            "The task's QR code for the job ticket: its UI address, which opens it ready to claim",
            s::<String>,
        )
        .svg()
        .errors(&[404]),
        op(
            "get",
            "/api/v1/work-orders/{id}/qr.svg",
            "The work order's QR code for the job ticket: its UI address",
            s::<String>,
        )
        .svg()
        .errors(&[404]),
        op(
            "get",
            "/api/v1/work-orders/{id}/history",
            "A work order's history, in the caller's scope",
            s::<HistoryPage>,
        )
        .query(s::<HistoryQuery>)
        .errors(&[404, 422]),
        op(
            "get",
            "/api/v1/scrap-reasons",
            "Scrap reason codes",
            s::<Vec<ScrapReason>>,
        ),
        op(
            "post",
            "/api/v1/scrap-reasons",
            "Add a scrap reason (admin, manager)",
            s::<ScrapReason>,
        )
        .body(s::<NewScrapReason>)
        .created()
        .errors(&[403, 409, 422]),
        op(
            "patch",
            "/api/v1/scrap-reasons/{code}",
            "Rename or retire a scrap reason",
            s::<ScrapReason>,
        )
        .body(s::<ScrapReasonPatch>)
        .errors(&[403, 404, 422]),
        op("get", "/api/v1/openapi.json", "This document", s::<Value>).public(),
        op(
            "get",
            "/healthz",
            "Health: a real database round trip",
            s::<Health>,
        )
        .errors(&[503])
        .public(),
        op(
            "get",
            "/metrics",
            "Metrics in the Prometheus text format (text/plain; version=0.0.4)",
            s::<String>,
        )
        .text()
        .public(),
    ]
}

fn describe(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Malformed request",
        401 => "Not signed in",
        403 => "Not allowed for this role or department",
        404 => "Not found or not visible",
        409 => "Conflicts with the current state",
        413 => "Body too large",
        422 => "A field is invalid; `error.field` names it",
        426 => "Not a WebSocket handshake: use Upgrade: websocket, version 13",
        429 => "Too many attempts",
        503 => "The database cannot take writes",
        _ => "Error",
    }
}

fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

/// Turns a query struct's schema into OpenAPI parameters, one per property.
fn query_parameters(g: &mut SchemaGenerator, query: SchemaFn) -> Vec<Value> {
    let reference = query(g).to_value();
    let name = reference["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or_default()
        .to_owned();
    let schema = g.definitions().get(&name).cloned().unwrap_or(reference);
    schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(k, v)| json!({"name": k, "in": "query", "required": false, "schema": v}))
                .collect()
        })
        .unwrap_or_default()
}

pub fn document() -> Value {
    let mut g = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let error = s::<ErrorBody>(&mut g).to_value();
    let mut paths: Map<String, Value> = Map::new();
    for op in operations() {
        let mut responses = Map::new();
        let mut content = Map::new();
        content.insert(
            op.media.to_owned(),
            json!({"schema": (op.response)(&mut g).to_value()}),
        );
        responses.insert(
            op.status.to_string(),
            json!({"description": describe(op.status), "content": content}),
        );
        let mut errors: Vec<u16> = op.errors.to_vec();
        if !op.public {
            errors.push(401);
        }
        if op.request.is_some() {
            errors.extend([400, 413]);
        }
        // Any call may meet a disk that refuses writes or an overloaded pool.
        errors.extend([500, 503]);
        errors.sort();
        errors.dedup();
        for status in errors {
            responses.insert(
                status.to_string(),
                json!({"description": describe(status), "content": json_content(error.clone())}),
            );
        }
        let mut operation = json!({
            "summary": op.summary,
            "operationId": format!("{}_{}", op.method, op.path.trim_start_matches('/').replace(['/', '-', '.'], "_").replace(['{', '}'], "")),
            "responses": responses,
        });
        let mut parameters: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                let schema = if name == "id" {
                    json!({"type": "integer", "format": "int64", "minimum": 1})
                } else {
                    json!({"type": "string", "minLength": 1})
                };
                json!({"name": name, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        if let Some(query) = op.query {
            parameters.extend(query_parameters(&mut g, query));
        }
        if !parameters.is_empty() {
            operation["parameters"] = json!(parameters);
        }
        if let Some(request) = op.request {
            operation["requestBody"] =
                json!({"required": true, "content": json_content(request(&mut g).to_value())});
        }
        if op.public {
            operation["security"] = json!([]);
        }
        let entry = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "presswork", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Shop-floor task dispatch for print shops. Errors are {\"error\":{\"code\",\"message\",\"field\"?}}."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "schemas": g.take_definitions(true),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": super::auth::SESSION_COOKIE},
            },
        },
    })
}
