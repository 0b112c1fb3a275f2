//! Why a strategy chose an operator: the facts, and the sentence in English and 简体中文 that
//! history shows. The facts travel in the event too, so a client can word them its own way.

use super::Choice;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    #[serde(flatten)]
    pub rule: Rule,
    /// How many operators were left out for being at the cap, and the cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped_at_cap: Option<(usize, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "strategy", rename_all = "snake_case")]
pub enum Rule {
    /// Fewest open tasks among `of` operators; `tied` shared that load (idle longest won).
    LeastLoaded {
        open_tasks: i64,
        of: usize,
        tied: usize,
    },
    /// Turn `position` (1-based, by operator id) of `of`, coming after `after`.
    RoundRobin {
        position: usize,
        of: usize,
        after: Option<String>,
    },
    /// `skilled` of `of` operators have the process; of those the least loaded.
    Skill {
        process_code: String,
        skilled: usize,
        of: usize,
        open_tasks: i64,
        tied: usize,
    },
}

impl Reason {
    pub fn new(rule: Rule) -> Reason {
        Reason {
            rule,
            skipped_at_cap: None,
        }
    }
}

fn plural(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Choice {
    /// The English sentence, e.g. "least_loaded: 2 open tasks, fewest of 5 operators".
    pub fn why(&self) -> String {
        let tie = |tied: usize| {
            if tied > 1 {
                format!("; idle longest of {tied} tied")
            } else {
                String::new()
            }
        };
        let mut s = match &self.reason.rule {
            Rule::LeastLoaded {
                open_tasks,
                of,
                tied,
            } => format!(
                "least_loaded: {}, fewest of {}{}",
                plural(*open_tasks, "open task", "open tasks"),
                plural(count(*of), "operator", "operators"),
                tie(*tied)
            ),
            Rule::RoundRobin {
                position,
                of,
                after,
            } => {
                let after = after
                    .as_ref()
                    .map(|a| format!(", after {a}"))
                    .unwrap_or_default();
                format!(
                    "round_robin: turn {position} of {}{after}",
                    plural(count(*of), "operator", "operators")
                )
            }
            Rule::Skill {
                process_code,
                skilled,
                of,
                open_tasks,
                tied,
            } => format!(
                "skill: {skilled} of {} can do {process_code}; {}, fewest of them{}",
                plural(count(*of), "operator", "operators"),
                plural(*open_tasks, "open task", "open tasks"),
                tie(*tied)
            ),
        };
        if let Some((n, cap)) = self.reason.skipped_at_cap {
            s += &format!("; {n} at the WIP cap of {cap} skipped");
        }
        s
    }

    /// The same sentence in 简体中文.
    pub fn why_zh(&self) -> String {
        let tie = |tied: usize| {
            if tied > 1 {
                format!("；{tied} 人并列，取空闲最久者")
            } else {
                String::new()
            }
        };
        let mut s = match &self.reason.rule {
            Rule::LeastLoaded {
                open_tasks,
                of,
                tied,
            } => format!(
                "负载最少：在手 {open_tasks} 个任务，{of} 名操作工中最少{}",
                tie(*tied)
            ),
            Rule::RoundRobin {
                position,
                of,
                after,
            } => {
                let after = after
                    .as_ref()
                    .map(|a| format!("（上一位：{a}）"))
                    .unwrap_or_default();
                format!("轮流分配：{of} 名操作工中轮到第 {position} 位{after}")
            }
            Rule::Skill {
                process_code,
                skilled,
                of,
                open_tasks,
                tied,
            } => format!(
                "按技能：{of} 名操作工中 {skilled} 人会 {process_code}；在手 {open_tasks} 个任务，其中最少{}",
                tie(*tied)
            ),
        };
        if let Some((n, cap)) = self.reason.skipped_at_cap {
            s += &format!("；{n} 人已达在制上限 {cap}，跳过");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UI's own word for `key` in 简体中文.
    fn ui_zh(key: &str) -> String {
        let ui: serde_json::Value =
            serde_json::from_str(include_str!("../../../assets/i18n/zh-CN.json")).unwrap();
        ui[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key}"))
            .to_owned()
    }

    fn choice(rule: Rule) -> Choice {
        Choice {
            operator_id: 1,
            reason: Reason {
                rule,
                skipped_at_cap: Some((1, 3)),
            },
        }
    }

    #[test]
    fn the_chinese_sentences_use_the_words_the_screens_use() {
        let rules = [
            (
                "strategy.least_loaded",
                Rule::LeastLoaded {
                    open_tasks: 1,
                    of: 3,
                    tied: 2,
                },
            ),
            (
                "strategy.round_robin",
                Rule::RoundRobin {
                    position: 2,
                    of: 3,
                    after: Some("张师傅".into()),
                },
            ),
            (
                "strategy.skill",
                Rule::Skill {
                    process_code: "PRT".into(),
                    skilled: 2,
                    of: 3,
                    open_tasks: 0,
                    tied: 1,
                },
            ),
        ];
        let operator = ui_zh("role.operator");
        let cap = ui_zh("admin.wip_cap");
        for (strategy, rule) in rules {
            let zh = choice(rule).why_zh();
            assert!(zh.starts_with(&format!("{}：", ui_zh(strategy))), "{zh}");
            assert!(zh.contains(&format!("名{operator}")), "{zh}");
            assert!(zh.ends_with(&format!("1 人已达{cap} 3，跳过")), "{zh}");
        }
    }
}
