//! Ring 2: many threads race to claim one task on a temp-file SQLite in WAL mode. Two `Store`s
//! open the same file, as the server and a CLI process would, so their writers really contend
//! for the lock. Every round has exactly one winner and no busy error reaches a caller.

use presswork::domain::work_order::NewWorkOrder;
use presswork::domain::Role;
use presswork::service::{seed, tasks, users, work_order_flow, work_orders, Actor, Error};
use presswork::store::Store;
use std::sync::{Arc, Barrier};

const THREADS: usize = 64;
const ROUNDS: usize = 200;

#[test]
fn exactly_one_of_many_racing_claims_wins_every_round() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("presswork.db");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let server = Store::open(&db).unwrap();
    let other_process = Store::open(&db).unwrap();
    rt.block_on(seed::ensure_catalog(&server)).unwrap();
    let mode: String = server
        .read_blocking(|c| Ok::<_, Error>(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(mode, "wal");

    let hash = users::hash_password("race-password").unwrap();
    let operators: Vec<Actor> = (0..THREADS)
        .map(|i| {
            let hash = hash.clone();
            server
                .write_blocking(move |conn| {
                    let user = users::NewUser {
                        username: format!("op{i}"),
                        display_name: None,
                        role: Role::Operator,
                        password: String::new(),
                        departments: vec!["PRINTING".into()],
                        skills: vec![],
                        locale: None,
                    };
                    let id = users::insert_user(conn, &user, &hash)?;
                    users::load_actor(conn, id)
                })
                .unwrap()
        })
        .collect();
    let admin = server
        .write_blocking(move |conn| {
            let user = users::NewUser {
                username: "admin".into(),
                display_name: None,
                role: Role::Admin,
                password: String::new(),
                departments: vec![],
                skills: vec![],
                locale: None,
            };
            let id = users::insert_user(conn, &user, &hash)?;
            users::load_actor(conn, id)
        })
        .unwrap();
    let prt = server
        .read_blocking(|c| {
            presswork::service::catalog::process_by_code(c, "PRT").map_err(Error::from)
        })
        .unwrap()
        .unwrap()
        .id;

    let stores = [server.clone(), other_process.clone()];
    let operators = Arc::new(operators);
    for round in 0..ROUNDS {
        let input: NewWorkOrder = serde_json::from_value(serde_json::json!({
            "customer": "c", "product": "p", "quantity": 100, "due_date": "2026-12-01",
            "processes": [{"process_id": prt}]
        }))
        .unwrap();
        let order = rt
            .block_on(work_orders::create_work_order(&server, &admin, input))
            .unwrap();
        rt.block_on(work_order_flow::approve_work_order(
            &server, &admin, order.id,
        ))
        .unwrap();
        let task_id = order.tasks.as_ref().unwrap()[0].id;

        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|i| {
                let store = stores[i % 2].clone();
                let operators = operators.clone();
                let barrier = barrier.clone();
                let handle = rt.handle().clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    handle.block_on(tasks::claim_task(&store, &operators[i], task_id))
                })
            })
            .collect();
        let results: Vec<Result<_, Error>> =
            handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {} winners", winners.len());
        for r in &results {
            match r {
                Ok(_) => {}
                Err(Error::Conflict { code, .. }) if code == "task_already_claimed" => {}
                Err(other) => {
                    panic!("round {round}: a loser got {other:?}, not task_already_claimed")
                }
            }
        }
        let task = rt
            .block_on(tasks::get_task(&server, &admin, task_id))
            .unwrap();
        assert_eq!(task.operator_id, Some(winners[0].operator_id.unwrap()));
        assert_eq!(task.status, "assigned");
    }
}
