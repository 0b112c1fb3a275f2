//! The shop floor in the browser: an operator works a task from "My tasks" (start, report
//! good and scrap with a reason, pause, resume, complete), and a supervisor batch-assigns
//! from the board with a reason. Real Chromium, real server.

mod browser;
mod common;

use browser::{Browser, TABLET};
use common::{published_order, task_of, TestServer, PASSWORD};
use serde_json::json;

fn toast_shown(text: &str) -> String {
    format!("return [...document.querySelectorAll('.toast')].some(t => t.textContent === {text:?})")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_works_a_task_from_start_to_finish() {
    let s = TestServer::start();
    let zhang = s.user("zhang", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT"]);
    let task = task_of(&order, "PRT")["id"].as_i64().unwrap();
    let (status, _) = zhang.post(&format!("/api/v1/tasks/{task}/claim"), &json!({}));
    assert_eq!(status, 200);

    let b = Browser::open(&s.base, TABLET, "zh-CN").await;
    b.login("zhang", PASSWORD, "zh-CN").await;
    b.route("/my-tasks").await;
    let card = format!("[data-task-id='{task}']");
    b.click(&format!("{card} [data-action=start]")).await;
    b.wait_for(
        "running",
        &format!("return document.querySelector(\"{card} .chip.s-in_progress\")"),
    )
    .await;

    // Scrap without a reason is caught in the dialog; with one, the report goes through.
    b.click(&format!("{card} [data-action=report]")).await;
    b.type_into("#dialog input[name=good]", "1200").await;
    b.type_into("#dialog input[name=scrap]", "30").await;
    b.click("#dialog button[type=submit]").await;
    let reason_error = b
        .wait_for(
            "the missing reason",
            "return document.querySelector('#dialog [data-error-for=scrap_reason]').textContent",
        )
        .await;
    assert_eq!(reason_error, "必填。");
    b.js("const s = document.querySelector('#dialog select[name=scrap_reason]'); s.value = s.options[1].value;")
        .await;
    b.click("#dialog button[type=submit]").await;
    b.wait_for("the report", &toast_shown("报工成功。")).await;

    b.click(&format!("{card} [data-action=pause]")).await;
    b.wait_for(
        "paused",
        &format!("return document.querySelector(\"{card} .chip.s-paused\")"),
    )
    .await;
    b.click(&format!("{card} [data-action=resume]")).await;
    b.wait_for(
        "running again",
        &format!("return document.querySelector(\"{card} .chip.s-in_progress\")"),
    )
    .await;
    // Completing asks for the final totals; finishing short of the 5,000 sheets asks why,
    // and scrap beyond what was reported would ask its reason.
    b.click(&format!("{card} [data-action=complete]")).await;
    let offered = b
        .wait_for(
            "the totals",
            "const g = document.querySelector('#dialog input[name=good_total]'); return g && g.value",
        )
        .await;
    assert_eq!(offered, "4970", "all that reached the task, less the scrap");
    let hidden = "return document.querySelector('#dialog input[name=shortfall_reason]').closest('[hidden]') !== null";
    assert_eq!(
        b.js(hidden).await,
        false,
        "4,970 of 5,000 is short: say why"
    );
    let scrap_hidden =
        "return document.querySelector('#dialog [name=scrap_reason]').closest('[hidden]') !== null";
    assert_eq!(
        b.js(scrap_hidden).await,
        true,
        "no scrap beyond what was reported"
    );
    b.type_into("#dialog input[name=good_total]", "1200").await;
    b.click("#dialog button[type=submit]").await;
    let short = b
        .wait_for(
            "the missing shortfall reason",
            "return document.querySelector('#dialog [data-error-for=shortfall_reason]').textContent",
        )
        .await;
    assert_eq!(short, "必填。");
    b.type_into("#dialog input[name=shortfall_reason]", "纸张不够")
        .await;
    b.click("#dialog button[type=submit]").await;
    b.wait_for("the confirmation", "return [...document.querySelectorAll('.toast.ok')].some(t => t.textContent.includes('1,200'))")
        .await;
    b.wait_for(
        "the card to leave my tasks",
        &format!("return !document.querySelector(\"{card}\")"),
    )
    .await;

    let (_, done) = s.admin.get(&format!("/api/v1/tasks/{task}"));
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["good_qty"], 1200);
    assert_eq!(done["scrap_qty"], 30);
    assert_eq!(done["shortfall_reason"], "纸张不够");
    // The task's page tells the story in words.
    b.route(&format!("/tasks/{task}")).await;
    let history = b
        .wait_for(
            "the history",
            "const h = document.querySelector('.history'); return h && h.innerText",
        )
        .await;
    let history = history.as_str().unwrap();
    for words in [
        "完工",
        "报工",
        "暂停",
        "开工",
        "良品 1,200，报废 30",
        "开机损耗",
    ] {
        assert!(history.contains(words), "{words} missing from:\n{history}");
    }
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_batch_assigns_from_the_board() {
    let s = TestServer::start();
    s.user("zhao", "supervisor", &["PRINTING"]);
    s.user("zhang", "operator", &["PRINTING"]);
    let liu = s.user("liu", "operator", &["PRINTING"]);
    let first = published_order(&s.admin, &["PRT"]);
    let second = published_order(&s.admin, &["PRT"]);
    let ids = [
        task_of(&first, "PRT")["id"].as_i64().unwrap(),
        task_of(&second, "PRT")["id"].as_i64().unwrap(),
    ];
    let (_, me) = liu.get("/api/v1/auth/me");
    let liu_id = me["id"].as_i64().unwrap();

    let b = Browser::open(&s.base, TABLET, "en").await;
    b.login("zhao", PASSWORD, "en").await;
    b.route("/board").await;
    for id in ids {
        b.click(&format!("[data-column=pool] [data-pick='{id}']"))
            .await;
    }
    b.wait_for(
        "the batch bar",
        "return !document.querySelector('.batch-bar').hidden",
    )
    .await;
    b.js_with(
        "const f = document.querySelector('.batch-bar'); f.operator_id.value = String(arguments[0]);",
        vec![json!(liu_id)],
    )
    .await;
    b.type_into(".batch-bar input[name=reason]", "rush job")
        .await;
    b.click(".batch-bar button[type=submit]").await;
    b.wait_for("the assignment", &toast_shown("2 tasks assigned."))
        .await;
    b.wait_for(
        "both cards in liu's column",
        &format!("return document.querySelectorAll(\"[data-column='op-{liu_id}'] .task-card\").length === 2"),
    )
    .await;
    for id in ids {
        let (_, task) = s.admin.get(&format!("/api/v1/tasks/{id}"));
        assert_eq!(task["operator_id"], liu_id, "{task}");
        assert_eq!(task["assign_reason"], "rush job");
    }
    b.close().await;
}

/// The customer adds 500 while the press runs: the operator's card shows the new target live,
/// and "got it" (offered by the server) clears the notice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_target_reaches_the_running_card_until_acknowledged() {
    let s = TestServer::start();
    let zhang = s.user("zhang", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT"]);
    let task = task_of(&order, "PRT")["id"].as_i64().unwrap();
    for action in ["claim", "start"] {
        let (status, body) = zhang.post(&format!("/api/v1/tasks/{task}/{action}"), &json!({}));
        assert_eq!(status, 200, "{body}");
    }
    let b = Browser::open(&s.base, TABLET, "zh-CN").await;
    b.login("zhang", PASSWORD, "zh-CN").await;
    b.route("/my-tasks").await;
    let card = format!("[data-task-id='{task}']");
    b.wait_for(
        "the card",
        &format!("return document.querySelector(\"{card}\")"),
    )
    .await;
    let (status, body) = s.admin.patch(
        &format!("/api/v1/work-orders/{}", order["id"]),
        &json!({"quantity": 5500}),
    );
    assert_eq!(status, 200, "{body}");
    let notice = b
        .wait_for(
            "the notice",
            &format!("const n = document.querySelector(\"{card} [data-notice]\"); return n && n.textContent"),
        )
        .await;
    assert!(notice.as_str().unwrap().contains("5,500 张"), "{notice}");
    b.click(&format!("{card} [data-action=acknowledge]")).await;
    b.wait_for(
        "the notice to go",
        &format!("return document.querySelector(\"{card}\") && !document.querySelector(\"{card} [data-notice]\")"),
    )
    .await;
    let (_, now) = zhang.get(&format!("/api/v1/tasks/{task}"));
    assert!(now["target_notice"].is_null(), "{now}");
    b.close().await;
}

/// A supervisor splits a pool task on the board to a second operator: the new card appears
/// in that operator's column, live, with the original keeping the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_splits_a_task_to_a_second_operator_on_the_board() {
    let s = TestServer::start();
    s.user("zhao", "supervisor", &["PRINTING"]);
    let liu = s.user("liu", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["PRT"]);
    let task = task_of(&order, "PRT")["id"].as_i64().unwrap();
    let liu_id = liu.get("/api/v1/auth/me").1["id"].as_i64().unwrap();

    let b = Browser::open(&s.base, TABLET, "en").await;
    b.login("zhao", PASSWORD, "en").await;
    b.route("/board").await;
    b.click(&format!(
        "[data-column=pool] [data-task-id='{task}'] [data-action=split]"
    ))
    .await;
    let offered = b
        .wait_for(
            "the split dialog",
            "const q = document.querySelector('#dialog input[name=quantity]'); return q && q.value",
        )
        .await;
    assert_eq!(offered, "2500", "half of what is left");
    b.js_with(
        "document.querySelector('#dialog select[name=operator_id]').value = String(arguments[0]);",
        vec![json!(liu_id)],
    )
    .await;
    b.click("#dialog button[type=submit]").await;
    b.wait_for("the confirmation", &toast_shown("2,500 sheets split off."))
        .await;
    b.wait_for(
        "the new card in liu's column",
        &format!("return document.querySelectorAll(\"[data-column='op-{liu_id}'] .task-card\").length === 1"),
    )
    .await;
    let (_, original) = s.admin.get(&format!("/api/v1/tasks/{task}"));
    assert_eq!(original["quantity"], 2500);
    b.close().await;
}
