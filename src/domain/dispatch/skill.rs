//! `skill`: only operators skilled in the task's process, then the least loaded of them.
//! When nobody has the skill the task stays in the pool for a person to decide.

use super::reason::{Reason, Rule};
use super::{pick_least_loaded, Candidate, Choice, OperatorLoad, Strategy, StrategyKind};

pub struct Skill;

impl Strategy for Skill {
    fn kind(&self) -> StrategyKind {
        StrategyKind::Skill
    }

    fn choose(&self, task: &Candidate, operators: &[OperatorLoad]) -> Option<Choice> {
        let skilled: Vec<OperatorLoad> = operators
            .iter()
            .filter(|o| o.skills.contains(&task.process_id))
            .cloned()
            .collect();
        let (best, tied) = pick_least_loaded(&skilled)?;
        Some(Choice {
            operator_id: best.operator_id,
            reason: Reason::new(Rule::Skill {
                process_code: task.process_code.clone(),
                skilled: skilled.len(),
                of: operators.len(),
                open_tasks: best.open_tasks,
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
    fn only_skilled_operators_are_considered_then_the_least_loaded() {
        let ops = [
            op(1, 0, None, &[7]),
            op(2, 2, None, &[3, 9]),
            op(3, 1, None, &[9]),
            op(4, 4, None, &[9]),
        ];
        let c = Skill.choose(&task(9), &ops).unwrap();
        assert_eq!(c.operator_id, 3, "op1 is idle but cannot do process 9");
        assert_eq!(
            c.why(),
            "skill: 3 of 4 operators can do PRT; 1 open task, fewest of them"
        );
        assert_eq!(
            c.why_zh(),
            "按技能：4 名操作工中 3 人会 PRT；在手 1 个任务，其中最少"
        );
    }

    #[test]
    fn nobody_skilled_leaves_the_task_in_the_pool() {
        let ops = [op(1, 0, None, &[7]), op(2, 0, None, &[])];
        assert_eq!(Skill.choose(&task(9), &ops), None);
    }

    #[test]
    fn skilled_ties_go_to_the_operator_idle_longest() {
        let ops = [op(1, 0, Some(500), &[9]), op(2, 0, Some(100), &[9])];
        let c = Skill.choose(&task(9), &ops).unwrap();
        assert_eq!(c.operator_id, 2);
        assert!(c.why().ends_with("; idle longest of 2 tied"), "{}", c.why());
    }
}
