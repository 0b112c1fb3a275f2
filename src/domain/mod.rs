//! Pure types and rules of a print shop's work: no I/O, no database, no HTTP.

pub mod actions;
pub mod dispatch;
pub mod flow;
pub mod priority;
pub mod process_list;
pub mod role;
pub mod routing;
pub mod status;
pub mod task_input;
pub mod work_order;

pub use priority::Priority;
pub use role::Role;
pub use status::{TaskStatus, Transition, WorkOrderAction, WorkOrderStatus};

/// A rule the input broke, naming the field (JSON path) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub reason: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Invalid {
        Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
