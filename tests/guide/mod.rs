//! The print shop the role guides show: its people (Chinese names for the 简体中文 guide,
//! English ones for the English guide), its departments' dispatch settings, and a morning's
//! work orders in every state, all made through the real API. Also where the guide's
//! screenshots go: `docs/guide/img/` when `PRESSWORK_GUIDE_SHOTS=1`, nowhere otherwise, so a
//! normal test run walks the same tour without touching the docs.
#![allow(dead_code)]

use super::common::floor::{id, must};
use super::common::{department_id, Client, TestServer, PASSWORD};
use chrono::{Duration, Local};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;

mod morning;

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

/// The people of the shop: username, role, departments, skills, 中文名, English name.
const PEOPLE: &str = "
    wang  | maker      |                    |                   | 王小燕 | Wendy Wang
    li    | manager    |                    |                   | 李经理 | Linda Li
    zhao  | supervisor | PRINTING FINISHING |                   | 赵班长 | Zoe Zhao
    zhang | operator   | PRINTING           | PRT               | 张师傅 | Jack Zhang
    liu   | operator   | PRINTING           | PRT               | 刘师傅 | Leo Liu
    chen  | operator   | PRINTING           | PRT               | 陈师傅 | Chris Chen
    zhou  | operator   | FINISHING          | LAM_G LAM_M UV    | 周师傅 | Joe Zhou
    wu    | operator   | FINISHING          | LAM_G FOIL_G FOIL_S | 吴师傅 | Will Wu
    zheng | operator   | FINISHING          | VAN EMB           | 郑师傅 | Ben Zheng
    sun   | operator   | PREPRESS           | CTP               | 孙师傅 | Sunny Sun
    ma    | operator   | DIECUT BINDING     | DIE BOX           | 马师傅 | Max Ma";

/// The shop in one language, with a signed-in API client per person.
pub struct Shop {
    pub zh: bool,
    pub people: Vec<(String, Client)>,
    /// The morning's work orders by their name in `morning::JOBS`.
    pub orders: HashMap<&'static str, Value>,
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

    pub fn order(&self, name: &str) -> &Value {
        self.orders
            .get(name)
            .unwrap_or_else(|| panic!("no order {name}"))
    }

    /// The task of process `code` in the morning's order `name`.
    pub fn task(&self, name: &str, code: &str) -> i64 {
        task_id(self.order(name), code)
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
pub(crate) fn backdate(s: &TestServer, task: i64, column: &str, minutes: i64) {
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
pub(crate) fn claim_after(s: &TestServer, shop: &Shop, operator: &str, task: i64, queue: i64) {
    backdate(s, task, "published_at", queue);
    must(shop.client(operator), task, "claim", json!({}));
}

/// `operator` starts `task` and has been at it for `minutes`.
pub(crate) fn work_for(s: &TestServer, shop: &Shop, operator: &str, task: i64, minutes: i64) {
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
    for row in PEOPLE.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = row.split('|').map(str::trim).collect();
        let words = |i: usize| -> Vec<&str> { cols[i].split_whitespace().collect() };
        let username = cols[0];
        let (status, body) = admin.post(
            "/api/v1/users",
            &json!({"username": username, "role": cols[1], "password": PASSWORD,
                    "display_name": if zh { cols[4] } else { cols[5] },
                    "departments": words(2), "skills": words(3), "locale": locale}),
        );
        assert_eq!(status, 201, "{body}");
        people.push((
            username.to_owned(),
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
        orders: HashMap::new(),
    };
    morning::work(s, &mut shop);
    shop
}
