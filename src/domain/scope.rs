//! The one place that decides visibility: which tasks, work orders and events an actor may
//! see, and which fields (prices, amounts) are removed for them. Lists, details, history,
//! stats and the WebSocket all ask this module; none keeps rules of its own.

use super::event::{audience, Event};
use super::Role;
use serde_json::Value;

/// JSON keys that carry money; removed (not nulled) for roles that may not see prices.
pub const PRICE_KEYS: &[&str] = &["unit_price", "amount"];

#[derive(Debug, Clone)]
pub struct Scope {
    role: Role,
    user_id: i64,
    departments: Vec<i64>,
}

impl Scope {
    /// The reader the task rules (`domain::actions`) see for a task of `department_id`.
    pub fn reader(&self, department_id: i64) -> super::actions::Reader {
        super::actions::Reader {
            id: self.user_id,
            role: self.role,
            in_department: self.departments.contains(&department_id),
        }
    }

    pub fn new(role: Role, user_id: i64, departments: Vec<i64>) -> Scope {
        Scope {
            role,
            user_id,
            departments,
        }
    }

    /// Admin, manager and maker see every order and every task.
    pub fn sees_everything(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager | Role::Maker)
    }

    pub fn sees_prices(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager | Role::Maker)
    }

    fn department_list(&self) -> String {
        if self.departments.is_empty() {
            return "NULL".to_owned();
        }
        self.departments
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// SQL predicate over the tasks table aliased `t`. Ids are integers from the database,
    /// so inlining them is safe.
    pub fn task_predicate(&self) -> String {
        match self.role {
            Role::Admin | Role::Manager | Role::Maker => "1".to_owned(),
            Role::Supervisor => format!(
                "(t.department_id IN ({}) AND t.status <> 'draft')",
                self.department_list()
            ),
            Role::Operator => format!(
                "((t.department_id IN ({}) AND t.status = 'pending') OR t.operator_id = {})",
                self.department_list(),
                self.user_id
            ),
        }
    }

    /// The departments outside which this actor sees no task, or `None` when tasks of any
    /// department may be visible (to everyone above supervisors, and to operators, who see
    /// the tasks they hold wherever they are). Lets a list split its query by department.
    pub fn task_departments(&self) -> Option<Vec<i64>> {
        (self.role == Role::Supervisor).then(|| self.departments.clone())
    }

    /// SQL predicate over the work_orders table aliased `w`: an order is visible when one of
    /// its tasks is.
    pub fn work_order_predicate(&self) -> String {
        if self.sees_everything() {
            return "1".to_owned();
        }
        let tasks = self.task_predicate();
        format!("EXISTS (SELECT 1 FROM tasks t WHERE t.work_order_id = w.id AND {tasks})")
    }

    /// SQL predicate over the events table aliased `e`, for a work order's history the actor
    /// may already see: the order's own events, and the events of the tasks the actor sees.
    pub fn history_predicate(&self) -> String {
        if self.sees_everything() {
            return "1".to_owned();
        }
        format!(
            "(e.task_id IS NULL OR EXISTS (SELECT 1 FROM tasks t WHERE t.id = e.task_id AND {}))",
            self.task_predicate()
        )
    }

    /// The departments whose workload this actor may see; `None` for every department.
    pub fn workload_departments(&self) -> Option<Vec<i64>> {
        (!self.sees_everything()).then(|| self.departments.clone())
    }

    /// SQL predicate over the workload tally (schema.sql) aliased `t`, whose department_id,
    /// operator_id (0 for nobody) and status mirror the task's: the stats count exactly the
    /// tasks `task_predicate` lets the actor list.
    pub fn tally_predicate(&self) -> String {
        self.task_predicate()
    }

    /// SQL predicate over the daily claims and completions aliased `t`: supervisors see their
    /// departments' activity, operators their own.
    pub fn activity_predicate(&self) -> String {
        match self.role {
            Role::Admin | Role::Manager | Role::Maker => "1".to_owned(),
            Role::Supervisor => format!("t.department_id IN ({})", self.department_list()),
            Role::Operator => format!("t.operator_id = {}", self.user_id),
        }
    }

    /// Whether this actor may read how many tasks each operator of a department holds (the
    /// board's bars against the WIP cap): the people who direct that department's work.
    pub fn sees_operator_loads(&self, department_id: i64) -> bool {
        match self.role {
            Role::Admin | Role::Manager => true,
            Role::Supervisor => self.departments.contains(&department_id),
            Role::Maker | Role::Operator => false,
        }
    }

    /// Whether this actor may see one person's workload row: operators only their own.
    pub fn sees_workload_of(&self, user_id: i64) -> bool {
        self.role != Role::Operator || user_id == self.user_id
    }

    /// Whether an event about these rows reaches this actor (WebSocket and history).
    pub fn sees_event(
        &self,
        department_id: Option<i64>,
        operator_id: Option<i64>,
        audience: &[i64],
    ) -> bool {
        if self.sees_everything() || audience.contains(&self.user_id) {
            return true;
        }
        if operator_id == Some(self.user_id) {
            return true;
        }
        match department_id {
            Some(d) => self.departments.contains(&d),
            None => false,
        }
    }

    /// Whether a logged event reaches this actor. Like [`Scope::sees_event`], except that an
    /// event carrying a draft task stays with those who see drafts (as [`Scope::sees_task`]).
    pub fn reaches(&self, reach: &Reach) -> bool {
        if reach.draft_task && !self.sees_everything() && !reach.audience.contains(&self.user_id) {
            return false;
        }
        self.sees_event(reach.department_id, reach.operator_id, &reach.audience)
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// Whether a single task is visible, given its department, status and operator.
    pub fn sees_task(&self, department_id: i64, status: &str, operator_id: Option<i64>) -> bool {
        match self.role {
            Role::Admin | Role::Manager | Role::Maker => true,
            Role::Supervisor => self.departments.contains(&department_id) && status != "draft",
            Role::Operator => {
                operator_id == Some(self.user_id)
                    || (self.departments.contains(&department_id) && status == "pending")
            }
        }
    }

    /// Removes every price key, at any depth, when this actor may not see prices.
    pub fn mask(&self, value: &mut Value) {
        if self.sees_prices() {
            return;
        }
        strip_prices(value);
    }
}

/// Who a logged event is about and addressed to: what [`Scope::reaches`] decides on. Read
/// once per event, so fanning one event out to many clients does not re-read its JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub department_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub audience: Vec<i64>,
    /// The event carries a snapshot of a task still in draft.
    pub draft_task: bool,
}

impl Reach {
    pub fn of(event: &Event) -> Reach {
        Reach {
            department_id: event.department_id,
            operator_id: event.operator_id,
            audience: audience(&event.data),
            draft_task: event.data.pointer("/task/status").and_then(Value::as_str) == Some("draft"),
        }
    }
}

/// A copy of `value` without price keys, or `None` when it holds none: the version of a
/// value for every actor whose scope does not see prices.
pub fn without_prices(value: &Value) -> Option<Value> {
    let mut copy = value.clone();
    strip_prices(&mut copy);
    (copy != *value).then_some(copy)
}

fn strip_prices(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in PRICE_KEYS {
                map.remove(*key);
            }
            map.values_mut().for_each(strip_prices);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_prices),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, departments: Vec<i64>) -> Scope {
        Scope::new(role, 7, departments)
    }

    #[test]
    fn prices_are_removed_at_any_depth_for_the_shop_floor() {
        let mut v = serde_json::json!({"unit_price": 1.5, "items": [{"amount": 3, "number": "x"}]});
        actor(Role::Operator, vec![1]).mask(&mut v);
        assert_eq!(v, serde_json::json!({"items": [{"number": "x"}]}));
        let mut v = serde_json::json!({"unit_price": 1.5});
        actor(Role::Maker, vec![]).mask(&mut v);
        assert_eq!(v["unit_price"], 1.5);
    }

    #[test]
    fn operators_see_their_pool_and_their_own_tasks() {
        let s = actor(Role::Operator, vec![1]);
        assert!(s.sees_task(1, "pending", None));
        assert!(!s.sees_task(1, "draft", None));
        assert!(!s.sees_task(1, "assigned", Some(8)));
        assert!(s.sees_task(2, "in_progress", Some(7)));
        assert!(!s.sees_task(2, "pending", None));
        assert!(s.sees_event(Some(1), None, &[]));
        assert!(!s.sees_event(Some(2), Some(8), &[]));
    }

    #[test]
    fn draft_task_events_stay_with_those_who_see_drafts() {
        let draft = Reach {
            department_id: Some(1),
            draft_task: true,
            ..Reach::default()
        };
        assert!(!actor(Role::Operator, vec![1]).reaches(&draft));
        assert!(!actor(Role::Supervisor, vec![1]).reaches(&draft));
        assert!(actor(Role::Manager, vec![]).reaches(&draft));
        let published = Reach {
            draft_task: false,
            ..draft.clone()
        };
        assert!(actor(Role::Operator, vec![1]).reaches(&published));
        assert!(!actor(Role::Operator, vec![2]).reaches(&published));
        let addressed = Reach {
            department_id: None,
            audience: vec![7],
            ..Reach::default()
        };
        assert!(actor(Role::Operator, vec![2]).reaches(&addressed));
    }

    #[test]
    fn supervisors_see_their_departments() {
        let s = actor(Role::Supervisor, vec![1, 3]);
        assert!(s.sees_task(3, "assigned", Some(9)));
        assert!(!s.sees_task(2, "pending", None));
        assert!(s.task_predicate().contains("IN (1,3)"));
        let nobody = actor(Role::Supervisor, vec![]);
        assert!(nobody.task_predicate().contains("IN (NULL)"));
        assert_eq!(s.task_departments(), Some(vec![1, 3]));
    }

    #[test]
    fn only_supervisors_are_bounded_to_their_departments() {
        // An operator holding a task of a department they left still sees it.
        let op = actor(Role::Operator, vec![1]);
        assert!(op.sees_task(2, "assigned", Some(7)));
        assert_eq!(op.task_departments(), None);
        assert_eq!(actor(Role::Admin, vec![1]).task_departments(), None);
    }
}
