//! Which transitions a reader may take on a task now. The same rules the services enforce,
//! said once so task views can list them (`actions`) and the UI shows exactly those buttons.

use super::{Role, TaskStatus, Transition};

/// Who is looking: their id, role, and whether the task is in one of their departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub id: i64,
    pub role: Role,
    pub in_department: bool,
}

/// What of the task the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub status: TaskStatus,
    pub operator_id: Option<i64>,
    pub ready: bool,
    /// A new target waits for its operator's acknowledgement.
    pub has_notice: bool,
}

/// Directors move work between people; supervisors only in their departments.
fn directs(reader: &Reader) -> bool {
    match reader.role {
        Role::Admin | Role::Manager => true,
        Role::Supervisor => reader.in_department,
        _ => false,
    }
}

/// The transitions `reader` may take on a task with `facts`, in a stable order.
pub fn available(facts: &Facts, reader: &Reader) -> Vec<Transition> {
    use TaskStatus as S;
    use Transition as T;
    let allowed = |t: Transition| facts.status.after(t).is_some();
    let mine = facts.operator_id == Some(reader.id);
    let operator = reader.role == Role::Operator && reader.in_department;
    let mut out = Vec::new();
    for &t in Transition::ALL {
        if !allowed(t) {
            continue;
        }
        let ok = match t {
            T::Claim => operator && facts.operator_id.is_none(),
            T::Start => operator && mine && facts.ready,
            T::Pause | T::Resume | T::Report | T::Complete | T::Release => operator && mine,
            T::Handover => (operator && mine) || directs(reader),
            // Not offered until their endpoints exist.
            T::Acknowledge => facts.has_notice && operator && mine,
            T::Split => directs(reader),
            T::Assign => directs(reader),
            T::Unassign => directs(reader) && facts.operator_id.is_some(),
            T::Cancel => directs(reader) && facts.status != S::Draft,
            T::Publish => matches!(reader.role, Role::Admin | Role::Manager),
            // Done by the order's edits and imports, not from a task card.
            T::Remove | T::Retarget | T::Import => false,
        };
        if ok {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(id: i64, role: Role) -> Reader {
        Reader {
            id,
            role,
            in_department: true,
        }
    }

    fn facts(status: TaskStatus, operator_id: Option<i64>, ready: bool) -> Facts {
        Facts {
            status,
            operator_id,
            ready,
            has_notice: false,
        }
    }

    #[test]
    fn a_blocked_task_offers_no_start_but_can_be_claimed() {
        let op = reader(7, Role::Operator);
        let pool = facts(TaskStatus::Pending, None, false);
        assert_eq!(available(&pool, &op), vec![Transition::Claim]);
        let held = facts(TaskStatus::Assigned, Some(7), false);
        assert_eq!(available(&held, &op), vec![Transition::Release]);
        let held = facts(TaskStatus::Assigned, Some(7), true);
        assert_eq!(
            available(&held, &op),
            vec![Transition::Release, Transition::Start]
        );
    }

    #[test]
    fn a_colleagues_task_offers_nothing_and_directors_direct() {
        let running = facts(TaskStatus::InProgress, Some(8), true);
        assert!(available(&running, &reader(7, Role::Operator)).is_empty());
        let mut other = reader(1, Role::Supervisor);
        assert_eq!(
            available(&running, &other),
            vec![Transition::Handover, Transition::Split, Transition::Cancel]
        );
        other.in_department = false;
        assert!(available(&running, &other).is_empty());
        assert!(available(&running, &reader(2, Role::Maker)).is_empty());
    }

    #[test]
    fn a_changed_target_is_acknowledged_by_its_operator_only() {
        let mut running = facts(TaskStatus::InProgress, Some(7), true);
        running.has_notice = true;
        assert!(available(&running, &reader(7, Role::Operator)).contains(&Transition::Acknowledge));
        assert!(!available(&running, &reader(8, Role::Operator)).contains(&Transition::Acknowledge));
        assert!(
            !available(&running, &reader(1, Role::Supervisor)).contains(&Transition::Acknowledge)
        );
        running.has_notice = false;
        assert!(!available(&running, &reader(7, Role::Operator)).contains(&Transition::Acknowledge));
    }
}
