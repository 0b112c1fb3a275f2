//! Test harness: starts the real `presswork` binary on 127.0.0.1 with an ephemeral port and a
//! temp data dir, and talks to it over real HTTP. No mocks of the database or the HTTP layer.
#![allow(dead_code)]

pub mod floor;
pub mod ws;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const ADMIN_PASSWORD: &str = "admin-test-pw";
pub const PASSWORD: &str = "test-password";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_presswork")
}

pub struct TestServer {
    pub base: String,
    pub addr: String,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    pub admin: Client,
}

impl TestServer {
    pub fn start() -> TestServer {
        Self::start_with(&[])
    }

    /// Starts a server whose data dir is inside `parent` (e.g. a small tmpfs mount).
    pub fn start_in(parent: &Path) -> TestServer {
        let dir = tempfile::tempdir_in(parent).expect("temp dir");
        Self::start_at(dir, &[])
    }

    /// Starts a server with extra environment variables (e.g. PRESSWORK_* settings).
    pub fn start_with(env: &[(&str, &str)]) -> TestServer {
        Self::start_at(tempfile::tempdir().expect("temp dir"), env)
    }

    /// Starts a server whose data dir holds `config_toml` as its `config.toml`.
    pub fn start_with_config(config_toml: &str, env: &[(&str, &str)]) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("config.toml"), config_toml).expect("config.toml");
        Self::start_at(dir, env)
    }

    /// Starts a server on a copy of the database file `db` (e.g. one an older release made).
    pub fn start_on_copy_of(db: &Path) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::copy(db, dir.path().join("presswork.db")).expect("copy the database");
        Self::start_at(dir, &[])
    }

    fn start_at(dir: tempfile::TempDir, env: &[(&str, &str)]) -> TestServer {
        let (child, addr) = spawn_server(dir.path(), "127.0.0.1:0", env);
        let base = format!("http://{addr}");
        let admin = Client::login(&base, "admin", ADMIN_PASSWORD);
        TestServer {
            base,
            addr,
            dir,
            child: Some(child),
            admin,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's process id, to read its memory from /proc.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("presswork.db")
    }

    /// Stops the server the way a service manager does (SIGTERM) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            #[cfg(unix)]
            unsafe_kill(child.id(), "TERM");
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while std::time::Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends SIGTERM and returns how the server exited, or `None` if it did not exit within
    /// `within` (it is then killed).
    pub fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        #[cfg(unix)]
        unsafe_kill(child.id(), "TERM");
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// Kills the server without warning (power cut), as `kill -9` would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same data dir and the same port.
    pub fn restart(&mut self) {
        self.stop();
        let (child, addr) = spawn_server(self.dir.path(), &self.addr, &[]);
        assert_eq!(addr, self.addr);
        self.child = Some(child);
    }

    /// Runs a CLI verb against this server's data dir.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("PRESSWORK_LOG", "warn")
            .output()
            .expect("run presswork")
    }

    /// Adds a user through the admin API and signs them in.
    pub fn user(&self, username: &str, role: &str, departments: &[&str]) -> Client {
        let (status, body) = self.admin.post(
            "/api/v1/users",
            &json!({"username": username, "role": role, "password": PASSWORD, "departments": departments}),
        );
        assert_eq!(status, 201, "creating {username}: {body}");
        Client::login(&self.base, username, PASSWORD)
    }

    pub fn anonymous(&self) -> Client {
        Client {
            base: self.base.clone(),
            token: None,
            agent: agent(),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(unix)]
fn unsafe_kill(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status();
}

fn spawn_server(dir: &Path, addr: &str, env: &[(&str, &str)]) -> (Child, String) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("test-server.log"))
        .expect("log file");
    let mut cmd = Command::new(bin());
    cmd.arg("--data-dir")
        .arg(dir)
        .arg("serve")
        .arg("--addr")
        .arg(addr)
        .env("PRESSWORK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("PRESSWORK_LOG", "warn")
        .env("PRESSWORK_NO_BROWSER", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start presswork");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.trim().to_owned());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| {
            let log = std::fs::read_to_string(dir.join("test-server.log")).unwrap_or_default();
            panic!("server did not start; log:\n{log}")
        });
    (child, addr)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A signed-in (or anonymous) API client speaking JSON.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub token: Option<String>,
    agent: ureq::Agent,
}

impl Client {
    pub fn login(base: &str, username: &str, password: &str) -> Client {
        let mut c = Client {
            base: base.to_owned(),
            token: None,
            agent: agent(),
        };
        let (status, body) = c.post(
            "/api/v1/auth/login",
            &json!({"username": username, "password": password}),
        );
        assert_eq!(status, 200, "login {username}: {body}");
        c.token = Some(body["token"].as_str().expect("token").to_owned());
        c
    }

    fn finish(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
        let mut response = response.expect("request reached the server");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    fn auth(&self) -> Option<String> {
        self.token.as_ref().map(|t| format!("Bearer {t}"))
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, b"")
    }

    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send("POST", path, body.to_string().as_bytes())
    }

    pub fn patch(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send("PATCH", path, body.to_string().as_bytes())
    }

    /// Sends raw bytes (for malformed-input tests).
    pub fn send(&self, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let req = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("Content-Type", "application/json");
        let req = match self.auth() {
            Some(a) => req.header("Authorization", a),
            None => req,
        };
        let req = req.body(body.to_vec()).expect("request");
        match self.agent.run(req.clone()) {
            // A pooled keep-alive connection the server had already closed: the request never
            // reached it, so sending it again on a fresh connection is safe.
            Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Self::finish(agent().run(req))
            }
            other => Self::finish(other),
        }
    }

    /// Like `post`, but a refused connection (server down) is `None` instead of a panic.
    pub fn try_post(&self, path: &str, body: &Value) -> Option<(u16, Value)> {
        let mut req = self.agent.post(format!("{}{path}", self.base));
        if let Some(a) = self.auth() {
            req = req.header("Authorization", a);
        }
        let mut response = req.send(body.to_string()).ok()?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().ok()?;
        Some((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    pub fn delete(&self, path: &str) -> (u16, Value) {
        self.send("DELETE", path, b"")
    }
}

/// Looks up a process id by its code (CTP, PRT, ...).
pub fn process_id(client: &Client, code: &str) -> i64 {
    let (_, list) = client.get("/api/v1/processes");
    list.as_array()
        .expect("process list")
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("no process {code}"))["id"]
        .as_i64()
        .expect("id")
}

pub fn department_id(client: &Client, code: &str) -> i64 {
    let (_, list) = client.get("/api/v1/departments");
    list.as_array()
        .expect("department list")
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("no department {code}"))["id"]
        .as_i64()
        .expect("id")
}

/// Creates a work order with the given process codes and returns its JSON.
pub fn create_order(client: &Client, codes: &[&str]) -> Value {
    let processes: Vec<Value> = codes
        .iter()
        .map(|c| json!({"process_id": process_id(client, c)}))
        .collect();
    let (status, body) = client.post(
        "/api/v1/work-orders",
        &json!({"customer": "华彩包装", "product": "彩盒 Color box", "quantity": 5000,
                "due_date": "2026-12-20", "priority": "high", "unit_price": 0.35,
                "colors_front": 4, "processes": processes}),
    );
    assert_eq!(status, 201, "{body}");
    body
}

/// Ticks every gate of `order` (proof approved, paper ready...) and returns the order as it
/// then stands, for tests about what comes after.
pub fn pass_gates(client: &Client, order: &Value) -> Value {
    let id = order["id"].as_i64().expect("order id");
    let (status, now) = client.get(&format!("/api/v1/work-orders/{id}"));
    assert_eq!(status, 200, "{now}");
    for gate in now["gates"].as_array().expect("gates") {
        let (status, body) = client.post(
            &format!(
                "/api/v1/work-orders/{id}/gates/{}",
                gate["code"].as_str().unwrap()
            ),
            &json!({"done": true}),
        );
        assert_eq!(status, 200, "{body}");
    }
    let (status, now) = client.get(&format!("/api/v1/work-orders/{id}"));
    assert_eq!(status, 200, "{now}");
    now
}

/// Creates and approves an order with its gates passed; returns its JSON after that.
pub fn published_order(client: &Client, codes: &[&str]) -> Value {
    let order = create_order(client, codes);
    let (status, body) = client.post(
        &format!("/api/v1/work-orders/{}/approve", order["id"]),
        &json!({}),
    );
    assert_eq!(status, 200, "{body}");
    pass_gates(client, &body)
}

pub fn task_of<'a>(order: &'a Value, code: &str) -> &'a Value {
    order["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["process_code"] == code)
        .unwrap_or_else(|| panic!("no {code} task in {order}"))
}
