//! Use-cases of the shop floor. Each state change is one write transaction that also appends
//! its event rows. Services trust their (already parsed) inputs and never see HTTP or clap.

pub mod alerts;
pub mod catalog;
pub mod departments;
pub mod dispatch;
pub mod error;
pub mod export;
pub mod gates;
pub mod health;
pub mod history;
pub mod import;
pub mod line_sync;
pub mod notifications;
pub mod order_flow;
pub mod order_status;
pub mod process_admin;
pub mod qr;
pub mod scrap_reasons;
pub mod seed;
pub mod stats;
pub mod task_batch;
pub mod task_control;
pub mod task_door;
pub mod task_events;
pub mod task_search;
pub mod task_work;
pub mod tasks;
pub mod tickets;
pub mod user_admin;
pub mod users;
pub mod views;
pub mod wip;
pub mod work_order_flow;
pub mod work_orders;

pub use crate::domain::scope::Scope;
pub use error::Error;

use crate::domain::Role;
use serde::Serialize;

/// The authenticated person behind a request.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Actor {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_ids: Vec<i64>,
    pub locale: Option<String>,
}

impl Actor {
    pub fn scope(&self) -> Scope {
        Scope::new(self.role, self.id, self.department_ids.clone())
    }

    pub fn is_in_department(&self, department_id: i64) -> bool {
        self.department_ids.contains(&department_id)
    }

    /// Refuses unless the actor has one of `roles`.
    pub fn require(&self, roles: &[Role], doing: &str) -> Result<(), Error> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let role = self.role.as_str();
            let article = if role.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            Err(Error::Forbidden(format!(
                "{article} {role} may not {doing}"
            )))
        }
    }
}

/// Milliseconds since the Unix epoch: the time format of every `*_at` column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod layering {
    //! The layers import downwards only: domain imports no other layer, the event hub no
    //! service, and no service module imports one that imports it back (however far round).

    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Each `.rs` file under `dir` (tests cut off), by its module name.
    fn sources(dir: &str) -> BTreeMap<String, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_owned();
                let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                out.insert(name, code);
            }
        }
        out
    }

    #[test]
    fn lower_layers_import_nothing_above_them() {
        for (dir, above) in [
            (
                "src/domain",
                &[
                    "crate::service",
                    "crate::store",
                    "crate::http",
                    "crate::events",
                ][..],
            ),
            ("src/events", &["crate::service", "crate::http"][..]),
            (
                "src/store",
                &["crate::service", "crate::http", "crate::events"][..],
            ),
        ] {
            for (name, code) in sources(dir) {
                for layer in above {
                    assert!(!code.contains(layer), "{dir}/{name}.rs uses {layer}");
                }
            }
        }
    }

    #[test]
    fn no_service_module_imports_one_that_imports_it_back() {
        let files = sources("src/service");
        let names: BTreeSet<&str> = files.keys().map(String::as_str).collect();
        let mut uses: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (name, code) in &files {
            let mut deps = BTreeSet::new();
            for (at, _) in code.match_indices("super::") {
                let rest = &code[at + "super::".len()..];
                let list = match rest.strip_prefix('{') {
                    Some(inner) => &inner[..inner.find('}').unwrap_or(inner.len())],
                    None => rest.split([':', ';', ' ', ',', ')']).next().unwrap_or(""),
                };
                for word in list.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                    if names.contains(word) && word != name {
                        deps.insert(*names.get(word).unwrap());
                    }
                }
            }
            uses.insert(name.as_str(), deps);
        }
        // Depth-first search for a path back to where it started.
        fn back<'a>(
            from: &'a str,
            to: &str,
            uses: &BTreeMap<&'a str, BTreeSet<&'a str>>,
            seen: &mut BTreeSet<&'a str>,
            path: &mut Vec<&'a str>,
        ) -> bool {
            for &next in &uses[from] {
                if next == to {
                    path.push(next);
                    return true;
                }
                if seen.insert(next) {
                    path.push(next);
                    if back(next, to, uses, seen, path) {
                        return true;
                    }
                    path.pop();
                }
            }
            false
        }
        for &start in uses.keys() {
            let mut path = vec![start];
            let found = back(start, start, &uses, &mut BTreeSet::new(), &mut path);
            assert!(!found, "import circle: {}", path.join(" -> "));
        }
    }
}
