//! A morning's work for the guide tour: seven work orders written by the order clerk and
//! approved, then worked through the API as a real morning would have — one job finished,
//! printing running with a first report, an urgent late job paused, the rest in the pools
//! (finishing handed out by skill). Only the tour's pictures depend on this story.

use super::{claim_after, day, wait_for_dispatch, work_for, Shop};
use crate::common::floor::{id, must};
use crate::common::{pass_gates, process_id, TestServer};
use serde_json::{json, Value};

/// name | 客户 | 产品 | customer | product | quantity | due in days | priority | processes.
/// `CTP!` is plate making that printing must wait for (not parallel).
const JOBS: &str = "
    tags     | 绿源茶业 | 茶叶吊牌     | Greenleaf Tea        | Hang tags         | 3000  | 2  | normal | PRT DIE
    gift_box | 华彩包装 | 月饼礼盒     | Brightway Packaging  | Mooncake gift box | 5000  | 5  | high   | CTP PRT LAM_G DIE BOX
    leaflet  | 美佳日化 | 洗发水说明书 | Clearwater Cosmetics | Shampoo leaflet   | 20000 | -1 | urgent | CTP PRT TRIM
    brochure | 金鼎文化 | 企业画册     | Northfield Arts      | Company brochure  | 2000  | 10 | normal | CTP PRT UV STAPLE
    workbook | 新华书店 | 练习册封面   | Riverside Books      | Workbook cover    | 10000 | 14 | low    | CTP! PRT LAM_G
    biscuits | 百味食品 | 饼干包装盒   | Sunrise Foods        | Biscuit box       | 8000  | 6  | normal | PRT FOIL_G DIE BOX
    cards    | 星光文具 | 贺卡         | Starlight Stationery | Greeting cards    | 6000  | 8  | normal | PRT LAM_M";

/// A process line; plate making is four plates (CMYK), not the order's quantity.
fn line(s: &TestServer, code: &str) -> Value {
    match code {
        "CTP" => json!({"process_id": process_id(&s.admin, code), "quantity": 4}),
        "CTP!" => {
            json!({"process_id": process_id(&s.admin, "CTP"), "quantity": 4, "parallel": false})
        }
        _ => json!({"process_id": process_id(&s.admin, code)}),
    }
}

/// The clerk writes each job (four colours on the front), the manager (here the admin)
/// approves it, and the proof, paper and die arrive for all of them.
fn publish(s: &TestServer, shop: &mut Shop) {
    for row in JOBS.lines().filter(|l| !l.trim().is_empty()) {
        let c: Vec<&str> = row.split('|').map(str::trim).collect();
        let (customer, product) = if shop.zh { (c[1], c[2]) } else { (c[3], c[4]) };
        let lines: Vec<Value> = c[8].split_whitespace().map(|code| line(s, code)).collect();
        let (status, created) = shop.client("wang").post(
            "/api/v1/work-orders",
            &json!({"customer": customer, "product": product,
                    "quantity": c[5].parse::<i64>().unwrap(),
                    "due_date": day(c[6].parse().unwrap()), "priority": c[7],
                    "colors_front": 4, "processes": lines}),
        );
        assert_eq!(status, 201, "{created}");
        let (status, approved) = s.admin.post(
            &format!("/api/v1/work-orders/{}/approve", id(&created)),
            &json!({}),
        );
        assert_eq!(status, 200, "{approved}");
        shop.orders.insert(c[0], pass_gates(&s.admin, &approved));
    }
}

/// `operator` takes `task` after `queue` minutes, works `minutes` on it and completes it with
/// a final report.
fn finish(
    s: &TestServer,
    shop: &Shop,
    operator: &str,
    task: i64,
    (queue, minutes): (i64, i64),
    report: Value,
) {
    claim_after(s, shop, operator, task, queue);
    work_for(s, shop, operator, task, minutes);
    must(shop.client(operator), task, "complete", report);
}

pub fn work(s: &TestServer, shop: &mut Shop) {
    publish(s, shop);
    let shop = &*shop;
    let scrap = |good: i64, scrap: i64, reason: &str| json!({"good": good, "scrap": scrap, "scrap_reason": reason});
    // Final totals of a job that came out short of its quantity, with the operator's why.
    let short = |good: i64, scrap: i64, reason: &str| {
        json!({"good_total": good, "scrap_total": scrap, "scrap_reason": reason,
               "shortfall_reason": "开机损耗 make-ready waste"})
    };
    let plates = json!({"good_total": 4});

    // Hang tags: printed and die-cut, the order done.
    let (prt, die) = (shop.task("tags", "PRT"), shop.task("tags", "DIE"));
    finish(
        s,
        shop,
        "chen",
        prt,
        (50, 95),
        short(2940, 60, "MAKE_READY"),
    );
    finish(s, shop, "ma", die, (30, 70), short(2900, 40, "DEFECT"));

    // Mooncake boxes: plates made, printing running with its first 2,000 good sheets.
    let ctp = shop.task("gift_box", "CTP");
    finish(s, shop, "sun", ctp, (20, 40), plates.clone());
    let prt = shop.task("gift_box", "PRT");
    claim_after(s, shop, "zhang", prt, 90);
    work_for(s, shop, "zhang", prt, 120);
    must(
        shop.client("zhang"),
        prt,
        "progress",
        scrap(2000, 30, "MAKE_READY"),
    );

    // The late, urgent leaflet: plates made, printing paused while the press is cleaned.
    let ctp = shop.task("leaflet", "CTP");
    finish(s, shop, "sun", ctp, (10, 25), plates.clone());

    // The brochure's plates are made too, so its printing waits in the pool, ready.
    let ctp = shop.task("brochure", "CTP");
    finish(s, shop, "sun", ctp, (5, 20), plates);
    let prt = shop.task("leaflet", "PRT");
    claim_after(s, shop, "liu", prt, 40);
    work_for(s, shop, "liu", prt, 75);
    must(shop.client("liu"), prt, "pause", json!({}));

    // Greeting cards: Chris has taken the printing but not started.
    claim_after(s, shop, "chen", shop.task("cards", "PRT"), 15);
    // Lamination, UV and foil of five orders, handed out by skill.
    wait_for_dispatch(&s.admin, "FINISHING", 5);
}
