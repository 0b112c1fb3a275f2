//! Auto-dispatch rules: which operator a pending task goes to under its department's strategy,
//! and the sentence saying why. Pure: it sees the loads and skills it is handed, never the
//! database or the clock. Loading those facts and writing the assignment is `service::dispatch`.

mod least_loaded;
mod reason;
mod round_robin;
mod skill;

pub use least_loaded::LeastLoaded;
pub use reason::Reason;
pub use round_robin::RoundRobin;
pub use skill::Skill;

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A department's dispatch strategy, as stored in `departments.strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StrategyKind {
    /// Tasks wait in the pool until someone claims or assigns them.
    Manual,
    LeastLoaded,
    RoundRobin,
    Skill,
}

impl StrategyKind {
    pub const ALL: [StrategyKind; 4] = [
        StrategyKind::Manual,
        StrategyKind::LeastLoaded,
        StrategyKind::RoundRobin,
        StrategyKind::Skill,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StrategyKind::Manual => "manual",
            StrategyKind::LeastLoaded => "least_loaded",
            StrategyKind::RoundRobin => "round_robin",
            StrategyKind::Skill => "skill",
        }
    }

    /// The strategy that picks operators for this kind; `None` for manual departments.
    /// `rr_cursor` is the operator round robin chose last in this department (0: nobody yet).
    pub fn strategy(self, rr_cursor: i64) -> Option<Box<dyn Strategy>> {
        match self {
            StrategyKind::Manual => None,
            StrategyKind::LeastLoaded => Some(Box::new(LeastLoaded)),
            StrategyKind::RoundRobin => Some(Box::new(RoundRobin { after: rr_cursor })),
            StrategyKind::Skill => Some(Box::new(Skill)),
        }
    }
}

impl FromStr for StrategyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<StrategyKind, String> {
        StrategyKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!("unknown strategy '{s}' (manual, least_loaded, round_robin or skill)")
            })
    }
}

/// Longest auto-assign delay a department may set: a task unclaimed for a whole day needs a
/// person's attention, not a timer.
pub const MAX_DELAY_S: i64 = 86_400;
/// Highest WIP cap: above it a cap would not limit anything a shop floor does.
pub const MAX_WIP_CAP: i64 = 999;

pub fn check_delay(seconds: i64) -> Result<i64, crate::domain::Invalid> {
    if (0..=MAX_DELAY_S).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(crate::domain::Invalid::new(
            "auto_assign_delay_s",
            format!("must be between 0 (at publish) and {MAX_DELAY_S} seconds"),
        ))
    }
}

pub fn check_wip_cap(cap: Option<i64>) -> Result<Option<i64>, crate::domain::Invalid> {
    match cap {
        Some(c) if !(1..=MAX_WIP_CAP).contains(&c) => Err(crate::domain::Invalid::new(
            "wip_cap",
            format!("must be between 1 and {MAX_WIP_CAP}, or null for no cap"),
        )),
        _ => Ok(cap),
    }
}

/// The task waiting to be dispatched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub task_id: i64,
    pub process_id: i64,
    pub process_code: String,
}

/// One active operator of the task's department, as loaded now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorLoad {
    pub operator_id: i64,
    pub name: String,
    /// Tasks they hold (assigned, in progress or paused), in any department.
    pub open_tasks: i64,
    /// When they last took or finished a task; `None` (never) counts as idle longest.
    pub last_active_at: Option<i64>,
    /// Process ids they are skilled in.
    pub skills: Vec<i64>,
}

/// Whom a strategy picked and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub operator_id: i64,
    pub reason: Reason,
}

/// One way of choosing an operator. Implementations see only operators under the WIP cap
/// ([`dispatch`] removes the others) and must be deterministic: same input, same choice.
pub trait Strategy: Send + Sync {
    fn kind(&self) -> StrategyKind;
    fn choose(&self, task: &Candidate, operators: &[OperatorLoad]) -> Option<Choice>;
}

/// Applies the department's WIP cap, then the strategy. Nobody at the cap is ever picked.
pub fn dispatch(
    strategy: &dyn Strategy,
    task: &Candidate,
    operators: &[OperatorLoad],
    wip_cap: Option<i64>,
) -> Option<Choice> {
    let (under, at_cap): (Vec<OperatorLoad>, Vec<OperatorLoad>) = operators
        .iter()
        .cloned()
        .partition(|o| wip_cap.is_none_or(|cap| o.open_tasks < cap));
    let mut choice = strategy.choose(task, &under)?;
    if let Some(cap) = wip_cap.filter(|_| !at_cap.is_empty()) {
        choice.reason.skipped_at_cap = Some((at_cap.len(), cap));
    }
    Some(choice)
}

/// The least loaded of `operators`: fewest open tasks, then idle longest (never active
/// first), then lowest id so the result never depends on input order. Also returns how many
/// shared the lowest load.
pub(crate) fn pick_least_loaded(operators: &[OperatorLoad]) -> Option<(&OperatorLoad, usize)> {
    let best = operators.iter().min_by_key(|o| {
        (
            o.open_tasks,
            o.last_active_at.unwrap_or(i64::MIN),
            o.operator_id,
        )
    })?;
    let tied = operators
        .iter()
        .filter(|o| o.open_tasks == best.open_tasks)
        .count();
    Some((best, tied))
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// An operator with `open` tasks, last active at `at`, skilled in `skills`.
    pub fn op(id: i64, open: i64, at: Option<i64>, skills: &[i64]) -> OperatorLoad {
        OperatorLoad {
            operator_id: id,
            name: format!("op{id}"),
            open_tasks: open,
            last_active_at: at,
            skills: skills.to_vec(),
        }
    }

    pub fn task(process_id: i64) -> Candidate {
        Candidate {
            task_id: 1,
            process_id,
            process_code: "PRT".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn nobody_at_the_wip_cap_is_picked() {
        let ops = [
            op(1, 2, None, &[]),
            op(2, 3, None, &[]),
            op(3, 5, None, &[]),
        ];
        for kind in [
            StrategyKind::LeastLoaded,
            StrategyKind::RoundRobin,
            StrategyKind::Skill,
        ] {
            let s = kind.strategy(0).unwrap();
            assert_eq!(
                dispatch(s.as_ref(), &task(9), &ops, Some(2)),
                None,
                "{kind:?}"
            );
        }
        let s = StrategyKind::RoundRobin.strategy(0).unwrap();
        let choice = dispatch(s.as_ref(), &task(9), &ops, Some(4)).unwrap();
        assert_eq!(choice.operator_id, 1);
        let choice = dispatch(s.as_ref(), &task(9), &ops[1..], Some(4)).unwrap();
        assert_eq!(choice.operator_id, 2);
        assert!(
            choice.why().ends_with("; 1 at the WIP cap of 4 skipped"),
            "{}",
            choice.why()
        );
    }

    #[test]
    fn manual_has_no_strategy_and_names_round_trip() {
        assert!(StrategyKind::Manual.strategy(0).is_none());
        for k in StrategyKind::ALL {
            assert_eq!(k.as_str().parse::<StrategyKind>(), Ok(k));
            if let Some(s) = k.strategy(0) {
                assert_eq!(s.kind(), k);
            }
        }
        assert!("fastest".parse::<StrategyKind>().is_err());
    }
}
