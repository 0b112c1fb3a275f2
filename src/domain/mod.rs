//! Pure types and rules of a print shop's work: no I/O, no database, no HTTP.

pub mod actions;
pub mod dispatch;
pub mod event;
pub mod flow;
pub mod priority;
pub mod process_list;
pub mod role;
pub mod routing;
pub mod scope;
pub mod status;
pub mod task_input;
pub mod work_order;

pub use priority::Priority;
pub use role::Role;
pub use status::{TaskStatus, Transition, WorkOrderAction, WorkOrderStatus};

/// A rule the input broke, naming the field (JSON path) and why: `reason` in English for
/// API users and logs, `rule` with its figures for clients that word it themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub reason: String,
    pub rule: Rule,
}

/// Which rule a value broke, as a stable identifier with its figures (sent in the error's
/// `details`), so a screen can say it in its own language.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// Not one of the rules below; the field is named and the client says "not valid".
    #[default]
    Invalid,
    Required,
    Range {
        min: i64,
        max: i64,
    },
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    Duplicate,
    /// Letters, digits or a pattern the field must follow.
    Format,
    /// A catalogue code: 1 to `max` letters, digits or `_`.
    CodeFormat {
        max: usize,
    },
    NeedProcess,
    /// A plate line needs the order's colours to count its plates.
    NeedsColours,
    /// Steps and needs loop back on themselves.
    Cycle,
    /// A line, department, process or reason the field names does not exist.
    Unknown,
    UnknownField,
    MissingField,
}

impl Invalid {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Invalid {
        Invalid {
            field: field.into(),
            reason: reason.into(),
            rule: Rule::Invalid,
        }
    }

    /// The same refusal, naming the rule it broke.
    pub fn breaking(mut self, rule: Rule) -> Invalid {
        self.rule = rule;
        self
    }
}
