//! The web UI in a real headless Chromium against the real server: a maker creates an order,
//! a manager approves it, operators share a pool (live, when the WebSocket is there), the job
//! ticket shows its QR codes and a scanned task opens ready to claim, and every page in both
//! languages shows no untranslated key. Screenshots of each main page land in `screenshots/`.

mod browser;
mod common;

use browser::{Browser, DESKTOP, TABLET};
use common::{process_id, published_order, task_of, TestServer, ADMIN_PASSWORD, PASSWORD};
use serde_json::{json, Value};

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

/// The status chip of the work order shown on the detail page.
const ORDER_STATUS: &str =
    "const c = document.querySelector('.detail-head .chip'); return c && c.textContent";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maker_creates_an_order_and_a_manager_approves_it() {
    let s = TestServer::start();
    s.user("wang", "maker", &[]);
    s.user("li", "manager", &[]);
    let (ctp, prt, die) = (
        process_id(&s.admin, "CTP"),
        process_id(&s.admin, "PRT"),
        process_id(&s.admin, "DIE"),
    );
    let b = Browser::open(&s.base, TABLET, "zh-CN").await;
    b.login("wang", PASSWORD, "zh-CN").await;
    b.route("/work-orders/new").await;

    // The form checks itself before sending and says what is missing beside each field.
    b.click("form .sticky-actions button[type=submit]").await;
    let customer_error = b
        .wait_for(
            "the customer's error",
            "return document.querySelector('[data-error-for=customer]').textContent",
        )
        .await;
    assert_eq!(customer_error, "必填。");
    let lines_error = b
        .js("return document.querySelector('[data-error-for=processes]').textContent")
        .await;
    assert_eq!(lines_error, "请至少添加一道工序。");

    b.type_into("input[name=customer]", "华彩包装").await;
    b.type_into("input[name=product]", "彩盒 Color box").await;
    b.type_into("input[name=quantity]", "5000").await;
    for id in [ctp, prt, die] {
        b.click(&format!("[data-action=add-line][data-process-id='{id}']"))
            .await;
    }
    b.type_into(".line[data-index='2'] .l-parts", "面纸, 底纸")
        .await;
    // Plates are counted from the colours: four on the front make four plates.
    b.type_into("input[name=colors_front]", "4").await;
    // Reordering by arrows: printing moves above plate making, then back.
    b.click(".line[data-index='1'] [data-action=up]").await;
    let first = b
        .js("return document.querySelector('.line[data-index=\"0\"] .l-name b').textContent")
        .await;
    assert_eq!(first, "印刷");
    b.click(".line[data-index='0'] [data-action=down]").await;
    let preview_rows = b
        .js("return document.querySelectorAll('.preview tbody tr').length")
        .await;
    assert_eq!(preview_rows, 4, "one draft task per line and per part");

    // A rule only the server checks comes back beside its field (scripts ignore maxlength).
    b.js("document.querySelector('[name=notes]').value = 'x'.repeat(4001)")
        .await;
    b.click("form .sticky-actions button[type=submit]").await;
    let notes_error = b
        .wait_for(
            "the server's error beside the notes",
            "return document.querySelector('[data-error-for=notes]').textContent",
        )
        .await;
    assert!(
        notes_error.as_str().unwrap().contains("4000"),
        "{notes_error}"
    );
    b.js("document.querySelector('[name=notes]').value = '加急，周五前交货'")
        .await;
    b.click("form .sticky-actions button[type=submit]").await;
    b.wait_for(
        "the new order",
        "return /^#\\/work-orders\\/\\d+$/.test(location.hash)",
    )
    .await;
    assert_eq!(b.wait_for("its status", ORDER_STATUS).await, "草稿");
    let id: i64 = b
        .js("return Number(location.hash.split('/')[2])")
        .await
        .as_i64()
        .unwrap();

    b.click("[data-action=submit]").await;
    b.wait_for(
        "submitted",
        "return document.querySelector('.detail-head .chip').textContent === '待审批'",
    )
    .await;
    b.logout().await;

    b.login("li", PASSWORD, "en").await;
    b.route(&format!("/work-orders/{id}")).await;
    b.click("[data-action=approve]").await;
    b.click("#dialog button[type=submit]").await;
    b.wait_for(
        "approved",
        "return document.querySelector('.detail-head .chip').textContent === 'Approved'",
    )
    .await;
    let steps = b
        .js("return document.querySelectorAll('.stepper > .step').length")
        .await;
    assert_eq!(steps, 3);

    let (status, order) = s.admin.get(&format!("/api/v1/work-orders/{id}"));
    assert_eq!(status, 200);
    assert_eq!(order["status"], "approved");
    assert_eq!(order["notes"], "加急，周五前交货");
    let tasks = order["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 4);
    assert!(tasks.iter().all(|t| t["status"] == "pending"), "{order}");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_operators_share_one_pool_and_the_slower_claim_is_told_why() {
    let s = TestServer::start();
    s.user("zhang", "operator", &["PRINTING"]);
    s.user("liu", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["CTP", "PRT"]);
    let task = id_of(task_of(&order, "PRT"));
    let (a, b) = tokio::join!(
        Browser::open(&s.base, TABLET, "zh-CN"),
        Browser::open(&s.base, DESKTOP, "en")
    );
    tokio::join!(
        a.login("zhang", PASSWORD, "zh-CN"),
        b.login("liu", PASSWORD, "en")
    );
    let card = format!("[data-task-id='{task}']:not([data-leaving])");
    let shown = format!("return Boolean(document.querySelector(\"{card}\"))");
    tokio::join!(
        a.wait_for("the task in A's pool", &shown),
        b.wait_for("the task in B's pool", &shown)
    );

    a.click(&format!("{card} [data-action=claim]")).await;
    a.wait_for(
        "the card to leave A's pool",
        &format!("return !document.querySelector(\"{card}\")"),
    )
    .await;
    a.route("/my-tasks").await;
    a.wait_for("the task in A's own tasks", &shown).await;

    // B never keeps a wrong picture: the card has left live, or B's claim is refused in words.
    let outcome = b
        .wait_for(
            "B's card to leave or be clicked",
            &format!(
                "const c = document.querySelector(\"{card}\");
                 if (!c) return 'gone';
                 c.querySelector('[data-action=claim]').click();
                 return 'clicked';"
            ),
        )
        .await;
    if outcome == "clicked" {
        b.wait_for(
            "the lost race explained",
            "return [...document.querySelectorAll('.toast')].some(t => t.textContent === 'Someone else claimed this task first.')",
        )
        .await;
        b.wait_for(
            "the card to leave B's pool",
            &format!("return !document.querySelector(\"{card}\")"),
        )
        .await;
    }
    let (_, claimed) = s.admin.get(&format!("/api/v1/tasks/{task}"));
    assert_eq!(claimed["operator_name"], "zhang");
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_claimed_by_someone_else_leaves_the_pool_live() {
    let mut s = TestServer::start();
    s.user("zhang", "operator", &["PRINTING"]);
    s.user("liu", "operator", &["PRINTING"]);
    let first = published_order(&s.admin, &["PRT"]);
    let second = published_order(&s.admin, &["PRT"]);
    let (x, y) = (
        id_of(task_of(&first, "PRT")),
        id_of(task_of(&second, "PRT")),
    );
    let (a, b) = tokio::join!(
        Browser::open(&s.base, TABLET, "zh-CN"),
        Browser::open(&s.base, TABLET, "zh-CN")
    );
    tokio::join!(
        a.login("zhang", PASSWORD, "zh-CN"),
        b.login("liu", PASSWORD, "zh-CN")
    );
    let live = "return document.querySelector('#live').dataset.state === 'live'";
    tokio::join!(a.wait_for("A live", live), b.wait_for("B live", live));
    let gone = |id: i64| {
        format!("return !document.querySelector(\"[data-task-id='{id}']:not([data-leaving])\")")
    };
    let shown =
        |id: i64| format!("return Boolean(document.querySelector(\"[data-task-id='{id}']\"))");
    let x_shown = shown(x);
    tokio::join!(
        a.wait_for("x in A", &x_shown),
        b.wait_for("x in B", &x_shown)
    );

    a.click(&format!("[data-task-id='{x}'] [data-action=claim]"))
        .await;
    let started = std::time::Instant::now();
    b.wait_for("x to leave B's pool without a reload", &gone(x))
        .await;
    println!(
        "claimed task left the other pool after {:?}",
        started.elapsed()
    );

    // After a dropped connection the page catches up by itself and says so.
    s.restart();
    let (status, _) = common::Client::login(&s.base, "zhang", PASSWORD)
        .post(&format!("/api/v1/tasks/{y}/claim"), &json!({}));
    assert_eq!(status, 200);
    b.wait_for("y to leave B's pool after the reconnect", &gone(y))
        .await;
    b.wait_for(
        "the caught-up notice",
        "return [...document.querySelectorAll('.toast')].some(t => t.textContent.startsWith('已重新连接'))",
    )
    .await;
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_job_ticket_prints_qr_codes_and_a_scanned_task_opens_ready_to_claim() {
    let s = TestServer::start();
    s.user("wang", "maker", &[]);
    s.user("zhang", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["CTP", "PRT", "DIE"]);
    let id = id_of(&order);
    let tasks = order["tasks"].as_array().unwrap().len();
    let b = Browser::open(&s.base, DESKTOP, "zh-CN").await;
    b.login("wang", PASSWORD, "zh-CN").await;
    b.route(&format!("/work-orders/{id}/ticket")).await;
    let loaded = b
        .wait_for(
            "every QR code drawn",
            &format!(
                "const imgs = [...document.querySelectorAll('.sheet img.qr, .sheet img.qr-sm')];
                 return imgs.length === {} && imgs.every(i => i.complete && i.naturalWidth > 0) && imgs.length",
                tasks + 1
            ),
        )
        .await;
    assert_eq!(loaded, json!(tasks + 1));
    assert!(b.text().await.contains("施工单"));
    b.screenshot("ticket-zh-CN-desktop").await;

    // The codes are SVG drawn by the server, for orders and tasks alike.
    let task = id_of(task_of(&order, "PRT"));
    for path in [
        format!("/api/v1/work-orders/{id}/qr.svg"),
        format!("/api/v1/tasks/{task}/qr.svg"),
    ] {
        let (status, body) = s.admin.get(&path);
        assert_eq!(status, 200, "{path}");
        let svg = body.as_str().expect("svg text");
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    }
    let (status, _) = s.anonymous().get(&format!("/api/v1/tasks/{task}/qr.svg"));
    assert_eq!(status, 401);
    b.close().await;

    // Scanning the task's code on a tablet: sign in, then land on the task, ready to claim.
    let tablet = Browser::open(&s.base, TABLET, "zh-CN").await;
    tablet
        .client
        .goto(&format!("{}/#/tasks/{task}", s.base))
        .await
        .unwrap();
    tablet
        .wait_for(
            "the login page",
            "return document.querySelector('input[name=username]')",
        )
        .await;
    tablet.type_into("input[name=username]", "zhang").await;
    tablet.type_into("input[name=password]", PASSWORD).await;
    tablet.click("form button[type=submit]").await;
    tablet
        .wait_for(
            "the scanned task",
            &format!("return location.hash === '#/tasks/{task}' && document.querySelector('[data-action=claim]')"),
        )
        .await;
    tablet.click("[data-action=claim]").await;
    tablet
        .wait_for(
            "the claim",
            "return document.querySelector('.task-card .chip.s-assigned')",
        )
        .await;
    tablet.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_follows_the_browser_and_is_remembered_per_user() {
    let s = TestServer::start();
    s.user("zhang", "operator", &["PRINTING"]);
    let en = Browser::open(&s.base, TABLET, "en-US").await;
    en.goto("/login").await;
    assert!(en.text().await.contains("Sign in"));
    en.close().await;

    let b = Browser::open(&s.base, TABLET, "zh-CN").await;
    b.goto("/login").await;
    assert!(b.text().await.contains("登录"));
    // Switch on the login page, sign in: the header speaks English, and keeps it after a reload.
    b.js("const s = document.querySelector('#login-lang'); s.value = 'en'; s.dispatchEvent(new Event('change', {bubbles: true}))")
        .await;
    b.wait_for("English", "return document.documentElement.lang === 'en' && document.querySelector('input[name=username]')")
        .await;
    b.type_into("input[name=username]", "zhang").await;
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("form button[type=submit]").await;
    b.wait_for(
        "the pool",
        "return location.hash === '#/pool' && document.body.innerText.includes('My tasks')",
    )
    .await;
    b.client.refresh().await.unwrap();
    b.wait_for("the pool again", "return document.body.dataset.ready === '1' && document.body.innerText.includes('My tasks')")
        .await;
    // Another person on the same tablet keeps their own language.
    b.logout().await;
    b.login("admin", ADMIN_PASSWORD, "zh-CN").await;
    assert!(b.text().await.contains("施工单"));
    b.logout().await;
    b.type_into("input[name=username]", "zhang").await;
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("form button[type=submit]").await;
    b.wait_for(
        "zhang's English",
        "return location.hash === '#/pool' && document.documentElement.lang === 'en'",
    )
    .await;
    b.close().await;
}

/// The clerk draws the job's graph in the form: plates and cutting side by side (one step),
/// printing needing both; the preview counts each line in its own unit from the spec, and a
/// plate line before the colours are given says so instead of showing the order quantity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maker_sets_steps_and_needs_and_sees_each_line_in_its_unit() {
    let s = TestServer::start();
    s.user("wang", "maker", &[]);
    let ids: Vec<i64> = ["CTP", "CUT", "PRT"]
        .iter()
        .map(|c| process_id(&s.admin, c))
        .collect();
    let b = Browser::open(&s.base, DESKTOP, "zh-CN").await;
    b.login("wang", PASSWORD, "zh-CN").await;
    b.route("/work-orders/new").await;
    b.type_into("input[name=customer]", "华彩包装").await;
    b.type_into("input[name=product]", "彩盒").await;
    b.type_into("input[name=quantity]", "10000").await;
    b.type_into("input[name=ups]", "4").await;
    b.type_into("input[name=overs]", "125").await;
    for id in &ids {
        b.click(&format!("[data-action=add-line][data-process-id='{id}']"))
            .await;
    }
    let cell = |row: usize| {
        format!(
            "return document.querySelectorAll('.preview tbody tr')[{row}].children[4].textContent"
        )
    };
    assert_eq!(b.js(&cell(0)).await, "按印色计版（先填色数）");
    b.type_into("input[name=colors_front]", "4").await;
    b.wait_for("four plates", &format!("{} === '4 版'", cell(0)))
        .await;
    assert_eq!(b.js(&cell(1)).await, "2,625 张");
    for (row, step) in [(0, "1"), (1, "1"), (2, "2")] {
        b.type_into(&format!(".line[data-index='{row}'] .l-step"), step)
            .await;
    }
    b.type_into(".line[data-index='2'] .l-needs", "1, 2").await;
    b.click("form .sticky-actions button[type=submit]").await;
    let id = b
        .wait_for(
            "the saved draft",
            "const m = /^#\\/work-orders\\/(\\d+)$/.exec(location.hash); return m && Number(m[1])",
        )
        .await;
    let (_, order) = s.admin.get(&format!("/api/v1/work-orders/{id}"));
    let lines: Vec<(Value, Value, Value)> = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["process_code"].clone(),
                l["step"].clone(),
                l["needs"].clone(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (json!("CTP"), json!(1), json!([])),
            (json!("CUT"), json!(1), json!([])),
            (json!("PRT"), json!(2), json!([0, 1])),
        ],
        "{order}"
    );
    b.close().await;
}
