//! Browser-test harness: one `chromedriver` per test binary on an ephemeral port, and a
//! `Browser` per session (headless Debian Chromium, fresh profile) with the few helpers the
//! UI tests need: open a UI route, sign in, wait for a condition, read text, screenshot.
//! It drives the real UI against the real server; nothing is mocked.
#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const TABLET: (u32, u32) = (1024, 768);
pub const DESKTOP: (u32, u32) = (1440, 900);
const WAIT: Duration = Duration::from_secs(20);

struct Driver {
    url: String,
    // Holding the watchdog's stdin open keeps chromedriver alive; when this test binary
    // exits (normally or not) the pipe closes and the watchdog stops chromedriver.
    _stdin: Mutex<ChildStdin>,
    // Never waited on: the watchdog outlives every test and ends with the test binary.
    _child: Mutex<Child>,
}

static DRIVER: OnceLock<Driver> = OnceLock::new();

fn chromedriver_bin() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned())
}

fn chromium_bin() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

fn driver() -> &'static str {
    &DRIVER
        .get_or_init(|| {
            let script = format!(
                "{} --port=0 & pid=$!; read _; kill $pid",
                chromedriver_bin()
            );
            let mut child = Command::new("sh")
                .arg("-c")
                .arg(script)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver (tests/run.sh installs chromium-driver)");
            let stdout = child.stdout.take().expect("stdout");
            let (tx, rx) = mpsc::channel();
            // Reads the port, then keeps draining so chromedriver never blocks on a full pipe.
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(port) = line.split("successfully on port ").nth(1) {
                        let _ = tx.send(port.trim().trim_end_matches('.').to_owned());
                    }
                }
            });
            let port = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("chromedriver did not report its port");
            Driver {
                url: format!("http://127.0.0.1:{port}"),
                _stdin: Mutex::new(child.stdin.take().expect("stdin")),
                _child: Mutex::new(child),
            }
        })
        .url
}

pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots dir");
    dir
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    session: Option<String>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A fresh headless Chromium whose viewport is exactly `size`, preferring `lang`.
    pub async fn open(base: &str, size: (u32, u32), lang: &str) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium_bin(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--window-size={},{}", size.0, size.1),
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--lang={lang}"),
                ],
                "prefs": {"intl.accept_languages": lang},
            }
        });
        let caps = caps.as_object().expect("object").clone();
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(driver())
            .await
            .expect("a chromium session");
        let session = client.session_id().await.ok().flatten();
        let b = Browser {
            client,
            base: base.to_owned(),
            session,
            _profile: profile,
        };
        b.resize(size).await;
        b
    }

    /// Sets the viewport (not the window) to `size`, so screenshots have exactly that size.
    pub async fn resize(&self, size: (u32, u32)) {
        self.client
            .set_window_size(size.0, size.1)
            .await
            .expect("resize");
        let chrome = self
            .js("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]")
            .await;
        let dx = chrome[0].as_u64().unwrap_or(0) as u32;
        let dy = chrome[1].as_u64().unwrap_or(0) as u32;
        if dx > 0 || dy > 0 {
            self.client
                .set_window_size(size.0 + dx, size.1 + dy)
                .await
                .expect("resize");
        }
    }

    pub async fn js(&self, script: &str) -> Value {
        self.js_with(script, vec![]).await
    }

    pub async fn js_with(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` (a function body returning a value) until it returns something truthy.
    pub async fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.js(script).await;
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!(0) && v != json!("");
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                let text = self.text().await;
                panic!("timed out waiting for {what}; page shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens a UI route such as `/work-orders/3` and waits until the app has booted.
    pub async fn goto(&self, route: &str) {
        self.client
            .goto(&format!("{}/#{route}", self.base))
            .await
            .expect("navigate");
        self.wait_for(
            "the app to boot",
            "return document.body.dataset.ready === '1'",
        )
        .await;
    }

    /// Changes the route inside the running app (no page load) and waits for its view.
    pub async fn route(&self, route: &str) {
        self.js_with("location.hash = arguments[0]", vec![json!(route)])
            .await;
        self.wait_for(
            "the view",
            "const v = document.querySelector('#view > section.view'); return v && v.childElementCount > 0",
        )
        .await;
    }

    /// Signs in through the login form, with the UI language set to `locale` first.
    pub async fn login(&self, username: &str, password: &str, locale: &str) {
        self.goto("/login").await;
        self.js_with(
            "localStorage.setItem('presswork.locale', arguments[0]);
             localStorage.setItem('presswork.locale.' + arguments[1], arguments[0]);",
            vec![json!(locale), json!(username)],
        )
        .await;
        self.client.refresh().await.expect("reload");
        self.wait_for(
            "the login form",
            "return document.body.dataset.ready === '1' && document.querySelector('input[name=username]')",
        )
        .await;
        self.type_into("input[name=username]", username).await;
        self.type_into("input[name=password]", password).await;
        self.click("form button[type=submit]").await;
        self.wait_for(
            "signing in",
            "return document.querySelector('#topbar:not([hidden]) .who') && !location.hash.startsWith('#/login')",
        )
        .await;
    }

    pub async fn logout(&self) {
        self.click("[data-action=logout]").await;
        self.wait_for("the login page", "return location.hash.startsWith('#/login') && document.querySelector('input[name=username]')")
            .await;
    }

    pub async fn click(&self, css: &str) {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let el = self
                .client
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("no element {css}: {e}"));
            // Sticky bars may cover an element scrolled to the edge; a person would scroll it
            // into the middle of the screen first.
            self.js_with(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})",
                vec![json!(css)],
            )
            .await;
            match el.click().await {
                Ok(()) => return,
                // A live update re-rendered the element between finding and clicking it; a
                // person would click the new one.
                Err(e)
                    if e.to_string().contains("stale element")
                        && std::time::Instant::now() < deadline => {}
                Err(e) => panic!("click {css}: {e}"),
            }
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"));
        el.clear().await.ok();
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        self.js("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("write png");
    }

    pub async fn close(mut self) {
        self.session = None;
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    /// A test that panics still ends its Chromium session instead of leaving it running.
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            let url = format!("{}/session/{id}", driver());
            let _ = std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(10)))
                    .build()
                    .into();
                let _ = agent.delete(&url).call();
            })
            .join();
        }
    }
}
