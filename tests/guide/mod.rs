//! The print shop the role guides show: its people (Chinese names for the 简体中文 guide,
//! English ones for the English guide), its departments' dispatch settings, and a morning's
//! work orders in every state, all made through the real API. Also where the guide's
//! screenshots go: `docs/guide/img/` when `PRESSWORK_GUIDE_SHOTS=1`, nowhere otherwise, so a
//! normal test run walks the same tour without touching the docs.
#![allow(dead_code)]

use super::common::floor::{id, must};
use super::common::{department_id, process_id, Client, TestServer, PASSWORD};
use chrono::{Duration, Local};
use serde_json::{json, Value};
use std::path::PathBuf;

/// The size of every guide screenshot taken on a desktop; operator shots use a tablet.
pub const SHOT: (u32, u32) = (1280, 800);

/// Where the guide's screenshots are written, or `None` in a normal run.
pub fn shot_dir() -> Option<PathBuf> {
    if std::env::var("PRESSWORK_GUIDE_SHOTS").ok().as_deref() != Some("1") {
        return None;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/guide/img");
    std::fs::create_dir_all(&dir).expect("docs/guide/img");
    Some(dir)
}

/// The people of the shop: (username, role, departments, skills, 中文名, English name).
const PEOPLE: &[(&str, &str, &[&str], &[&str], &str, &str)] = &[
    ("wang", "maker", &[], &[], "王小燕", "Wendy Wang"),
    ("li", "manager", &[], &[], "李经理", "Linda Li"),
    (
        "zhao",
        "supervisor",
        &["PRINTING", "FINISHING"],
        &[],
        "赵班长",
        "Zoe Zhao",
    ),
    (
        "zhang",
        "operator",
        &["PRINTING"],
        &["PRT"],
        "张师傅",
        "Jack Zhang",
    ),
    (
        "liu",
        "operator",
        &["PRINTING"],
        &["PRT"],
        "刘师傅",
        "Leo Liu",
    ),
    (
        "chen",
        "operator",
        &["PRINTING"],
        &["PRT"],
        "陈师傅",
        "Chris Chen",
    ),
    (
        "zhou",
        "operator",
        &["FINISHING"],
        &["LAM_G", "LAM_M", "UV"],
        "周师傅",
        "Joe Zhou",
    ),
    (
        "wu",
        "operator",
        &["FINISHING"],
        &["LAM_G", "FOIL_G", "FOIL_S"],
        "吴师傅",
        "Will Wu",
    ),
    (
        "zheng",
        "operator",
        &["FINISHING"],
        &["VAN", "EMB"],
        "郑师傅",
        "Ben Zheng",
    ),
    (
        "sun",
        "operator",
        &["PREPRESS"],
        &["CTP"],
        "孙师傅",
        "Sunny Sun",
    ),
    (
        "ma",
        "operator",
        &["DIECUT", "BINDING"],
        &["DIE", "BOX"],
        "马师傅",
        "Max Ma",
    ),
];

/// The shop in one language, with a signed-in API client per person.
pub struct Shop {
    pub zh: bool,
    pub people: Vec<(String, Client)>,
    pub orders: Orders,
}

/// The orders the tour refers to by what they are in the story.
#[derive(Default)]
pub struct Orders {
    /// Printing under way with a partial report; lamination already handed work.
    pub gift_box: Value,
    /// Urgent and overdue; its printing is paused.
    pub leaflet: Value,
    /// Everything still in the pools.
    pub brochure: Value,
    /// Plates must be finished before printing may start: printing waits.
    pub workbook: Value,
    /// Two more jobs waiting in the printing pool, for the supervisor to batch-assign.
    pub labels: Value,
    pub cards: Value,
}

impl Shop {
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.zh {
            zh
        } else {
            en
        }
    }

    pub fn client(&self, username: &str) -> &Client {
        &self
            .people
            .iter()
            .find(|(u, _)| u == username)
            .unwrap_or_else(|| panic!("no {username}"))
            .1
    }

    pub fn user_id(&self, username: &str) -> i64 {
        let (_, me) = self.client(username).get("/api/v1/auth/me");
        id(&me)
    }
}

/// A day `days` from today, as the API wants it.
pub fn day(days: i64) -> String {
    (Local::now().date_naive() + Duration::days(days)).to_string()
}

/// Moves a task's timestamp back by `minutes`, so the dashboard shows the hours a real
/// morning would have taken instead of the milliseconds a test takes. Only the clock is
/// moved; every state change still goes through the API.
fn backdate(s: &TestServer, task: i64, column: &str, minutes: i64) {
    let conn = rusqlite::Connection::open(s.db_path()).expect("open db");
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    let sql = format!("UPDATE tasks SET {column} = {column} - ?2 WHERE id = ?1");
    let changed = conn
        .execute(&sql, rusqlite::params![task, minutes * 60_000])
        .expect("backdate");
    assert_eq!(changed, 1, "task {task} has no {column}");
}

/// `operator` claims `task` after it waited `queue` minutes in the pool.
fn claim_after(s: &TestServer, shop: &Shop, operator: &str, task: i64, queue: i64) {
    backdate(s, task, "published_at", queue);
    must(shop.client(operator), task, "claim", json!({}));
}

/// `operator` starts `task` and has been at it for `minutes`.
fn work_for(s: &TestServer, shop: &Shop, operator: &str, task: i64, minutes: i64) {
    must(shop.client(operator), task, "start", json!({}));
    backdate(s, task, "running_since", minutes);
}

pub fn task_id(order: &Value, code: &str) -> i64 {
    id(order["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["process_code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {order}")))
}

/// Creates and approves an order as the manager would have.
fn order(
    shop: &Shop,
    admin: &Client,
    (customer, product): (&str, &str),
    quantity: i64,
    due_in_days: i64,
    priority: &str,
    lines: Value,
) -> Value {
    let (status, created) = shop.client("wang").post(
        "/api/v1/work-orders",
        &json!({"customer": customer, "product": product, "quantity": quantity,
                "due_date": day(due_in_days),
                "priority": priority, "processes": lines}),
    );
    assert_eq!(status, 201, "{created}");
    let (status, approved) = admin.post(
        &format!("/api/v1/work-orders/{}/approve", id(&created)),
        &json!({}),
    );
    assert_eq!(status, 200, "{approved}");
    approved
}

/// The lines of `codes`; plate making is four plates (CMYK), not the order's quantity.
fn lines(admin: &Client, codes: &[&str]) -> Value {
    codes
        .iter()
        .map(|c| match *c {
            "CTP" => json!({"process_id": process_id(admin, c), "quantity": 4}),
            _ => json!({"process_id": process_id(admin, c)}),
        })
        .collect()
}

/// Waits until the dispatcher has handed out every task of `department` it can.
pub fn wait_for_dispatch(admin: &Client, department: &str, at_least: usize) {
    let dept = department_id(admin, department);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, page) = admin.get(&format!(
            "/api/v1/tasks?department_id={dept}&status=assigned&limit=100"
        ));
        let n = page["items"].as_array().map_or(0, Vec::len);
        if n >= at_least {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {n} {department} tasks auto-assigned"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// People, settings and a morning's work, in the language of `locale`.
pub fn open_shop(s: &TestServer, locale: &str) -> Shop {
    let zh = locale == "zh-CN";
    let admin = &s.admin;
    let mut people = Vec::new();
    for (username, role, departments, skills, name_zh, name_en) in PEOPLE {
        let (status, body) = admin.post(
            "/api/v1/users",
            &json!({"username": username, "role": role, "password": PASSWORD,
                    "display_name": if zh { name_zh } else { name_en },
                    "departments": departments, "skills": skills, "locale": locale}),
        );
        assert_eq!(status, 201, "{body}");
        people.push((
            username.to_string(),
            Client::login(&s.base, username, PASSWORD),
        ));
    }
    for (code, settings) in [
        ("PRINTING", json!({"wip_cap": 3})),
        (
            "FINISHING",
            json!({"strategy": "skill", "auto_assign_delay_s": 0, "wip_cap": 4}),
        ),
    ] {
        let dept = department_id(admin, code);
        let (status, body) = admin.patch(&format!("/api/v1/departments/{dept}"), &settings);
        assert_eq!(status, 200, "{body}");
    }
    let mut shop = Shop {
        zh,
        people,
        orders: Orders::default(),
    };
    let name = |zh_pair: (&'static str, &'static str), en_pair: (&'static str, &'static str)| {
        if zh {
            zh_pair
        } else {
            en_pair
        }
    };

    // A small job finished yesterday evening's way: hang tags, printed and die-cut.
    let tags = order(
        &shop,
        admin,
        name(("绿源茶业", "茶叶吊牌"), ("Greenleaf Tea", "Hang tags")),
        3000,
        2,
        "normal",
        lines(admin, &["PRT", "DIE"]),
    );
    let (prt, die) = (task_id(&tags, "PRT"), task_id(&tags, "DIE"));
    claim_after(s, &shop, "chen", prt, 50);
    work_for(s, &shop, "chen", prt, 95);
    must(
        shop.client("chen"),
        prt,
        "complete",
        json!({"good": 2940, "scrap": 60, "scrap_reason": "MAKE_READY"}),
    );
    claim_after(s, &shop, "ma", die, 30);
    work_for(s, &shop, "ma", die, 70);
    must(
        shop.client("ma"),
        die,
        "complete",
        json!({"good": 2900, "scrap": 40, "scrap_reason": "DEFECT"}),
    );

    // The story's order: plates done, printing running with a first report.
    let gift_box = order(
        &shop,
        admin,
        name(
            ("华彩包装", "月饼礼盒"),
            ("Brightway Packaging", "Mooncake gift box"),
        ),
        5000,
        5,
        "high",
        lines(admin, &["CTP", "PRT", "LAM_G", "DIE", "BOX"]),
    );
    let ctp = task_id(&gift_box, "CTP");
    claim_after(s, &shop, "sun", ctp, 20);
    work_for(s, &shop, "sun", ctp, 40);
    must(shop.client("sun"), ctp, "complete", json!({"good": 4}));
    let prt = task_id(&gift_box, "PRT");
    claim_after(s, &shop, "zhang", prt, 90);
    work_for(s, &shop, "zhang", prt, 120);
    must(
        shop.client("zhang"),
        prt,
        "progress",
        json!({"good": 2000, "scrap": 30, "scrap_reason": "MAKE_READY"}),
    );

    // Urgent and already late: printing paused while the press is cleaned.
    let leaflet = order(
        &shop,
        admin,
        name(
            ("美佳日化", "洗发水说明书"),
            ("Clearwater Cosmetics", "Shampoo leaflet"),
        ),
        20000,
        -1,
        "urgent",
        lines(admin, &["CTP", "PRT", "TRIM"]),
    );
    let ctp = task_id(&leaflet, "CTP");
    claim_after(s, &shop, "sun", ctp, 10);
    work_for(s, &shop, "sun", ctp, 25);
    must(shop.client("sun"), ctp, "complete", json!({"good": 4}));
    let prt = task_id(&leaflet, "PRT");
    claim_after(s, &shop, "liu", prt, 40);
    work_for(s, &shop, "liu", prt, 75);
    must(shop.client("liu"), prt, "pause", json!({}));

    // Everything of these still waits in the pools (finishing is handed out automatically).
    let brochure = order(
        &shop,
        admin,
        name(
            ("金鼎文化", "企业画册"),
            ("Northfield Arts", "Company brochure"),
        ),
        2000,
        10,
        "normal",
        lines(admin, &["CTP", "PRT", "UV", "STAPLE"]),
    );
    let mut plates_first = lines(admin, &["CTP", "PRT", "LAM_G"]);
    plates_first[0]["parallel"] = json!(false);
    let workbook = order(
        &shop,
        admin,
        name(
            ("新华书店", "练习册封面"),
            ("Riverside Books", "Workbook cover"),
        ),
        10000,
        14,
        "low",
        plates_first,
    );
    let labels = order(
        &shop,
        admin,
        name(("百味食品", "饼干包装盒"), ("Sunrise Foods", "Biscuit box")),
        8000,
        6,
        "normal",
        lines(admin, &["PRT", "FOIL_G", "DIE", "BOX"]),
    );
    let cards = order(
        &shop,
        admin,
        name(
            ("星光文具", "贺卡"),
            ("Starlight Stationery", "Greeting cards"),
        ),
        6000,
        8,
        "normal",
        lines(admin, &["PRT", "LAM_M"]),
    );
    let chen_task = task_id(&cards, "PRT");
    claim_after(s, &shop, "chen", chen_task, 15);
    wait_for_dispatch(admin, "FINISHING", 5);
    shop.orders = Orders {
        gift_box,
        leaflet,
        brochure,
        workbook,
        labels,
        cards,
    };
    shop
}
