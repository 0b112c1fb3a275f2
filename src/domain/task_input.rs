//! What clients send to work and dispatch tasks (progress reports, assignments, reasons,
//! batches), and the checks that turn it into input the services trust. No I/O: whether a
//! scrap reason code or an operator exists is the service's to check.

use super::work_order::{check_long, MAX_QUANTITY};
use super::{Invalid, Rule};
use serde::Deserialize;

/// Most ids one batch may name; a screenful of selected rows is far below it.
pub const MAX_BATCH: usize = 500;

/// A progress report: quantities done since the last report (deltas, not totals).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    #[serde(default)]
    pub good: i64,
    #[serde(default)]
    pub scrap: i64,
    #[serde(default)]
    pub scrap_reason: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// A checked report: at least one piece, and a reason code whenever there is scrap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub good: i64,
    pub scrap: i64,
    pub scrap_reason: Option<String>,
    pub note: String,
}

fn check_count(field: &str, value: i64) -> Result<i64, Invalid> {
    if !(0..=MAX_QUANTITY).contains(&value) {
        return Err(Invalid::new(
            field,
            format!("must be a whole number from 0 to {MAX_QUANTITY}"),
        )
        .breaking(Rule::Range {
            min: 0,
            max: MAX_QUANTITY,
        }));
    }
    Ok(value)
}

impl ProgressInput {
    pub fn check(&self) -> Result<Report, Invalid> {
        let good = check_count("good", self.good)?;
        let scrap = check_count("scrap", self.scrap)?;
        if good + scrap == 0 {
            return Err(Invalid::new(
                "good",
                "report at least one good or scrap piece",
            ));
        }
        let scrap_reason = match self.scrap_reason.as_deref().map(str::trim) {
            _ if scrap == 0 => None,
            Some(code) if !code.is_empty() => Some(code.to_ascii_uppercase()),
            _ => {
                return Err(Invalid::new(
                    "scrap_reason",
                    "scrap needs a reason code (GET /api/v1/scrap-reasons)",
                )
                .breaking(Rule::Required))
            }
        };
        Ok(Report {
            good,
            scrap,
            scrap_reason,
            note: check_long("note", &self.note)?,
        })
    }
}

/// `POST /tasks/{id}/complete`: the task's final totals. What was reported before counts
/// toward them; the difference is reported with the completion.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteInput {
    /// All good pieces (in the task's unit) the task made, reports before included.
    #[schemars(range(min = 0, max = 1_000_000_000))]
    pub good_total: i64,
    /// All scrap, reports before included; defaults to what was reported.
    #[serde(default)]
    #[schemars(range(min = 0, max = 1_000_000_000))]
    pub scrap_total: Option<i64>,
    /// Needed when the totals add scrap.
    #[serde(default)]
    pub scrap_reason: Option<String>,
    /// Needed when the good total is below the task's quantity: why it finished short.
    #[serde(default)]
    #[schemars(length(max = 4000))]
    pub shortfall_reason: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 4000))]
    pub note: String,
}

/// A checked completion, before it is compared with what the task has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub good_total: i64,
    pub scrap_total: Option<i64>,
    pub scrap_reason: Option<String>,
    pub shortfall_reason: Option<String>,
    pub note: String,
}

impl CompleteInput {
    pub fn check(&self) -> Result<Completion, Invalid> {
        let shortfall_reason = check_long(
            "shortfall_reason",
            self.shortfall_reason.as_deref().unwrap_or(""),
        )?;
        Ok(Completion {
            good_total: check_count("good_total", self.good_total)?,
            scrap_total: self
                .scrap_total
                .map(|v| check_count("scrap_total", v))
                .transpose()?,
            scrap_reason: self
                .scrap_reason
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_ascii_uppercase),
            shortfall_reason: (!shortfall_reason.is_empty()).then_some(shortfall_reason),
            note: check_long("note", &self.note)?,
        })
    }
}

impl Completion {
    /// The report that brings the task from `good`/`scrap` so far to these totals, or why
    /// not: totals below what was reported, scrap without a reason, or a good total below
    /// `quantity` without a shortfall reason.
    pub fn report(&self, good: i64, scrap: i64, quantity: i64) -> Result<Report, Invalid> {
        let scrap_total = self.scrap_total.unwrap_or(scrap);
        if self.good_total < good {
            return Err(Invalid::new(
                "good_total",
                format!("{good} good are reported already; the total cannot be less"),
            )
            .breaking(Rule::Range {
                min: good,
                max: MAX_QUANTITY,
            }));
        }
        if scrap_total < scrap {
            return Err(Invalid::new(
                "scrap_total",
                format!("{scrap} scrap are reported already; the total cannot be less"),
            )
            .breaking(Rule::Range {
                min: scrap,
                max: MAX_QUANTITY,
            }));
        }
        let added_scrap = scrap_total - scrap;
        if added_scrap > 0 && self.scrap_reason.is_none() {
            return Err(Invalid::new(
                "scrap_reason",
                "scrap needs a reason code (GET /api/v1/scrap-reasons)",
            )
            .breaking(Rule::Required));
        }
        if self.good_total < quantity && self.shortfall_reason.is_none() {
            return Err(Invalid::new(
                "shortfall_reason",
                format!(
                    "{} good of {quantity} planned: say why the task finishes short",
                    self.good_total
                ),
            )
            .breaking(Rule::Required));
        }
        Ok(Report {
            good: self.good_total - good,
            scrap: added_scrap,
            scrap_reason: self.scrap_reason.clone().filter(|_| added_scrap > 0),
            note: self.note.clone(),
        })
    }
}

/// `POST /tasks/{id}/handover`: the next operator, and a note for them (shift change).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverInput {
    pub operator_id: i64,
    #[serde(default)]
    #[schemars(length(max = 4000))]
    pub note: String,
}

/// `POST /tasks/{id}/split`: how much of the unstarted remainder moves to a new task, and
/// to whom (left in the pool when no one is named).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitInput {
    /// In the task's own unit.
    #[schemars(range(min = 1, max = 1_000_000_000))]
    pub quantity: i64,
    #[serde(default)]
    pub operator_id: Option<i64>,
    #[serde(default)]
    #[schemars(length(max = 4000))]
    pub reason: String,
}

/// `POST /tasks/{id}/assign`: who, and why (required when taking the task from someone).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    pub operator_id: i64,
    #[serde(default)]
    pub reason: String,
}

/// A body that carries only a reason (unassign, cancel).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    #[serde(default)]
    pub reason: String,
}

/// Checks a reason's text; `required` refuses an empty one.
pub fn check_reason(value: &str, required: bool, why: &str) -> Result<String, Invalid> {
    let reason = check_long("reason", value)?;
    if required && reason.is_empty() {
        return Err(Invalid::new("reason", format!("say why {why}")).breaking(Rule::Required));
    }
    Ok(reason)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchAction {
    Publish,
    Assign,
    DeleteDrafts,
    Cancel,
}

impl BatchAction {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchAction::Publish => "publish",
            BatchAction::Assign => "assign",
            BatchAction::DeleteDrafts => "delete_drafts",
            BatchAction::Cancel => "cancel",
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    pub action: BatchAction,
    pub ids: Vec<i64>,
    #[serde(default)]
    pub operator_id: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

/// A checked batch: distinct ids, the operator an assignment needs, a reason a cancel needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub action: BatchAction,
    pub ids: Vec<i64>,
    pub operator_id: Option<i64>,
    pub reason: String,
}

impl BatchInput {
    pub fn check(&self) -> Result<Batch, Invalid> {
        if self.ids.is_empty() || self.ids.len() > MAX_BATCH {
            return Err(Invalid::new(
                "ids",
                format!("name from 1 to {MAX_BATCH} tasks"),
            ));
        }
        for (i, id) in self.ids.iter().enumerate() {
            if self.ids[..i].contains(id) {
                return Err(
                    Invalid::new(format!("ids[{i}]"), format!("task {id} appears twice"))
                        .breaking(Rule::Duplicate),
                );
            }
        }
        let operator_id = match (self.action, self.operator_id) {
            (BatchAction::Assign, None) => {
                return Err(
                    Invalid::new("operator_id", "say who the tasks go to").breaking(Rule::Required)
                )
            }
            (BatchAction::Assign, some) => some,
            (_, Some(_)) => {
                return Err(Invalid::new(
                    "operator_id",
                    "only an assign batch takes an operator",
                ))
            }
            (_, None) => None,
        };
        let reason = check_reason(
            &self.reason,
            self.action == BatchAction::Cancel,
            "the tasks are cancelled",
        )?;
        Ok(Batch {
            action: self.action,
            ids: self.ids.clone(),
            operator_id,
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(good: i64, scrap: i64, reason: Option<&str>) -> Result<Report, Invalid> {
        ProgressInput {
            good,
            scrap,
            scrap_reason: reason.map(str::to_owned),
            note: String::new(),
        }
        .check()
    }

    #[test]
    fn scrap_needs_a_reason_and_good_does_not() {
        assert_eq!(report(10, 0, None).unwrap().good, 10);
        assert_eq!(report(0, 3, None).unwrap_err().field, "scrap_reason");
        assert_eq!(report(0, 3, Some("  ")).unwrap_err().field, "scrap_reason");
        let r = report(5, 3, Some(" make_ready ")).unwrap();
        assert_eq!(r.scrap_reason.as_deref(), Some("MAKE_READY"));
        // A reason without scrap is dropped rather than stored against nothing.
        assert_eq!(report(5, 0, Some("DEFECT")).unwrap().scrap_reason, None);
    }

    #[test]
    fn reports_are_non_negative_and_not_empty() {
        assert_eq!(report(-1, 0, None).unwrap_err().field, "good");
        assert_eq!(report(1, -1, Some("DEFECT")).unwrap_err().field, "scrap");
        assert_eq!(report(0, 0, None).unwrap_err().field, "good");
        assert_eq!(report(MAX_QUANTITY + 1, 0, None).unwrap_err().field, "good");
    }

    fn batch(
        action: BatchAction,
        ids: Vec<i64>,
        operator_id: Option<i64>,
        reason: &str,
    ) -> Result<Batch, Invalid> {
        BatchInput {
            action,
            ids,
            operator_id,
            reason: reason.into(),
        }
        .check()
    }

    #[test]
    fn batches_name_distinct_tasks_and_what_their_action_needs() {
        assert!(batch(BatchAction::Publish, vec![1, 2], None, "").is_ok());
        assert_eq!(
            batch(BatchAction::Publish, vec![], None, "")
                .unwrap_err()
                .field,
            "ids"
        );
        assert_eq!(
            batch(BatchAction::Publish, vec![1, 2, 1], None, "")
                .unwrap_err()
                .field,
            "ids[2]"
        );
        assert_eq!(
            batch(BatchAction::Assign, vec![1], None, "")
                .unwrap_err()
                .field,
            "operator_id"
        );
        assert_eq!(
            batch(BatchAction::Cancel, vec![1], Some(3), "x")
                .unwrap_err()
                .field,
            "operator_id"
        );
        assert_eq!(
            batch(BatchAction::Cancel, vec![1], None, "")
                .unwrap_err()
                .field,
            "reason"
        );
        assert!(batch(BatchAction::Cancel, vec![1], None, "客户取消").is_ok());
        let too_many: Vec<i64> = (0..=MAX_BATCH as i64).collect();
        assert_eq!(
            batch(BatchAction::Cancel, too_many, None, "x")
                .unwrap_err()
                .field,
            "ids"
        );
    }
}
