//! The task list pages by keyset for every shape of query it runs: one index walk, a page
//! after a cursor (split at the cursor's priority), and one arm per department merged for a
//! supervisor of several departments. Paging must list each visible task once, in order.

mod common;

use common::{department_id, process_id, Client, TestServer};
use serde_json::{json, Value};

type Key = (std::cmp::Reverse<usize>, String, i64);

fn key(t: &Value) -> Key {
    let rank = ["low", "normal", "high", "urgent"]
        .iter()
        .position(|p| *p == t["priority"])
        .expect("priority");
    (
        std::cmp::Reverse(rank),
        t["due_date"].as_str().unwrap().to_owned(),
        t["id"].as_i64().unwrap(),
    )
}

/// Every page of `query` at `limit` rows a page, in order.
fn all_pages(client: &Client, query: &str, limit: usize) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) =
            client.get(&format!("/api/v1/tasks?{query}&limit={limit}&cursor={cursor}"));
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        seen.extend(items.iter().cloned());
        // A cursor that does not move on would page forever.
        assert!(seen.len() <= 100, "{query}: paging does not end");
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => return seen,
        }
    }
}

/// Pages of 1, 2 and 3 rows list exactly the tasks one big page lists, in list order.
fn pages_agree(client: &Client, query: &str) -> Vec<Value> {
    let whole = all_pages(client, query, 500);
    let keys: Vec<Key> = whole.iter().map(key).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{query}: out of order");
    for limit in [1, 2, 3] {
        let paged: Vec<Key> = all_pages(client, query, limit).iter().map(key).collect();
        assert_eq!(paged, keys, "{query} at {limit} a page");
    }
    whole
}

#[test]
fn every_list_shape_pages_through_each_task_once_in_order() {
    let s = TestServer::start();
    let processes: Vec<Value> = ["CTP", "PRT", "QC"]
        .iter()
        .map(|c| json!({"process_id": process_id(&s.admin, c)}))
        .collect();
    // Priorities and due dates repeat, so pages break inside runs of equal priority and date.
    let shapes = [("urgent", 3), ("high", 1), ("high", 3), ("low", 2), ("urgent", 3)];
    for (n, (priority, day)) in shapes.iter().cycle().take(12).enumerate() {
        let (status, order) = s.admin.post(
            "/api/v1/work-orders",
            &json!({"customer": "c", "product": "p", "quantity": 10, "priority": priority,
                    "due_date": format!("2026-12-0{day}"), "processes": processes}),
        );
        assert_eq!(status, 201, "{order}");
        // Every third order stays a draft, which supervisors do not see.
        if n % 3 != 2 {
            let path = format!("/api/v1/work-orders/{}/approve", order["id"]);
            let (status, body) = s.admin.post(&path, &json!({}));
            assert_eq!(status, 200, "{body}");
        }
    }
    let everything = pages_agree(&s.admin, "");
    assert_eq!(everything.len(), 36);

    let (prepress, printing) = (
        department_id(&s.admin, "PREPRESS"),
        department_id(&s.admin, "PRINTING"),
    );
    let sup = s.user("sup2", "supervisor", &["PREPRESS", "PRINTING"]);
    let theirs: Vec<Key> = everything
        .iter()
        .filter(|t| [prepress, printing].contains(&t["department_id"].as_i64().unwrap()))
        .filter(|t| t["status"] != "draft")
        .map(key)
        .collect();
    assert_eq!(theirs.len(), 16);
    let listed: Vec<Key> = pages_agree(&sup, "").iter().map(key).collect();
    assert_eq!(listed, theirs);

    for query in [
        format!("department_id={printing}"),
        "status=pending".to_owned(),
        format!("department_id={prepress}&status=pending"),
    ] {
        let listed = pages_agree(&s.admin, &query);
        assert!(!listed.is_empty(), "{query}");
    }
    let printing_list = pages_agree(&sup, &format!("department_id={printing}"));
    assert_eq!(printing_list.len(), 8);
}
