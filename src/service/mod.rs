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
            Err(Error::Forbidden(format!("a {} may not {doing}", self.role)))
        }
    }
}

/// Milliseconds since the Unix epoch: the time format of every `*_at` column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
