//! Power-cut safety: under claim load the server is killed with SIGKILL at an arbitrary moment,
//! restarted, and every claim a client saw acknowledged must be there, whole (task row and its
//! event), with the database passing `PRAGMA integrity_check`. 20 cycles.

mod common;

use common::*;
use presswork::store::Connection;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CYCLES: usize = 20;
const CLAIMERS: usize = 4;

#[test]
fn acknowledged_claims_survive_kill_9() {
    let mut s = TestServer::start();
    let names: Vec<String> = (0..CLAIMERS).map(|i| format!("op{i}")).collect();
    for n in &names {
        s.user(n, "operator", &["PRINTING"]);
    }
    let mut acknowledged: Vec<(i64, String)> = Vec::new();
    for cycle in 0..CYCLES {
        let order = published_order(&s.admin, &["PRT"; 40]);
        let tasks: Vec<i64> = order["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        let acked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let client = Client::login(&s.base, name, PASSWORD);
                let mine: Vec<i64> = tasks.iter().copied().skip(i).step_by(CLAIMERS).collect();
                let (acked, stop, name) = (acked.clone(), stop.clone(), name.clone());
                std::thread::spawn(move || {
                    for id in mine {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        match client.try_post(&format!("/api/v1/tasks/{id}/claim"), &json!({})) {
                            Some((200, _)) => acked.lock().unwrap().push((id, name.clone())),
                            Some(_) => {}
                            None => break,
                        }
                    }
                })
            })
            .collect();
        // An arbitrary moment: different in every cycle, mid-load.
        std::thread::sleep(Duration::from_millis(20 + (cycle as u64 * 37) % 120));
        s.kill();
        stop.store(true, Ordering::Relaxed);
        for h in handles {
            h.join().unwrap();
        }
        acknowledged.extend(acked.lock().unwrap().iter().cloned());
        s.restart();
        s.admin = Client::login(&s.base, "admin", ADMIN_PASSWORD);
    }
    assert!(
        !acknowledged.is_empty(),
        "the load produced no acknowledged claim"
    );

    let conn = Connection::open(s.db_path()).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    for (task, name) in &acknowledged {
        let (status, operator, claimed_events): (String, String, i64) = conn
            .query_row(
                "SELECT t.status, u.username,
                    (SELECT COUNT(*) FROM events e WHERE e.task_id = t.id AND e.kind = 'task.claimed')
                 FROM tasks t JOIN users u ON u.id = t.operator_id WHERE t.id = ?1",
                [task],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap_or_else(|e| panic!("acknowledged claim of task {task} by {name} is lost: {e}"));
        assert_eq!(
            (status.as_str(), operator.as_str(), claimed_events),
            ("assigned", name.as_str(), 1)
        );
    }
    // No half-applied claim: every assigned task has its claim event and every claim event its task.
    let orphans: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM tasks t WHERE t.status = 'assigned' AND NOT EXISTS
                (SELECT 1 FROM events e WHERE e.task_id = t.id AND e.kind = 'task.claimed')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    println!(
        "{} acknowledged claims checked over {CYCLES} kill -9 cycles",
        acknowledged.len()
    );
}
