//! The server parts the UI adds or relies on: the job ticket's QR codes, and the 404-versus-405
//! answer the UI uses to tell which optional routes a server has.

mod common;

use common::{published_order, task_of, TestServer};

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
