//! Every page of the UI, in 简体中文 and in English, as each role sees it: no untranslated key
//! (the UI renders a missing one as ⟦key⟧), the page language set, and a screenshot at tablet
//! and desktop size in `screenshots/` for people to look at.

mod browser;
mod common;

use browser::{Browser, DESKTOP, TABLET};
use common::{published_order, task_of, Client, TestServer, ADMIN_PASSWORD, PASSWORD};
use serde_json::json;

/// Waits until the view has drawn and nothing on it is still loading.
const SETTLED: &str = "
    const v = document.querySelector('#view > section.view');
    if (!v || !v.childElementCount) return false;
    const text = document.body.innerText;
    if (text.includes('加载中…') || text.includes('Loading…')) return false;
    const imgs = [...document.images];
    return imgs.every(i => i.complete);";

struct Tour {
    user: &'static str,
    password: &'static str,
    pages: Vec<(String, String)>,
}

async fn visit(b: &Browser, tour: &Tour, locale: &str, screenshots: bool) -> Vec<String> {
    let mut problems = Vec::new();
    b.login(tour.user, tour.password, locale).await;
    for (name, route) in &tour.pages {
        b.route(route).await;
        b.wait_for(&format!("{route} to settle"), SETTLED).await;
        let text = b.text().await;
        let lang = b.js("return document.documentElement.lang").await;
        if lang != locale {
            problems.push(format!("{route} ({locale}): page language is {lang}"));
        }
        for key in text.split('⟦').skip(1) {
            let key = key.split('⟧').next().unwrap_or_default();
            problems.push(format!(
                "{route} ({locale}, {}): untranslated ⟦{key}⟧",
                tour.user
            ));
        }
        if screenshots {
            b.screenshot(&format!("{name}-{locale}-desktop")).await;
            b.resize(TABLET).await;
            b.wait_for("the tablet layout", SETTLED).await;
            b.screenshot(&format!("{name}-{locale}-tablet")).await;
            b.resize(DESKTOP).await;
        }
    }
    b.logout().await;
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_both_languages_shows_no_untranslated_key() {
    let s = TestServer::start();
    s.user("wang", "maker", &[]);
    s.user("zhao", "supervisor", &["PRINTING", "FINISHING"]);
    let zhang = s.user("zhang", "operator", &["PRINTING"]);
    s.user("liu", "operator", &["PRINTING"]);
    let order = published_order(&s.admin, &["CTP", "PRT", "LAM_G", "DIE"]);
    published_order(&s.admin, &["PRT", "UV"]);
    let order_id = order["id"].as_i64().unwrap();
    let printing = task_of(&order, "PRT")["id"].as_i64().unwrap();
    let (status, _) = zhang.post(&format!("/api/v1/tasks/{printing}/claim"), &json!({}));
    assert_eq!(status, 200);
    let maker = Client::login(&s.base, "wang", PASSWORD);
    let draft = common::create_order(&maker, &["PRT", "DIE"]);
    let draft_id = draft["id"].as_i64().unwrap();

    let page = |name: &str, route: String| (name.to_owned(), route);
    let tours = [
        Tour {
            user: "admin",
            password: ADMIN_PASSWORD,
            pages: vec![
                page("work-orders", "/work-orders".into()),
                page("work-order-new", "/work-orders/new".into()),
                page("work-order-edit", format!("/work-orders/{draft_id}/edit")),
                page("work-order", format!("/work-orders/{order_id}")),
                page("job-ticket", format!("/work-orders/{order_id}/ticket")),
                page("task", format!("/tasks/{printing}")),
                page("dashboard", "/dashboard".into()),
                page("admin-users", "/admin/users".into()),
                page("admin-departments", "/admin/departments".into()),
                page("admin-processes", "/admin/processes".into()),
                page("admin-scrap-reasons", "/admin/scrap-reasons".into()),
            ],
        },
        Tour {
            user: "zhao",
            password: PASSWORD,
            pages: vec![page("board", "/board".into())],
        },
        Tour {
            user: "zhang",
            password: PASSWORD,
            pages: vec![
                page("pool", "/pool".into()),
                page("my-tasks", "/my-tasks".into()),
            ],
        },
        Tour {
            user: "wang",
            password: PASSWORD,
            pages: vec![page("work-order-draft", format!("/work-orders/{draft_id}"))],
        },
    ];

    let mut problems = Vec::new();
    for locale in ["zh-CN", "en"] {
        let b = Browser::open(&s.base, DESKTOP, locale).await;
        b.goto("/login").await;
        b.screenshot(&format!("login-{locale}-desktop")).await;
        if b.text().await.contains('⟦') {
            problems.push(format!("/login ({locale}): untranslated key"));
        }
        for tour in &tours {
            problems.extend(visit(&b, tour, locale, true).await);
        }
        b.close().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Both dictionaries hold the same keys, so a page complete in one language is in the other.
#[test]
fn both_dictionaries_have_the_same_keys() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/i18n");
    let load = |f: &str| -> serde_json::Map<String, serde_json::Value> {
        let text = std::fs::read_to_string(dir.join(f)).expect(f);
        serde_json::from_str(&text).expect(f)
    };
    let (zh, en) = (load("zh-CN.json"), load("en.json"));
    let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    assert!(
        only_zh.is_empty() && only_en.is_empty(),
        "only zh: {only_zh:?}; only en: {only_en:?}"
    );
    let empty: Vec<_> = zh
        .iter()
        .chain(en.iter())
        .filter(|(_, v)| v.as_str().is_none_or(str::is_empty))
        .map(|(k, _)| k)
        .collect();
    assert!(empty.is_empty(), "empty translations: {empty:?}");
}
