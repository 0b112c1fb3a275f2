//! The one place that decides visibility: which tasks, work orders and events an actor may
//! see, and which fields (prices, amounts) are removed for them. Lists, details, history,
//! stats and the WebSocket all ask this module; none keeps rules of its own.

use super::Actor;
use crate::domain::Role;
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
    pub fn of(actor: &Actor) -> Scope {
        Scope {
            role: actor.role,
            user_id: actor.id,
            departments: actor.department_ids.clone(),
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

    fn actor(role: Role, departments: Vec<i64>) -> Actor {
        Actor {
            id: 7,
            username: "u".into(),
            display_name: "u".into(),
            role,
            department_ids: departments,
            locale: None,
        }
    }

    #[test]
    fn prices_are_removed_at_any_depth_for_the_shop_floor() {
        let mut v = serde_json::json!({"unit_price": 1.5, "items": [{"amount": 3, "number": "x"}]});
        Scope::of(&actor(Role::Operator, vec![1])).mask(&mut v);
        assert_eq!(v, serde_json::json!({"items": [{"number": "x"}]}));
        let mut v = serde_json::json!({"unit_price": 1.5});
        Scope::of(&actor(Role::Maker, vec![])).mask(&mut v);
        assert_eq!(v["unit_price"], 1.5);
    }

    #[test]
    fn operators_see_their_pool_and_their_own_tasks() {
        let s = Scope::of(&actor(Role::Operator, vec![1]));
        assert!(s.sees_task(1, "pending", None));
        assert!(!s.sees_task(1, "draft", None));
        assert!(!s.sees_task(1, "assigned", Some(8)));
        assert!(s.sees_task(2, "in_progress", Some(7)));
        assert!(!s.sees_task(2, "pending", None));
        assert!(s.sees_event(Some(1), None, &[]));
        assert!(!s.sees_event(Some(2), Some(8), &[]));
    }

    #[test]
    fn supervisors_see_their_departments() {
        let s = Scope::of(&actor(Role::Supervisor, vec![1, 3]));
        assert!(s.sees_task(3, "assigned", Some(9)));
        assert!(!s.sees_task(2, "pending", None));
        assert!(s.task_predicate().contains("IN (1,3)"));
        let nobody = Scope::of(&actor(Role::Supervisor, vec![]));
        assert!(nobody.task_predicate().contains("IN (NULL)"));
    }
}
