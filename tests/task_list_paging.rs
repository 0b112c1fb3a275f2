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
        let (status, page) = client.get(&format!(
            "/api/v1/tasks?{query}&limit={limit}&cursor={cursor}"
        ));
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
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "{query}: out of order"
    );
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
    let shapes = [
        ("urgent", 3),
        ("high", 1),
        ("high", 3),
        ("low", 2),
        ("urgent", 3),
    ];
    for (n, (priority, day)) in shapes.iter().cycle().take(12).enumerate() {
        let (status, order) = s.admin.post(
            "/api/v1/work-orders",
            &json!({"customer": "c", "product": "p", "quantity": 10, "priority": priority,
                    "due_date": format!("2026-12-0{day}"), "colors_front": 4, "processes": processes}),
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

/// The ids of the tasks `q` finds, from one big page.
fn found(client: &Client, q: &str) -> Vec<i64> {
    let q: String = q
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut ids: Vec<i64> = all_pages(client, &format!("q={q}"), 500)
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

#[test]
fn search_finds_orders_by_any_part_of_their_text_and_follows_edits() {
    let s = TestServer::start();
    let processes: Vec<Value> = ["CTP", "PRT"]
        .iter()
        .map(|c| json!({"process_id": process_id(&s.admin, c)}))
        .collect();
    let mut tasks_of = Vec::new();
    for customer in ["华彩包装", "Acme Print Co", "50% Off Ltd", "Acme Print Co"] {
        let (status, order) = s.admin.post(
            "/api/v1/work-orders",
            &json!({"customer": customer, "product": "彩盒 Color box", "quantity": 10,
                    "due_date": "2026-12-20", "priority": "normal", "colors_front": 4, "processes": processes}),
        );
        assert_eq!(status, 201, "{order}");
        let ids: Vec<i64> = order["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        tasks_of.push((order, ids));
    }
    let ids = |orders: &[usize]| {
        let mut ids: Vec<i64> = orders.iter().flat_map(|&o| tasks_of[o].1.clone()).collect();
        ids.sort();
        ids
    };
    let number = tasks_of[1].0["number"].as_str().unwrap().to_owned();
    // Through the trigram index (three characters or more), ignoring case as LIKE does.
    assert_eq!(found(&s.admin, &number), ids(&[1]));
    assert_eq!(found(&s.admin, "acme print"), ids(&[1, 3]));
    assert_eq!(found(&s.admin, "no such text"), ids(&[]));
    // Shorter texts are matched row by row; `%` is a character, not a wildcard.
    assert_eq!(found(&s.admin, "华彩"), ids(&[0]));
    assert_eq!(found(&s.admin, "50%"), ids(&[2]));
    // A process code matches every task of that process.
    let printing: Vec<i64> = (0..4).map(|o| tasks_of[o].1[1]).collect();
    assert_eq!(found(&s.admin, "PRT"), {
        let mut p = printing.clone();
        p.sort();
        p
    });
    // A found order's tasks page like any list.
    let paged = all_pages(&s.admin, "q=acme%20print", 1);
    assert_eq!(paged.len(), 4);
    assert!(paged.windows(2).all(|w| key(&w[0]) < key(&w[1])));
    // The index follows an edit of the order's text.
    let path = format!("/api/v1/work-orders/{}", tasks_of[3].0["id"]);
    let (status, body) = s.admin.patch(&path, &json!({"customer": "Zenith Boxes"}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(found(&s.admin, "acme print"), ids(&[1]));
    assert_eq!(found(&s.admin, "zenith"), ids(&[3]));
}
