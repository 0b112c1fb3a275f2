//! The admin pages' changes: editing people (role, departments, deactivation, password reset)
//! and the process catalogue. Taking access away signs the person out at once.

mod common;

use common::*;
use serde_json::json;

fn user_id(s: &TestServer, name: &str) -> i64 {
    let (_, users) = s.admin.get("/api/v1/users");
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn an_admin_changes_people_and_taking_access_signs_them_out() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    let id = user_id(&s, "li");

    let (status, body) = li.patch(&format!("/api/v1/users/{id}"), &json!({"role": "admin"}));
    assert_eq!(status, 403, "{body}");

    let (status, user) = s.admin.patch(
        &format!("/api/v1/users/{id}"),
        &json!({"display_name": "李师傅", "role": "supervisor", "departments": ["PRINTING", "DIECUT"], "skills": ["PRT"]}),
    );
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["role"], "supervisor");
    assert_eq!(user["display_name"], "李师傅");
    assert_eq!(user["department_ids"].as_array().unwrap().len(), 2);
    assert_eq!(user["skill_process_ids"].as_array().unwrap().len(), 1);
    let (status, me) = li.get("/api/v1/auth/me");
    assert_eq!(
        (status, me["role"].as_str()),
        (200, Some("supervisor")),
        "a role change applies to the open session"
    );

    let (status, body) = s.admin.patch(
        &format!("/api/v1/users/{id}"),
        &json!({"departments": ["NOPE"]}),
    );
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("departments[0]"))
    );

    // A new password signs the old sessions out; the new one works, the old one does not.
    let (status, _) = s.admin.post(
        &format!("/api/v1/users/{id}/password"),
        &json!({"password": "short"}),
    );
    assert_eq!(status, 422);
    let (status, _) = s.admin.post(
        &format!("/api/v1/users/{id}/password"),
        &json!({"password": "brand-new-pw"}),
    );
    assert_eq!(status, 200);
    assert_eq!(li.get("/api/v1/auth/me").0, 401);
    let (status, _) = s.anonymous().post(
        "/api/v1/auth/login",
        &json!({"username": "li", "password": PASSWORD}),
    );
    assert_eq!(status, 401);
    let li = Client::login(&s.base, "li", "brand-new-pw");

    // Deactivated: signed out now, and cannot sign in again.
    let (status, user) = s
        .admin
        .patch(&format!("/api/v1/users/{id}"), &json!({"active": false}));
    assert_eq!((status, user["active"].as_bool()), (200, Some(false)));
    assert_eq!(li.get("/api/v1/auth/me").0, 401);
    let (status, _) = s.anonymous().post(
        "/api/v1/auth/login",
        &json!({"username": "li", "password": "brand-new-pw"}),
    );
    assert_eq!(status, 401);
}

#[test]
fn the_last_admin_cannot_be_removed() {
    let s = TestServer::start();
    let admin_id = user_id(&s, "admin");
    let (status, body) = s.admin.patch(
        &format!("/api/v1/users/{admin_id}"),
        &json!({"active": false}),
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("last_admin"))
    );
    let (status, body) = s.admin.patch(
        &format!("/api/v1/users/{admin_id}"),
        &json!({"role": "manager"}),
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("last_admin"))
    );
    s.user("second", "admin", &[]);
    let (status, body) = s.admin.patch(
        &format!("/api/v1/users/{admin_id}"),
        &json!({"role": "manager"}),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn the_process_catalogue_is_editable_and_new_orders_use_it() {
    let s = TestServer::start();
    let manager = s.user("boss", "manager", &[]);
    let operator = s.user("li", "operator", &["PRINTING"]);
    let die = process_id(&s.admin, "DIE");
    let outsource = department_id(&s.admin, "OUTSOURCE");
    let (status, _) = operator.patch(
        &format!("/api/v1/processes/{die}"),
        &json!({"name_en": "x"}),
    );
    assert_eq!(status, 403);
    let (status, process) = manager.patch(
        &format!("/api/v1/processes/{die}"),
        &json!({"name_zh": "模切（外协）", "department_id": outsource}),
    );
    assert_eq!(status, 200, "{process}");
    assert_eq!(process["department_id"], outsource);
    let order = create_order(&s.admin, &["DIE"]);
    assert_eq!(task_of(&order, "DIE")["department_id"], outsource);
    let (status, body) = manager.patch(
        &format!("/api/v1/processes/{die}"),
        &json!({"department_id": 9999}),
    );
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("department_id"))
    );
    let (status, _) = manager.patch(
        &format!("/api/v1/processes/{die}"),
        &json!({"active": false}),
    );
    assert_eq!(status, 200);
    let (status, body) = s.admin.post(
        "/api/v1/work-orders",
        &json!({"customer": "c", "product": "p", "quantity": 1, "due_date": "2026-12-01", "processes": [{"process_id": die}]}),
    );
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("processes[0].process_id")),
        "a retired process takes no new lines"
    );
}
