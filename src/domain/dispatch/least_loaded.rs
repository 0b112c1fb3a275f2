//! `least_loaded`: the operator holding the fewest open tasks; ties go to the one idle longest.

use super::reason::{Reason, Rule};
use super::{pick_least_loaded, Candidate, Choice, OperatorLoad, Strategy, StrategyKind};

pub struct LeastLoaded;

impl Strategy for LeastLoaded {
    fn kind(&self) -> StrategyKind {
        StrategyKind::LeastLoaded
    }

    fn choose(&self, _task: &Candidate, operators: &[OperatorLoad]) -> Option<Choice> {
        let (best, tied) = pick_least_loaded(operators)?;
        Some(Choice {
            operator_id: best.operator_id,
            reason: Reason::new(Rule::LeastLoaded {
                open_tasks: best.open_tasks,
                of: operators.len(),
                tied,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{op, task};
    use super::*;

    #[test]
    fn fewest_open_tasks_wins() {
        let ops = [
            op(1, 3, None, &[]),
            op(2, 2, Some(50), &[]),
            op(3, 4, None, &[]),
            op(4, 5, None, &[]),
            op(5, 6, None, &[]),
        ];
        let c = LeastLoaded.choose(&task(1), &ops).unwrap();
        assert_eq!(c.operator_id, 2);
        assert_eq!(c.why(), "least_loaded: 2 open tasks, fewest of 5 operators");
        assert_eq!(c.why_zh(), "负载最少：在手 2 个任务，5 名操作工中最少");
    }

    #[test]
    fn a_tie_goes_to_the_operator_idle_longest() {
        let ops = [
            op(1, 1, Some(300), &[]),
            op(2, 1, Some(100), &[]),
            op(3, 1, Some(200), &[]),
        ];
        let c = LeastLoaded.choose(&task(1), &ops).unwrap();
        assert_eq!(c.operator_id, 2);
        assert_eq!(
            c.why(),
            "least_loaded: 1 open task, fewest of 3 operators; idle longest of 3 tied"
        );
        // Someone who never worked has been idle longest of all.
        let mut ops = ops.to_vec();
        ops.push(op(9, 1, None, &[]));
        assert_eq!(LeastLoaded.choose(&task(1), &ops).unwrap().operator_id, 9);
    }

    #[test]
    fn the_choice_does_not_depend_on_input_order() {
        let mut ops = vec![
            op(4, 0, None, &[]),
            op(2, 0, None, &[]),
            op(7, 0, None, &[]),
        ];
        assert_eq!(LeastLoaded.choose(&task(1), &ops).unwrap().operator_id, 2);
        ops.reverse();
        assert_eq!(LeastLoaded.choose(&task(1), &ops).unwrap().operator_id, 2);
        assert_eq!(LeastLoaded.choose(&task(1), &[]), None);
    }
}
