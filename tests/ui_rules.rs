//! The UI offers what the server allows and words what it refuses for the person reading it:
//! an automatic assignment's "why" in the reader's language, **Cancel order** only where the
//! role may cancel, the board's load counted as the WIP cap counts it, Unassign on paused
//! tasks, a supervisor told whose cap it is, an operator told who has a task taken from them,
//! and scrap reasons renamed and retired with the server's field errors in the dialog.
//! Real Chromium, real server.

mod browser;
mod common;

use browser::{Browser, TABLET};
use common::floor::{id, must, set_wip_cap, task, user_id};
use common::{
    create_order, department_id, published_order, task_of, TestServer, ADMIN_PASSWORD, PASSWORD,
};
use serde_json::json;

fn shown(css: &str) -> String {
    format!("return Boolean(document.querySelector(\"{css}\"))")
}

fn gone(css: &str) -> String {
    format!("return !document.querySelector(\"{css}\")")
}

fn text_of(css: &str) -> String {
    format!("const e = document.querySelector(\"{css}\"); return e && e.textContent")
}

fn toast_shown(text: &str) -> String {
    format!("return [...document.querySelectorAll('.toast')].some(t => t.textContent === {text:?})")
}

async fn choose(b: &Browser, css: &str, value: &str) {
    b.js_with(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];
         s.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![json!(css), json!(value)],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_automatic_assignment_says_why_in_the_readers_language() {
    let s = TestServer::start_with(&[("PRESSWORK_DISPATCH_TICK_MS", "100")]);
    s.user("zhao", "supervisor", &["PRINTING"]);
    s.user("li", "operator", &["PRINTING"]);
    let li = user_id(&s, "li");
    let printing = department_id(&s.admin, "PRINTING");
    let (status, body) = s.admin.patch(
        &format!("/api/v1/departments/{printing}"),
        &json!({"strategy": "least_loaded"}),
    );
    assert_eq!(status, 200, "{body}");
    let prt = id(task_of(&published_order(&s.admin, &["PRT"]), "PRT"));

    let b = Browser::open(&s.base, TABLET, "zh-CN").await;
    for (locale, why) in [
        ("zh-CN", "原因：负载最少：在手 0 个任务，1 名操作工中最少"),
        (
            "en",
            "Why: least_loaded: 0 open tasks, fewest of 1 operator",
        ),
    ] {
        b.login("zhao", PASSWORD, locale).await;
        b.route("/board").await;
        let card = format!("[data-column='op-{li}'] [data-task-id='{prt}']");
        let shown = b
            .wait_for("the assigned card", &text_of(&format!("{card} .why")))
            .await;
        assert_eq!(shown, why, "{locale}");
        b.logout().await;
    }
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_is_offered_cancel_only_before_approval() {
    let s = TestServer::start();
    let wang = s.user("wang", "maker", &[]);
    s.user("boss", "manager", &[]);
    let draft = id(&create_order(&wang, &["PRT"]));
    let approved = id(&published_order(&s.admin, &["PRT"]));

    let b = Browser::open(&s.base, TABLET, "en").await;
    b.login("wang", PASSWORD, "en").await;
    let drawn = |order: i64| shown(&format!("a[href='#/work-orders/{order}/edit']"));
    b.route(&format!("/work-orders/{draft}")).await;
    b.wait_for("the draft", &drawn(draft)).await;
    assert_eq!(b.js(&shown("[data-action=cancel]")).await, true);
    b.route(&format!("/work-orders/{approved}")).await;
    b.wait_for("the approved order", &drawn(approved)).await;
    assert_eq!(
        b.js(&shown("[data-action=cancel]")).await,
        false,
        "the server refuses a clerk cancelling an approved order"
    );
    b.logout().await;

    b.login("boss", PASSWORD, "en").await;
    b.route(&format!("/work-orders/{approved}")).await;
    b.wait_for("a manager's cancel", &shown("[data-action=cancel]"))
        .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_counts_the_cap_as_the_server_does() {
    let s = TestServer::start();
    s.user("zhao", "supervisor", &["PRINTING"]);
    let li = s.user("li", "operator", &["PREPRESS", "PRINTING"]);
    let li_id = user_id(&s, "li");
    set_wip_cap(&s, "PRINTING", Some(2));
    let ctp = id(task_of(&published_order(&s.admin, &["CTP"]), "CTP"));
    let prt: Vec<i64> = (0..2)
        .map(|_| id(task_of(&published_order(&s.admin, &["PRT"]), "PRT")))
        .collect();
    must(&li, ctp, "claim", json!({}));
    for action in ["claim", "start", "pause"] {
        must(&li, prt[0], action, json!({}));
    }

    let b = Browser::open(&s.base, TABLET, "en").await;
    b.login("zhao", PASSWORD, "en").await;
    b.route("/board").await;
    let column = format!("[data-column='op-{li_id}']");
    // One printing card, but li holds two tasks against the cap: the bar says so.
    let elsewhere = b
        .wait_for(
            "li's load from other departments",
            &text_of(&format!("{column} .load .elsewhere")),
        )
        .await;
    assert_eq!(elsewhere, "incl. 1 in other departments");
    let load = b.js(&text_of(&format!("{column} .load .num"))).await;
    assert_eq!(load, "2 / 2");

    // Assigning more is refused, and the supervisor hears whose cap it is.
    b.click(&format!(
        "[data-column=pool] [data-task-id='{}'] [data-action=assign]",
        prt[1]
    ))
    .await;
    choose(&b, "#dialog select[name=operator_id]", &li_id.to_string()).await;
    b.type_into("#dialog textarea[name=reason]", "rush job")
        .await;
    b.click("#dialog button[type=submit]").await;
    let error = b
        .wait_for("the refusal", &text_of("#dialog .form-error"))
        .await;
    assert_eq!(
        error,
        "li already holds 2 tasks, as many as this department allows (2). \
         Choose someone else, or wait until they finish or release one."
    );
    b.click("#dialog [data-action=dialog-cancel]").await;

    // A paused task can go back to the pool, as the server allows.
    b.click(&format!(
        "{column} [data-task-id='{}'] [data-action=unassign]",
        prt[0]
    ))
    .await;
    b.wait_for(
        "the task back in the pool",
        &shown(&format!("[data-column=pool] [data-task-id='{}']", prt[0])),
    )
    .await;
    b.wait_for(
        "the lighter load",
        &format!("return document.querySelector(\"{column} .load .num\").textContent === '1 / 2'"),
    )
    .await;
    assert_eq!(task(&s.admin, prt[0])["status"], "pending");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_hears_who_has_a_task_taken_from_them() {
    let s = TestServer::start();
    let li = s.user("li", "operator", &["PRINTING"]);
    s.user("wang", "operator", &["PRINTING"]);
    let wang = user_id(&s, "wang");
    let prt = id(task_of(&published_order(&s.admin, &["PRT"]), "PRT"));
    must(&li, prt, "claim", json!({}));

    let b = Browser::open(&s.base, TABLET, "zh-CN").await;
    b.login("li", PASSWORD, "zh-CN").await;
    b.route("/my-tasks").await;
    let card = format!("[data-task-id='{prt}']");
    b.wait_for("the card", &shown(&card)).await;
    // The tablet misses the news (its network blinked) and acts on the card it still shows.
    b.js("import('/js/ws.js').then((live) => { live.stop(); window.liveStopped = true; })")
        .await;
    b.wait_for(
        "the live stream to stop",
        "return window.liveStopped === true",
    )
    .await;
    must(
        &s.admin,
        prt,
        "assign",
        json!({"operator_id": wang, "reason": "调班"}),
    );
    b.click(&format!("{card} [data-action=start]")).await;
    b.wait_for(
        "who has it now",
        &toast_shown("这个任务现在由wang负责，已从您的列表中移除。"),
    )
    .await;
    b.wait_for("the card to leave", &gone(&card)).await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrap_reasons_are_added_renamed_and_retired_on_their_page() {
    let s = TestServer::start();
    let b = Browser::open(&s.base, TABLET, "en").await;
    b.login("admin", ADMIN_PASSWORD, "en").await;
    b.route("/admin/scrap-reasons").await;
    b.wait_for("the list", &shown("tr[data-code=DEFECT]")).await;

    // The code's rules are the server's; its answer shows beside the field, in words.
    b.click("[data-action=add]").await;
    b.type_into("#dialog input[name=code]", "bad code!").await;
    b.type_into("#dialog input[name=name_zh]", "蹭脏").await;
    b.type_into("#dialog input[name=name_en]", "Ink smear")
        .await;
    b.click("#dialog button[type=submit]").await;
    let error = b
        .wait_for(
            "the code's error",
            &text_of("#dialog [data-error-for=code]"),
        )
        .await;
    assert_eq!(error, "Use 1 to 32 letters, digits or _ (e.g. COLOR_OFF).");
    b.type_into("#dialog input[name=code]", "ink_smear").await;
    b.click("#dialog button[type=submit]").await;
    b.wait_for("the new row", &shown("tr[data-code=INK_SMEAR]"))
        .await;

    // Renaming: a position the server refuses is shown beside it; a good one is saved.
    b.click("tr[data-code=INK_SMEAR] [data-action=edit]").await;
    b.type_into("#dialog input[name=position]", "-1").await;
    b.click("#dialog button[type=submit]").await;
    let error = b
        .wait_for(
            "the position's error",
            &text_of("#dialog [data-error-for=position]"),
        )
        .await;
    assert_eq!(error, "Enter a whole number from 0 to 1000000.");
    b.type_into("#dialog input[name=position]", "5").await;
    b.type_into("#dialog input[name=name_en]", "Ink smudge")
        .await;
    b.click("#dialog button[type=submit]").await;
    b.wait_for(
        "the new name, first in the list",
        "const r = document.querySelector('tbody tr'); return r && r.dataset.code === 'INK_SMEAR' && r.innerText.includes('Ink smudge')",
    )
    .await;

    b.click("tr[data-code=INK_SMEAR] [data-action=retire]")
        .await;
    b.wait_for(
        "retired",
        &toast_shown("INK_SMEAR is retired: operators no longer see it; past reports keep it."),
    )
    .await;
    b.wait_for(
        "the button to put it back",
        &shown("tr[data-code=INK_SMEAR] [data-action=reuse]"),
    )
    .await;
    let (_, list) = s.admin.get("/api/v1/scrap-reasons");
    let reason = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "INK_SMEAR")
        .unwrap();
    assert_eq!(
        (reason["name_en"].as_str(), reason["active"].as_bool()),
        (Some("Ink smudge"), Some(false))
    );
    b.close().await;
}
