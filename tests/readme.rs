//! The README's walk-through is executed as written against a real server, so the commands
//! a new user copies keep working.

mod common;

use common::*;
use std::process::Command;

/// The shell block that follows `marker` in README.md.
fn readme_block(marker: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let after = readme
        .split(marker)
        .nth(1)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    let start = after.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let len = after[start..].find("```").expect("end of block");
    after[start..start + len].to_owned()
}

fn run_block(s: &TestServer, marker: &str) -> String {
    let script = readme_block(marker);
    let out = Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(&script)
        .env("PRESSWORK_URL", &s.base)
        .env("ADMIN_PW", ADMIN_PASSWORD)
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "walk-through failed\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_core_walk_through_works_as_written() {
    let s = TestServer::start();
    let out = run_block(&s, "<!-- walkthrough -->");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(
        lines[0].contains("'CTP', 'draft'") && lines[0].contains("'DIE', 'draft'"),
        "{out}"
    );
    assert!(
        lines[1].contains("'PRT', 5200, 2")
            && lines[1].contains("'PACK'")
            && !lines[1].contains("LAM_G"),
        "{out}"
    );
    assert!(lines[2].contains("('CTP', 'pending')"), "{out}");
    assert_eq!(lines[3], "('assigned', 'li')");
    assert!(
        lines[4].contains("task_already_claimed") && lines[4].ends_with("HTTP 409"),
        "{out}"
    );
}

#[test]
fn the_shop_floor_day_works_as_written() {
    let s = TestServer::start();
    let out = run_block(&s, "<!-- shop-floor-day -->");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "('plates', 'completed', 4, 'plate')",
            "('not_ready', ['paper_ready', 'proof_approved'])",
            "('printing', 'in_progress')",
            "not_ready",
            "('printed', 2000, 30)",
            "[('DIE', 2000)]",
            "('die-cutting', 'in_progress')",
            "quantity_exceeds_available",
            "shortfall_reason",
            "('printing', 'completed', 4900, 100)",
            "('die-cutting', 'completed', 4880)",
            "('completed', 3, 3)",
        ],
        "{out}"
    );
}
