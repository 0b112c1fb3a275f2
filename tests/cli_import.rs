//! Legacy import and export through the real binary: orders come in looking like orders made
//! here, bad rows are reported by line and stop the import, it is idempotent, and export →
//! import into an empty data dir reproduces the orders.

mod common;
mod support_ops;

use common::*;
use serde_json::Value;
use std::path::Path;
use support_ops::{fails, ok, run};

const HEADER: &str =
    "number,customer,product,quantity,due_date,priority,status,processes,done,operators\n";

fn add_operator(dir: &Path, name: &str) {
    ok(run(
        dir,
        &[
            "user",
            "add",
            name,
            "--role",
            "operator",
            "--department",
            "PRINTING",
            "--password",
            PASSWORD,
        ],
    ));
}

fn order_by_number(client: &Client, number: &str) -> Value {
    let (status, page) = client.get(&format!("/api/v1/work-orders?q={number}"));
    assert_eq!(status, 200, "{page}");
    let id = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["number"] == number)
        .unwrap_or_else(|| panic!("no order {number} in {page}"))["id"]
        .clone();
    client.get(&format!("/api/v1/work-orders/{id}")).1
}

fn tasks(order: &Value) -> Vec<(String, String, i64, Option<String>)> {
    order["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["process_code"].as_str().unwrap().to_owned(),
                t["status"].as_str().unwrap().to_owned(),
                t["good_qty"].as_i64().unwrap(),
                t["operator_name"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn legacy_csv() -> String {
    HEADER.to_owned()
        + "LG-001,华彩包装,彩盒 Color box,5000,2026-12-01,high,completed,CTP|PRT|DIE,5000|4990|,|li|\n"
        + "LG-002,Acme,Flyer,2000,2026-12-15,,pending,CTP|PRT,,\n"
        + "LG-003,Acme,Poster,300,2026-12-20,urgent,in_progress,CTP|PRT|PACK,300|120|,li|li|\n"
        + "LG-004,\"Lee, Ltd\",Booklet,100,2027-01-05,low,draft,PRT|STAPLE,,\n"
}

#[test]
fn imported_orders_look_like_orders_made_here_and_a_second_import_changes_nothing() {
    let mut s = TestServer::start();
    s.stop();
    add_operator(s.data_dir(), "li");
    let file = s.data_dir().join("legacy.csv");
    std::fs::write(&file, legacy_csv()).unwrap();
    let out = ok(run(s.data_dir(), &["import", file.to_str().unwrap()]));
    assert!(
        out.contains("imported 4 work orders (0 already present, 0 bad rows skipped)"),
        "{out}"
    );
    let again = ok(run(s.data_dir(), &["import", file.to_str().unwrap()]));
    assert!(
        again.contains("imported 0 work orders (4 already present"),
        "{again}"
    );
    s.restart();

    let done = order_by_number(&s.admin, "LG-001");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["priority"], "high");
    assert_eq!(done["customer"], "华彩包装");
    let li = Some("li".to_owned());
    let by_name =
        |t: Vec<(String, String, i64, Option<String>)>| -> Vec<(String, String, i64, bool)> {
            t.into_iter()
                .map(|(c, s, g, o)| (c, s, g, o == li))
                .collect()
        };
    assert_eq!(
        by_name(tasks(&done)),
        [
            ("CTP".into(), "completed".into(), 5000, false),
            ("PRT".into(), "completed".into(), 4990, true),
            ("DIE".into(), "completed".into(), 5000, false)
        ]
    );
    let pending = order_by_number(&s.admin, "LG-002");
    assert_eq!(pending["status"], "approved");
    assert!(tasks(&pending).iter().all(|t| t.1 == "pending" && t.2 == 0));
    let running = order_by_number(&s.admin, "LG-003");
    assert_eq!(running["status"], "in_progress");
    assert_eq!(
        by_name(tasks(&running)),
        [
            ("CTP".into(), "completed".into(), 300, true),
            ("PRT".into(), "paused".into(), 120, true),
            ("PACK".into(), "pending".into(), 0, false)
        ]
    );
    let draft = order_by_number(&s.admin, "LG-004");
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["customer"], "Lee, Ltd");
    assert!(tasks(&draft).iter().all(|t| t.1 == "draft"));

    // The imported pool work behaves like any other: an operator can claim LG-002's PRT.
    let lg2_prt = task_of(&pending, "PRT")["id"].clone();
    let li_client = Client::login(&s.base, "li", PASSWORD);
    let (status, body) = li_client.post(
        &format!("/api/v1/tasks/{lg2_prt}/claim"),
        &serde_json::json!({}),
    );
    assert_eq!(status, 200, "{body}");
    // A new order made after the import still gets a fresh number.
    let fresh = create_order(&s.admin, &["CTP"]);
    assert_eq!(fresh["number"].as_str().unwrap().len(), 9);
}

#[test]
fn every_bad_row_is_reported_by_line_and_nothing_is_imported_unless_skip_bad() {
    let dir = tempfile::tempdir().unwrap();
    let csv = HEADER.to_owned()
        + "OK-1,Acme,Flyer,100,2026-12-01,,pending,CTP|PRT,,\n"
        + "BAD-2,Acme,Flyer,lots,2026-12-01,,pending,CTP,,\n"
        + "BAD-3,Acme,Flyer,100,2026-13-40,,pending,CTP,,\n"
        + "BAD-4,Acme,Flyer,100,2026-12-01,,pending,CTP|NOPE,,\n"
        + "BAD-5,Acme,Flyer,100,2026-12-01,,pending,CTP,,zhang\n"
        + "OK-1,Acme,Twice,100,2026-12-01,,pending,CTP,,\n"
        + "BAD-7,,Flyer,100,2026-12-01,,shipped,CTP,,\n"
        + "OK-8,Acme,Flyer,100,2026-12-01,normal,completed,PRT,,\n";
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, csv).unwrap();
    let path = file.to_str().unwrap();

    let report = fails(run(dir.path(), &["import", path, "--dry-run"]));
    assert!(
        report.contains("dry run of 8 rows: 2 to import, 0 already present, 6 bad"),
        "{report}"
    );
    let out = fails(run(dir.path(), &["import", path]));
    for expected in [
        "line 3: quantity: 'lots' is not a whole number",
        "line 4: due_date: '2026-13-40' is not a date",
        "line 5: processes[1]: 'NOPE' is not a process code in use",
        "line 6: processes[0].operator: there is no user 'zhang'",
        "line 7: number OK-1 appears twice (first on line 2)",
        "line 8: status 'shipped' is not draft, submitted, pending",
        "nothing was imported",
    ] {
        assert!(out.contains(expected), "missing «{expected}» in\n{out}");
    }
    let out = ok(run(
        dir.path(),
        &["export", dir.path().join("after.json").to_str().unwrap()],
    ));
    assert!(out.contains("exported 0 work orders"), "{out}");

    // A data dir that never served has no admin yet: the import names its author.
    add_operator(dir.path(), "li");
    let out = ok(run(
        dir.path(),
        &["import", path, "--skip-bad", "--as", "li"],
    ));
    assert!(
        out.contains("imported 2 work orders (0 already present, 6 bad rows skipped)"),
        "{out}"
    );
    assert!(
        out.contains("line 8:"),
        "bad rows are still reported: {out}"
    );
}

#[test]
fn json_rows_are_reported_by_their_line_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.json");
    std::fs::write(
        &file,
        r#"[
  {"number": "J-1", "customer": "Acme", "product": "Card", "quantity": 50,
   "due_date": "2026-12-01", "status": "pending", "processes": [{"code": "PRT"}]},
  {"number": "J-2", "customer": "Acme", "product": "Card", "quantity": 50,
   "due_date": "2026-12-01", "status": "pending", "processes": [{"code": "PRT", "done": -4}]},
  {"number": "J-3", "customer": "Acme", "product": "Card", "qty": 50,
   "due_date": "2026-12-01", "status": "pending", "processes": []}
]"#,
    )
    .unwrap();
    let out = fails(run(dir.path(), &["import", file.to_str().unwrap()]));
    assert!(
        out.contains("line 4: processes[0].done: -4 is not a quantity"),
        "{out}"
    );
    assert!(out.contains("line 6: unknown field `qty`"), "{out}");
    let out = fails(run(
        dir.path(),
        &["import", dir.path().join("x.txt").to_str().unwrap()],
    ));
    assert!(out.contains("name the file .csv or .json"), "{out}");
}

#[test]
fn export_then_import_into_an_empty_data_dir_reproduces_the_orders() {
    let mut s = TestServer::start();
    s.stop();
    add_operator(s.data_dir(), "li");
    let legacy = s.data_dir().join("legacy.csv");
    std::fs::write(&legacy, legacy_csv()).unwrap();
    ok(run(s.data_dir(), &["import", legacy.to_str().unwrap()]));
    s.restart();
    // Orders made through the API export too.
    published_order(&s.admin, &["CTP", "PRT", "LAM_G"]);
    create_order(&s.admin, &["DIE"]);
    s.stop();

    for name in ["all.csv", "all.json"] {
        let first = s.data_dir().join(name);
        ok(run(s.data_dir(), &["export", first.to_str().unwrap()]));
        let target = tempfile::tempdir().unwrap();
        add_operator(target.path(), "li");
        let out = ok(run(
            target.path(),
            &["import", first.to_str().unwrap(), "--as", "li"],
        ));
        assert!(out.contains("imported 6 work orders"), "{out}");
        let second = target.path().join(name);
        ok(run(target.path(), &["export", second.to_str().unwrap()]));
        let (a, b) = (
            std::fs::read_to_string(&first).unwrap(),
            std::fs::read_to_string(&second).unwrap(),
        );
        assert_eq!(a, b, "{name} differs after the round trip");
        assert!(a.contains("LG-003") && a.contains("li"), "{a}");
    }
    let out = fails(run(
        s.data_dir(),
        &["export", s.data_dir().join("all.csv").to_str().unwrap()],
    ));
    assert!(out.contains("--force"), "{out}");
}
