//! The two status machines: one for work orders, one for tasks. Every transition the
//! services make is checked here first, so an invalid one is refused in one place.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

macro_rules! string_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<$name, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("unknown {} '{}'", stringify!($name), s)),
                }
            }
        }
    };
}

string_enum!(WorkOrderStatus {
    Draft => "draft",
    Submitted => "submitted",
    Approved => "approved",
    InProgress => "in_progress",
    Completed => "completed",
    Cancelled => "cancelled",
});

string_enum!(TaskStatus {
    Draft => "draft",
    Pending => "pending",
    Assigned => "assigned",
    InProgress => "in_progress",
    Paused => "paused",
    Completed => "completed",
    Cancelled => "cancelled",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkOrderAction {
    EditDraft,
    EditPublished,
    Submit,
    Approve,
    Reject,
    Cancel,
    Start,
    Complete,
}

impl WorkOrderStatus {
    /// The status after `action`, or `None` when this status does not allow it.
    pub fn after(self, action: WorkOrderAction) -> Option<WorkOrderStatus> {
        use WorkOrderAction as A;
        use WorkOrderStatus as S;
        match (self, action) {
            (S::Draft, A::EditDraft) => Some(S::Draft),
            (S::Approved | S::InProgress, A::EditPublished) => Some(self),
            (S::Draft, A::Submit) => Some(S::Submitted),
            (S::Draft | S::Submitted, A::Approve) => Some(S::Approved),
            (S::Submitted, A::Reject) => Some(S::Draft),
            (S::Draft | S::Submitted | S::Approved | S::InProgress, A::Cancel) => {
                Some(S::Cancelled)
            }
            (S::Approved, A::Start) => Some(S::InProgress),
            (S::Approved | S::InProgress, A::Complete) => Some(S::Completed),
            _ => None,
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(
            self,
            WorkOrderStatus::Completed | WorkOrderStatus::Cancelled
        )
    }

    /// The stable error code for "not allowed in this state".
    pub fn conflict_code(self) -> String {
        format!("work_order_is_{}", self.as_str())
    }
}

/// Everything that can happen to a task. Each is checked against the task's status here
/// and applied by the one door in `service::task_door`; `actions` in task views list the
/// ones a reader may take now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// A draft goes to its department's pool.
    Publish,
    /// An operator takes a pending task from the pool.
    Claim,
    /// A director (or the dispatcher) gives the task to an operator.
    Assign,
    /// A director takes it back from its operator to the pool.
    Unassign,
    /// The operator gives it back to the pool.
    Release,
    Start,
    Pause,
    Resume,
    /// Good and scrap quantities added; the status stays.
    Report,
    /// A running task passes to the next operator without stopping the clock.
    Handover,
    /// Part of the unstarted remainder moves into a new task of the same line.
    Split,
    /// The planned quantity changes after approval.
    Retarget,
    /// The operator has seen the new target.
    Acknowledge,
    Complete,
    Cancel,
    /// A draft of a draft order is deleted.
    Remove,
    /// A task brought from another system arrives where it stood there.
    Import,
}

impl Transition {
    pub const ALL: &'static [Transition] = &[
        Transition::Publish,
        Transition::Claim,
        Transition::Assign,
        Transition::Unassign,
        Transition::Release,
        Transition::Start,
        Transition::Pause,
        Transition::Resume,
        Transition::Report,
        Transition::Handover,
        Transition::Split,
        Transition::Retarget,
        Transition::Acknowledge,
        Transition::Complete,
        Transition::Cancel,
        Transition::Remove,
        Transition::Import,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Publish => "publish",
            Transition::Claim => "claim",
            Transition::Assign => "assign",
            Transition::Unassign => "unassign",
            Transition::Release => "release",
            Transition::Start => "start",
            Transition::Pause => "pause",
            Transition::Resume => "resume",
            Transition::Report => "report",
            Transition::Handover => "handover",
            Transition::Split => "split",
            Transition::Retarget => "retarget",
            Transition::Acknowledge => "acknowledge",
            Transition::Complete => "complete",
            Transition::Cancel => "cancel",
            Transition::Remove => "remove",
            Transition::Import => "import",
        }
    }

    /// The event a transition records.
    pub fn event_kind(self) -> &'static str {
        match self {
            Transition::Publish => "task.published",
            Transition::Claim => "task.claimed",
            Transition::Assign => "task.assigned",
            Transition::Unassign => "task.unassigned",
            Transition::Release => "task.released",
            Transition::Start => "task.started",
            Transition::Pause => "task.paused",
            Transition::Resume => "task.resumed",
            Transition::Report => "task.progress",
            Transition::Handover => "task.handed_over",
            Transition::Split => "task.split",
            Transition::Retarget => "task.target_changed",
            Transition::Acknowledge => "task.target_acknowledged",
            Transition::Complete => "task.completed",
            Transition::Cancel => "task.cancelled",
            Transition::Remove => "task.removed",
            Transition::Import => "task.imported",
        }
    }

    /// The clock runs from this transition on (a work segment opens).
    pub fn starts_clock(self) -> bool {
        matches!(self, Transition::Start | Transition::Resume)
    }
}

impl TaskStatus {
    /// The status after `transition`, or `None` when this status does not allow it.
    pub fn after(self, transition: Transition) -> Option<TaskStatus> {
        use TaskStatus as S;
        use Transition as A;
        match (self, transition) {
            (S::Draft, A::Publish) => Some(S::Pending),
            (S::Pending, A::Claim) => Some(S::Assigned),
            (S::Pending | S::Assigned | S::Paused, A::Assign) => Some(S::Assigned),
            (S::Assigned | S::Paused, A::Release | A::Unassign) => Some(S::Pending),
            (S::Assigned, A::Start) => Some(S::InProgress),
            (S::InProgress, A::Pause) => Some(S::Paused),
            (S::Paused, A::Resume) => Some(S::InProgress),
            (S::InProgress | S::Paused, A::Report) => Some(self),
            (S::InProgress, A::Handover) => Some(S::InProgress),
            (S::Pending | S::Assigned | S::InProgress | S::Paused, A::Split) => Some(self),
            (S::Draft | S::Pending | S::Assigned | S::InProgress | S::Paused, A::Retarget) => {
                Some(self)
            }
            (S::Pending | S::Assigned | S::InProgress | S::Paused, A::Acknowledge) => Some(self),
            (S::InProgress | S::Paused, A::Complete) => Some(S::Completed),
            (S::Draft | S::Pending | S::Assigned | S::InProgress | S::Paused, A::Cancel) => {
                Some(S::Cancelled)
            }
            (S::Draft, A::Remove) => Some(S::Cancelled),
            // The status it arrives in is the import's; `imported_as` checks it.
            (S::Pending, A::Import) => Some(S::Pending),
            _ => None,
        }
    }

    /// A pending task just created by an import may take the status the other system had.
    pub fn imported_as(self, to: TaskStatus) -> Option<TaskStatus> {
        (self == TaskStatus::Pending && to != TaskStatus::Draft).then_some(to)
    }

    /// The clock runs in this status.
    pub fn is_running(self) -> bool {
        self == TaskStatus::InProgress
    }

    /// Counts toward an operator's work in progress.
    pub fn is_held(self) -> bool {
        matches!(
            self,
            TaskStatus::Assigned | TaskStatus::InProgress | TaskStatus::Paused
        )
    }

    pub fn is_closed(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Cancelled)
    }

    /// The stable error code for "not allowed in this state". A claim that finds the task
    /// already taken lost a race, which the shop floor knows as "already claimed".
    pub fn conflict_code(self, action: Transition) -> String {
        match (action, self) {
            (
                Transition::Claim,
                TaskStatus::Assigned | TaskStatus::InProgress | TaskStatus::Paused,
            ) => "task_already_claimed".to_owned(),
            _ => format!("task_is_{}", self.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_walks_the_shop_floor_path() {
        let mut s = TaskStatus::Draft;
        for action in [
            Transition::Publish,
            Transition::Claim,
            Transition::Start,
            Transition::Pause,
            Transition::Resume,
            Transition::Report,
            Transition::Complete,
        ] {
            s = s
                .after(action)
                .unwrap_or_else(|| panic!("{action:?} refused from {s:?}"));
        }
        assert_eq!(s, TaskStatus::Completed);
    }

    #[test]
    fn closed_tasks_accept_nothing() {
        for action in [
            Transition::Publish,
            Transition::Claim,
            Transition::Assign,
            Transition::Release,
            Transition::Start,
            Transition::Report,
            Transition::Complete,
            Transition::Cancel,
        ] {
            assert_eq!(TaskStatus::Completed.after(action), None);
            assert_eq!(TaskStatus::Cancelled.after(action), None);
        }
    }

    #[test]
    fn only_pending_tasks_can_be_claimed() {
        for &s in TaskStatus::ALL {
            assert_eq!(
                s.after(Transition::Claim).is_some(),
                s == TaskStatus::Pending,
                "{s:?}"
            );
        }
        assert_eq!(
            TaskStatus::Assigned.conflict_code(Transition::Claim),
            "task_already_claimed"
        );
        assert_eq!(
            TaskStatus::Draft.conflict_code(Transition::Claim),
            "task_is_draft"
        );
    }

    #[test]
    fn held_work_moves_only_along_the_shop_floor_path() {
        use TaskStatus as S;
        use Transition as A;
        // Only an assigned task starts; a paused one resumes instead.
        for &s in TaskStatus::ALL {
            assert_eq!(s.after(A::Start).is_some(), s == S::Assigned, "{s:?}");
        }
        // A running task is paused before it changes hands or goes back to the pool.
        assert_eq!(S::InProgress.after(A::Release), None);
        assert_eq!(S::InProgress.after(A::Assign), None);
        assert_eq!(S::Paused.after(A::Release), Some(S::Pending));
        assert_eq!(S::Paused.after(A::Assign), Some(S::Assigned));
        // Reports keep the status; a finished task takes none.
        assert_eq!(S::Paused.after(A::Report), Some(S::Paused));
        assert_eq!(S::Assigned.after(A::Report), None);
        assert_eq!(S::Pending.conflict_code(A::Start), "task_is_pending");
    }

    #[test]
    fn work_order_approval_paths() {
        use WorkOrderAction as A;
        use WorkOrderStatus as S;
        assert_eq!(S::Draft.after(A::Approve), Some(S::Approved));
        assert_eq!(S::Submitted.after(A::Approve), Some(S::Approved));
        assert_eq!(S::Submitted.after(A::Reject), Some(S::Draft));
        assert_eq!(S::Draft.after(A::Reject), None);
        assert_eq!(S::Approved.after(A::EditDraft), None);
        assert_eq!(S::Completed.after(A::Cancel), None);
        assert_eq!(S::Approved.conflict_code(), "work_order_is_approved");
    }

    #[test]
    fn names_round_trip() {
        for &s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse::<TaskStatus>().unwrap(), s);
        }
        for &s in WorkOrderStatus::ALL {
            assert_eq!(s.as_str().parse::<WorkOrderStatus>().unwrap(), s);
        }
    }
}
