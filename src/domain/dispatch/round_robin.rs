//! `round_robin`: operators take turns in the order of their ids, starting after the one the
//! department's cursor names. The cursor is an operator id, not an index, so people joining
//! or leaving the department do not shift whose turn it is.

use super::reason::{Reason, Rule};
use super::{Candidate, Choice, OperatorLoad, Strategy, StrategyKind};

pub struct RoundRobin {
    /// The operator chosen last (0: nobody yet).
    pub after: i64,
}

impl Strategy for RoundRobin {
    fn kind(&self) -> StrategyKind {
        StrategyKind::RoundRobin
    }

    fn choose(&self, _task: &Candidate, operators: &[OperatorLoad]) -> Option<Choice> {
        let mut turn: Vec<&OperatorLoad> = operators.iter().collect();
        turn.sort_by_key(|o| o.operator_id);
        let position = turn
            .iter()
            .position(|o| o.operator_id > self.after)
            .unwrap_or(0);
        let next = turn.get(position)?;
        let after = operators
            .iter()
            .find(|o| o.operator_id == self.after)
            .map(|o| o.name.clone());
        Some(Choice {
            operator_id: next.operator_id,
            reason: Reason::new(Rule::RoundRobin {
                position: position + 1,
                of: turn.len(),
                after,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{op, task};
    use super::*;

    fn turns(mut after: i64, ops: &[OperatorLoad], n: usize) -> Vec<i64> {
        (0..n)
            .map(|_| {
                let c = RoundRobin { after }.choose(&task(1), ops).unwrap();
                after = c.operator_id;
                c.operator_id
            })
            .collect()
    }

    #[test]
    fn operators_take_turns_by_id_and_wrap_around() {
        let ops = [
            op(30, 9, None, &[]),
            op(10, 0, None, &[]),
            op(20, 5, None, &[]),
        ];
        assert_eq!(turns(0, &ops, 5), [10, 20, 30, 10, 20]);
        let c = RoundRobin { after: 10 }.choose(&task(1), &ops).unwrap();
        assert_eq!(c.why(), "round_robin: turn 2 of 3 operators, after op10");
        assert_eq!(
            c.why_zh(),
            "轮流分配：3 名操作工中轮到第 2 位（上一位：op10）"
        );
    }

    #[test]
    fn a_cursor_whose_operator_left_continues_with_the_next_id() {
        let ops = [op(10, 0, None, &[]), op(30, 0, None, &[])];
        let c = RoundRobin { after: 20 }.choose(&task(1), &ops).unwrap();
        assert_eq!(c.operator_id, 30);
        assert_eq!(c.why(), "round_robin: turn 2 of 2 operators");
        assert_eq!(
            RoundRobin { after: 99 }
                .choose(&task(1), &ops)
                .unwrap()
                .operator_id,
            10
        );
        assert_eq!(RoundRobin { after: 0 }.choose(&task(1), &[]), None);
    }
}
