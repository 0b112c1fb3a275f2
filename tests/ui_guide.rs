//! The role guides' tour (docs/guide/): each role's steps in a real headless Chromium against
//! the real server, in English and in 简体中文, on a shop seeded with a morning's work. With
//! `PRESSWORK_GUIDE_SHOTS=1` it writes the guides' screenshots to `docs/guide/img/`; without
//! it the same tour runs and checks every step, so the guides' pictures cannot drift from the
//! UI unnoticed. Regenerate with:
//! `PRESSWORK_GUIDE_SHOTS=1 cargo test --test ui_guide -- --test-threads=1`

mod browser;
mod common;
mod guide;

use browser::{Browser, TABLET};
use common::floor::id;
use common::{process_id, TestServer, ADMIN_PASSWORD, PASSWORD};
use fantoccini::Locator;
use guide::{open_shop, shot_dir, Shop, SHOT};
use serde_json::json;

/// The view has drawn, nothing is loading, images and fonts are in, and the page is live.
const SETTLED: &str = "
    const v = document.querySelector('#view > section.view');
    if (!v || !v.childElementCount) return false;
    const text = document.body.innerText;
    if (text.includes('加载中…') || text.includes('Loading…')) return false;
    if (document.fonts.status !== 'loaded') return false;
    if (![...document.images].every(i => i.complete && i.naturalWidth > 0)) return false;
    const moving = document.getAnimations().some(a => a.playState === 'running'
        && a.effect && a.effect.getTiming().iterations !== Infinity);
    if (moving) return false;
    const live = document.querySelector('#live');
    return !live || live.dataset.state === 'live';";

/// No message is on screen (toasts from an earlier step would clutter the next picture).
const NO_TOAST: &str = "return !document.querySelector('.toast')";

/// Takes the tour's pictures: named `<name>-<locale>.png`, written only in shot mode.
struct Camera {
    locale: &'static str,
    dir: Option<std::path::PathBuf>,
}

impl Camera {
    async fn settle(&self, b: &Browser, what: &str) {
        // No blinking caret or focus ring from the last field typed into.
        b.js("document.activeElement && document.activeElement.blur()")
            .await;
        b.wait_for(&format!("{what} to settle"), SETTLED).await;
        let untranslated = b.text().await.contains('⟦');
        assert!(!untranslated, "{what} ({}): untranslated key", self.locale);
    }

    /// The whole viewport, once earlier messages have gone.
    async fn shot(&self, b: &Browser, name: &str) {
        b.wait_for("earlier messages to go", NO_TOAST).await;
        self.shot_with_toast(b, name).await;
    }

    /// The whole viewport, with the message the last step showed.
    async fn shot_with_toast(&self, b: &Browser, name: &str) {
        self.settle(b, name).await;
        if let Some(dir) = &self.dir {
            let png = b.client.screenshot().await.expect("screenshot");
            let path = dir.join(format!("{name}-{}.png", self.locale));
            std::fs::write(path, png).expect("write png");
        }
    }

    /// One element, e.g. a dialog or a card section.
    async fn element(&self, b: &Browser, css: &str, name: &str) {
        b.js_with(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})",
            vec![json!(css)],
        )
        .await;
        self.settle(b, name).await;
        let el = b
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        if let Some(dir) = &self.dir {
            let png = el.screenshot().await.expect("element screenshot");
            let path = dir.join(format!("{name}-{}.png", self.locale));
            std::fs::write(path, png).expect("write png");
        }
    }
}

fn toast(kind: &str) -> String {
    format!("return document.querySelector('.toast.{kind}')")
}

fn gone(css: &str) -> String {
    format!("return !document.querySelector(\"{css}\")")
}

fn shown(css: &str) -> String {
    format!("return Boolean(document.querySelector(\"{css}\"))")
}

/// Chooses `value` in the `<select>` matched by `css`, as a person picking from it would.
async fn choose(b: &Browser, css: &str, value: &str) {
    b.js_with(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];
         s.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![json!(css), json!(value)],
    )
    .await;
}

/// Admin: the four pages of system settings.
async fn admin_tour(b: &Browser, cam: &Camera) {
    b.login("admin", ADMIN_PASSWORD, cam.locale).await;
    for page in ["users", "departments", "processes", "scrap-reasons"] {
        b.route(&format!("/admin/{page}")).await;
        b.wait_for(page, &shown("#view table tbody tr")).await;
        cam.shot(b, &format!("admin-{page}")).await;
    }
    b.logout().await;
}

/// Maker: a new order with its lines and draft preview, saved as a draft and submitted.
/// Returns the new order's id.
async fn maker_tour(shop: &Shop, s: &TestServer, b: &Browser, cam: &Camera) -> i64 {
    b.login("wang", PASSWORD, cam.locale).await;
    b.route("/work-orders/new").await;
    b.type_into(
        "input[name=customer]",
        shop.pick("华彩包装", "Brightway Packaging"),
    )
    .await;
    b.type_into("input[name=product]", shop.pick("茶叶礼盒", "Tea gift box"))
        .await;
    b.type_into("input[name=quantity]", "8000").await;
    b.type_into("input[name=unit]", shop.pick("个", "boxes"))
        .await;
    b.type_into("input[name=overs]", "200").await;
    b.type_into(
        "input[name=paper]",
        shop.pick("350g 白卡", "350g coated board"),
    )
    .await;
    b.type_into("input[name=colors_front]", "4").await;
    b.type_into("input[name=gsm]", "350").await;
    b.click("[data-field=priority] label.p-high").await;
    for code in ["CTP", "PRT", "LAM_G", "DIE", "BOX"] {
        let pid = process_id(&s.admin, code);
        b.click(&format!("[data-action=add-line][data-process-id='{pid}']"))
            .await;
    }
    b.type_into(".line[data-index='0'] .l-qty input", "4").await;
    b.type_into(
        ".line[data-index='1'] .l-parts",
        shop.pick("盒盖, 盒底", "Lid, Base"),
    )
    .await;
    b.type_into(
        ".line[data-index='3'] .l-note",
        shop.pick("用 3 号刀版", "Use cutting die no. 3"),
    )
    .await;
    b.wait_for(
        "six draft tasks",
        "return document.querySelectorAll('.preview tbody tr').length === 6",
    )
    .await;
    b.js("window.scrollTo(0, 0)").await;
    cam.shot(b, "maker-new-order").await;
    cam.element(b, "ol.lines", "maker-lines").await;
    cam.element(b, ".table-wrap:has(.preview)", "maker-preview")
        .await;

    b.click("form .sticky-actions button[type=submit]").await;
    b.wait_for("the saved draft", "return /^#\\/work-orders\\/\\d+$/.test(location.hash) && document.querySelector('[data-action=submit]')")
        .await;
    let order: i64 = b
        .js("return Number(location.hash.split('/')[2])")
        .await
        .as_i64()
        .unwrap();
    cam.shot(b, "maker-draft").await;
    b.click("[data-action=submit]").await;
    b.wait_for("submitted", &gone("[data-action=submit]")).await;
    b.logout().await;
    order
}

/// Manager: the orders awaiting approval, and approving one.
async fn manager_approves(b: &Browser, cam: &Camera, order: i64) {
    b.login("li", PASSWORD, cam.locale).await;
    b.route("/work-orders?status=submitted").await;
    b.wait_for(
        "the order awaiting approval",
        &shown(&format!(".wo-row[data-id='{order}']")),
    )
    .await;
    cam.shot(b, "manager-approvals").await;
    b.route(&format!("/work-orders/{order}")).await;
    b.click("[data-action=approve]").await;
    b.wait_for(
        "the approval question",
        "return document.querySelector('#dialog').open",
    )
    .await;
    cam.shot(b, "manager-approve").await;
    b.click("#dialog button[type=submit]").await;
    b.wait_for("approved", &toast("ok")).await;
    b.wait_for("the tasks published", &gone("[data-action=approve]"))
        .await;
    b.route(&format!("/work-orders/{order}/ticket")).await;
    b.wait_for(
        "the job ticket's codes",
        "return document.querySelectorAll('.sheet img.qr-sm').length === 6",
    )
    .await;
    cam.shot(b, "maker-ticket").await;
    b.logout().await;
}

/// Operator on a tablet: the pool, a scanned ticket, a report, "my tasks", and a task
/// that cannot start yet.
async fn operator_tour(shop: &Shop, b: &Browser, cam: &Camera) {
    let (brochure, workbook) = (shop.task("brochure", "PRT"), shop.task("workbook", "PRT"));
    let running = shop.task("gift_box", "PRT");
    b.resize(TABLET).await;
    b.login("zhang", PASSWORD, cam.locale).await;
    b.wait_for(
        "the ready tasks",
        &shown(&format!("[data-pool=ready] [data-task-id='{brochure}']")),
    )
    .await;
    b.wait_for(
        "the waiting task",
        &shown(&format!("[data-pool=waiting] [data-task-id='{workbook}']")),
    )
    .await;
    cam.shot(b, "operator-pool").await;

    // Scanning the brochure's printing code on the job ticket opens the task.
    b.route(&format!("/tasks/{brochure}")).await;
    b.wait_for("the claim button", &shown("[data-action=claim]"))
        .await;
    cam.shot(b, "operator-scan").await;
    b.click("[data-action=claim]").await;
    b.wait_for("claimed", &toast("ok")).await;

    b.route("/my-tasks").await;
    let card = format!("[data-task-id='{running}']");
    b.click(&format!("{card} [data-action=report]")).await;
    b.type_into("#dialog input[name=good]", "1500").await;
    b.type_into("#dialog input[name=scrap]", "20").await;
    choose(b, "#dialog select[name=scrap_reason]", "RUN_WASTE").await;
    cam.element(b, "#dialog", "operator-report").await;
    b.click("#dialog button[type=submit]").await;
    b.wait_for("the report", &toast("ok")).await;
    b.wait_for(
        "the new total",
        &format!("return document.querySelector(\"{card}\").innerText.includes('3,500')"),
    )
    .await;
    cam.shot(b, "operator-my-tasks").await;

    // Printing of the workbook waits for its plates: claiming works, starting does not yet.
    b.route("/pool").await;
    b.click(&format!(
        "[data-pool=waiting] [data-task-id='{workbook}'] [data-action=claim]"
    ))
    .await;
    b.wait_for("claimed", &toast("ok")).await;
    b.route("/my-tasks").await;
    b.wait_for("earlier messages to go", NO_TOAST).await;
    let held = format!("[data-task-id='{workbook}']");
    b.wait_for(
        "what the workbook waits for",
        &format!("const c = document.querySelector(\"{held}\"); return c && c.querySelector('[data-waits]') && !c.querySelector('[data-action=start]')"),
    )
    .await;
    cam.shot(b, "operator-not-ready").await;
    b.click(&format!(
        "[data-task-id='{workbook}'] [data-action=release]"
    ))
    .await;
    b.wait_for("released", &gone(&format!("[data-task-id='{workbook}']")))
        .await;
    b.logout().await;
    b.resize(SHOT).await;
}

/// Supervisor: the board, a batch assignment, a reassignment, and an automatic one's "why".
async fn supervisor_tour(shop: &Shop, b: &Browser, cam: &Camera, new_order: i64) {
    let (_, order) = shop
        .client("li")
        .get(&format!("/api/v1/work-orders/{new_order}"));
    let parts: Vec<i64> = order["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["process_code"] == "PRT")
        .map(id)
        .collect();
    let cards = shop.task("cards", "PRT");
    let (liu, zhang) = (shop.user_id("liu"), shop.user_id("zhang"));
    b.login("zhao", PASSWORD, cam.locale).await;
    b.route("/board").await;
    for t in &parts {
        b.wait_for(
            "the pool",
            &shown(&format!("[data-column=pool] [data-pick='{t}']")),
        )
        .await;
    }
    cam.shot(b, "supervisor-board").await;
    for t in &parts {
        b.click(&format!("[data-column=pool] [data-pick='{t}']"))
            .await;
    }
    choose(b, ".batch-bar select[name=operator_id]", &liu.to_string()).await;
    b.type_into(
        ".batch-bar input[name=reason]",
        shop.pick("同一种纸，连着印", "Same stock, one run"),
    )
    .await;
    b.js("window.scrollTo(0, 0)").await;
    cam.shot(b, "supervisor-batch").await;
    b.click(".batch-bar button[type=submit]").await;
    b.wait_for("assigned", &toast("ok")).await;
    b.wait_for("both in liu's column", &format!("return document.querySelectorAll(\"[data-column='op-{liu}'] .task-card\").length === 3"))
        .await;

    b.click(&format!(
        "[data-column='op-{}'] [data-task-id='{cards}'] [data-action=assign]",
        shop.user_id("chen")
    ))
    .await;
    choose(b, "#dialog select[name=operator_id]", &zhang.to_string()).await;
    b.type_into(
        "#dialog textarea[name=reason]",
        shop.pick(
            "陈师傅的机器在保养",
            "Chris's press is down for maintenance",
        ),
    )
    .await;
    cam.element(b, "#dialog", "supervisor-reassign").await;
    b.click("#dialog button[type=submit]").await;
    b.wait_for(
        "reassigned",
        &shown(&format!(
            "[data-column='op-{zhang}'] [data-task-id='{cards}']"
        )),
    )
    .await;

    // Finishing hands its work out by skill; the task says why it went where it did.
    let lamination = shop.task("gift_box", "LAM_G");
    b.route(&format!("/tasks/{lamination}")).await;
    b.wait_for(
        "the history",
        "return document.querySelectorAll('.history li').length > 1",
    )
    .await;
    cam.shot(b, "supervisor-why").await;
    b.logout().await;
}

async fn manager_dashboard(b: &Browser, cam: &Camera) {
    b.login("li", PASSWORD, cam.locale).await;
    b.route("/dashboard").await;
    b.wait_for("the figures", &shown(".tiles .tile")).await;
    b.wait_for(
        "the charts",
        "return document.querySelectorAll('.charts svg').length >= 3",
    )
    .await;
    cam.shot(b, "manager-dashboard").await;
    b.logout().await;
}

async fn tour(locale: &'static str) {
    let s = TestServer::start();
    let shop = open_shop(&s, locale);
    let cam = Camera {
        locale,
        dir: shot_dir(),
    };
    let b = Browser::open(&s.base, SHOT, locale).await;
    admin_tour(&b, &cam).await;
    let new_order = maker_tour(&shop, &s, &b, &cam).await;
    manager_approves(&b, &cam, new_order).await;
    operator_tour(&shop, &b, &cam).await;
    supervisor_tour(&shop, &b, &cam, new_order).await;
    manager_dashboard(&b, &cam).await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_guides_tour_in_english() {
    tour("en").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_guides_tour_in_chinese() {
    tour("zh-CN").await;
}
