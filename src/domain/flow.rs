//! How work flows through a print job: each line counts in its unit (plates, sheets,
//! pieces), takes its work from the lines it needs, and converts what they hand on (a sheet
//! printed 4-up is 4 pieces). A plate prerequisite is a gate: nothing passes until it is
//! complete. Order gates (proof approved, paper ready) hold a task until ticked. Pure: the
//! service loads an order, calls [`derive`] and keeps the answer on the task rows.

use super::TaskStatus;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Plate,
    Sheet,
    Piece,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Plate => "plate",
            Unit::Sheet => "sheet",
            Unit::Piece => "piece",
        }
    }
}

impl FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Unit, String> {
        match s {
            "plate" => Ok(Unit::Plate),
            "sheet" => Ok(Unit::Sheet),
            "piece" => Ok(Unit::Piece),
            _ => Err(format!("unknown unit '{s}' (plate, sheet or piece)")),
        }
    }
}

/// `quantity` of `from` as `to`, with `ups` pieces on a sheet; `None` when the one does not
/// become the other (plates): such a prerequisite is a gate.
pub fn convert(quantity: i64, from: Unit, to: Unit, ups: i64) -> Option<i64> {
    let ups = ups.max(1);
    match (from, to) {
        (Unit::Plate, _) | (_, Unit::Plate) => None,
        (Unit::Sheet, Unit::Piece) => Some(quantity.saturating_mul(ups)),
        (Unit::Piece, Unit::Sheet) => Some(quantity / ups),
        _ => Some(quantity),
    }
}

/// A line of the order, as the flow sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub id: i64,
    pub step: i64,
    /// The lines it takes work from; `None`: every line of the nearest lower step.
    pub needs: Option<Vec<i64>>,
    pub unit: Unit,
    pub process_code: String,
    pub removed: bool,
}

/// A task of the order, as the flow sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: i64,
    pub line_id: i64,
    pub part: String,
    pub status: TaskStatus,
    pub quantity: i64,
    pub good: i64,
    pub scrap: i64,
    /// The order gates its process waits for that are not ticked yet.
    pub open_gates: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// A prerequisite step has handed on nothing yet (or, as a gate, is not complete).
    Step,
    /// An order gate is not ticked.
    Gate,
}

/// What a task waits for, with figures: for a step, how much has reached the task (`have`)
/// of its quantity (`need`), or for a plate gate the plates made of those planned; for a
/// gate, 0 of 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Blocker {
    pub kind: BlockKind,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub process_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gate: Option<String>,
    pub have: i64,
    pub need: i64,
}

/// What the flow says of one task.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Derived {
    /// How much of its quantity has reached it, after what its split siblings took.
    pub available: i64,
    /// Someone can start it now.
    pub ready: bool,
    pub blocked_by: Vec<Blocker>,
}

/// The line a line takes its work from, with removed or wholly cancelled lines seen through
/// to what they needed themselves.
pub fn prerequisites(line: &Line, lines: &[Line], tasks: &[Task]) -> Vec<i64> {
    let mut out = Vec::new();
    let mut seen = vec![line.id];
    let mut todo = direct_needs(line, lines);
    while let Some(id) = todo.pop() {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        let Some(need) = lines.iter().find(|l| l.id == id) else {
            continue;
        };
        let live = tasks
            .iter()
            .any(|t| t.line_id == id && t.status != TaskStatus::Cancelled);
        if need.removed || !live {
            todo.extend(direct_needs(need, lines));
        } else if !out.contains(&id) {
            out.push(id);
        }
    }
    out.sort_unstable();
    out
}

fn direct_needs(line: &Line, lines: &[Line]) -> Vec<i64> {
    if let Some(needs) = &line.needs {
        return needs.clone();
    }
    let Some(step) = lines
        .iter()
        .filter(|l| !l.removed && l.step < line.step)
        .map(|l| l.step)
        .max()
    else {
        return Vec::new();
    };
    lines
        .iter()
        .filter(|l| !l.removed && l.step == step)
        .map(|l| l.id)
        .collect()
}

/// Good quantity the tasks of `line` have reported for `part`: that part's when the line has
/// it, else the part it has least of (a box's lid and base are both needed).
fn handed_on(line_id: i64, part: &str, tasks: &[Task]) -> i64 {
    let mut by_part: HashMap<&str, i64> = HashMap::new();
    for t in tasks
        .iter()
        .filter(|t| t.line_id == line_id && t.status != TaskStatus::Cancelled)
    {
        *by_part.entry(t.part.as_str()).or_default() += t.good;
    }
    by_part
        .get(part)
        .copied()
        .unwrap_or_else(|| by_part.values().copied().min().unwrap_or(0))
}

/// The flow's answer for every task of one order, `ups` pieces to a sheet.
pub fn derive(lines: &[Line], tasks: &[Task], ups: i64) -> HashMap<i64, Derived> {
    let mut out = HashMap::new();
    for task in tasks {
        let Some(line) = lines.iter().find(|l| l.id == task.line_id) else {
            out.insert(task.id, Derived::default());
            continue;
        };
        out.insert(task.id, derive_one(task, line, lines, tasks, ups));
    }
    out
}

fn derive_one(task: &Task, line: &Line, lines: &[Line], tasks: &[Task], ups: i64) -> Derived {
    let mut blocked_by = Vec::new();
    // What reached the line's share for this part, before split siblings take theirs.
    let mut supply: Option<i64> = None;
    for need_id in prerequisites(line, lines, tasks) {
        let Some(need) = lines.iter().find(|l| l.id == need_id) else {
            continue;
        };
        let theirs: Vec<&Task> = tasks
            .iter()
            .filter(|t| t.line_id == need_id && t.status != TaskStatus::Cancelled)
            .collect();
        let from_it = match convert(1, need.unit, line.unit, ups) {
            None => {
                let done = theirs.iter().all(|t| t.status == TaskStatus::Completed);
                if !done {
                    blocked_by.push(Blocker {
                        kind: BlockKind::Step,
                        line_id: Some(need_id),
                        process_code: Some(need.process_code.clone()),
                        gate: None,
                        have: theirs.iter().map(|t| t.good).sum(),
                        need: theirs.iter().map(|t| t.quantity).sum(),
                    });
                    0
                } else {
                    i64::MAX
                }
            }
            Some(_) => {
                let handed = handed_on(need_id, &task.part, tasks);
                let converted = convert(handed, need.unit, line.unit, ups).unwrap_or(0);
                if converted == 0 {
                    blocked_by.push(Blocker {
                        kind: BlockKind::Step,
                        line_id: Some(need_id),
                        process_code: Some(need.process_code.clone()),
                        gate: None,
                        have: 0,
                        need: task.quantity,
                    });
                }
                converted
            }
        };
        supply = Some(supply.map_or(from_it, |s: i64| s.min(from_it)));
    }
    let available = match supply {
        None | Some(i64::MAX) => task.quantity,
        Some(supply) => {
            let others: i64 = tasks
                .iter()
                .filter(|t| {
                    t.id != task.id
                        && t.line_id == task.line_id
                        && t.part == task.part
                        && t.status != TaskStatus::Cancelled
                })
                .map(|t| t.good + t.scrap)
                .sum();
            (supply - others).max(0).min(task.quantity)
        }
    };
    for gate in &task.open_gates {
        blocked_by.push(Blocker {
            kind: BlockKind::Gate,
            line_id: None,
            process_code: None,
            gate: Some(gate.clone()),
            have: 0,
            need: 1,
        });
    }
    let open = matches!(task.status, TaskStatus::Pending | TaskStatus::Assigned);
    if task.status.is_closed() {
        blocked_by.clear();
    }
    Derived {
        available,
        ready: open && available > 0 && blocked_by.is_empty(),
        blocked_by,
    }
}

/// A report that would take more than has reached the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeds {
    pub available: i64,
    pub reported: i64,
    pub asked: i64,
}

/// Checks that `good + scrap` more fits in what is available after what was already reported.
pub fn check_report(
    available: i64,
    good_so_far: i64,
    scrap_so_far: i64,
    good: i64,
    scrap: i64,
) -> Result<(), Exceeds> {
    let reported = good_so_far + scrap_so_far;
    let asked = good + scrap;
    if reported + asked > available {
        return Err(Exceeds {
            available,
            reported,
            asked,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus as S;

    fn line(id: i64, step: i64, unit: Unit, code: &str) -> Line {
        Line {
            id,
            step,
            needs: None,
            unit,
            process_code: code.into(),
            removed: false,
        }
    }

    fn task(id: i64, line_id: i64, status: S, quantity: i64, good: i64) -> Task {
        Task {
            id,
            line_id,
            part: String::new(),
            status,
            quantity,
            good,
            scrap: 0,
            open_gates: Vec::new(),
        }
    }

    /// The 10,000-box job: 4+0, 4-up, 125 overs.
    fn boxes() -> Vec<Line> {
        vec![
            line(1, 10, Unit::Plate, "CTP"),
            line(2, 10, Unit::Sheet, "CUT"),
            line(3, 30, Unit::Sheet, "PRT"),
            line(4, 50, Unit::Sheet, "DIE"),
            line(5, 61, Unit::Piece, "GLUE"),
            line(6, 90, Unit::Piece, "PACK"),
        ]
    }

    #[test]
    fn units_convert_by_ups_and_plates_do_not_convert() {
        assert_eq!(convert(2_500, Unit::Sheet, Unit::Piece, 4), Some(10_000));
        assert_eq!(convert(10_001, Unit::Piece, Unit::Sheet, 4), Some(2_500));
        assert_eq!(convert(7, Unit::Sheet, Unit::Sheet, 4), Some(7));
        assert_eq!(convert(4, Unit::Plate, Unit::Sheet, 4), None);
        assert_eq!(convert(4, Unit::Sheet, Unit::Plate, 4), None);
        assert_eq!(
            convert(3, Unit::Sheet, Unit::Piece, 0),
            Some(3),
            "ups is at least 1"
        );
    }

    #[test]
    fn printing_waits_for_all_plates_and_for_cut_sheets() {
        let lines = boxes();
        let mut tasks = vec![
            task(1, 1, S::InProgress, 4, 3),
            task(2, 2, S::InProgress, 2_625, 1_000),
            task(3, 3, S::Pending, 2_625, 0),
        ];
        let d = derive(&lines, &tasks, 4);
        assert_eq!(d[&3].available, 0, "3 of 4 plates is no plate set");
        assert!(!d[&3].ready);
        assert_eq!(d[&3].blocked_by.len(), 1);
        let b = &d[&3].blocked_by[0];
        assert_eq!(
            (b.process_code.as_deref(), b.have, b.need),
            (Some("CTP"), 3, 4)
        );
        // Cutting has no prerequisite: all of it has reached it.
        assert_eq!(d[&2].available, 2_625);

        tasks[0].status = S::Completed;
        tasks[0].good = 4;
        let d = derive(&lines, &tasks, 4);
        assert_eq!(
            d[&3].available, 1_000,
            "the cut sheets, once the plates are made"
        );
        assert!(d[&3].ready);
    }

    #[test]
    fn sheets_become_pieces_downstream() {
        let lines = boxes();
        let tasks = vec![
            task(1, 1, S::Completed, 4, 4),
            task(2, 2, S::Completed, 2_625, 2_625),
            task(3, 3, S::Completed, 2_625, 2_600),
            task(4, 4, S::InProgress, 2_625, 2_550),
            task(5, 5, S::Pending, 10_000, 0),
            task(6, 6, S::Pending, 10_000, 0),
        ];
        let d = derive(&lines, &tasks, 4);
        assert_eq!(d[&4].available, 2_600);
        assert_eq!(d[&5].available, 10_000, "2,550 sheets × 4 = 10,200, capped");
        assert_eq!(d[&6].available, 0);
        assert_eq!(d[&6].blocked_by[0].process_code.as_deref(), Some("GLUE"));
    }

    #[test]
    fn order_gates_block_until_ticked() {
        let lines = vec![line(1, 30, Unit::Sheet, "PRT")];
        let mut t = task(1, 1, S::Assigned, 100, 0);
        t.open_gates = vec!["proof_approved".into()];
        let d = derive(&lines, &[t.clone()], 1);
        assert_eq!(d[&1].available, 100);
        assert!(!d[&1].ready);
        assert_eq!(d[&1].blocked_by[0].kind, BlockKind::Gate);
        assert_eq!(d[&1].blocked_by[0].gate.as_deref(), Some("proof_approved"));
        t.open_gates.clear();
        assert!(derive(&lines, &[t], 1)[&1].ready);
    }

    #[test]
    fn explicit_needs_and_cancelled_lines_seen_through() {
        let mut lines = vec![
            line(1, 10, Unit::Sheet, "PRT"),
            line(2, 20, Unit::Sheet, "VAN"),
            line(3, 30, Unit::Sheet, "DIE"),
        ];
        let tasks = vec![
            task(1, 1, S::InProgress, 100, 40),
            task(2, 2, S::Cancelled, 100, 0),
            task(3, 3, S::Pending, 100, 0),
        ];
        assert_eq!(derive(&lines, &tasks, 1)[&3].available, 40);
        lines[2].needs = Some(vec![]);
        assert_eq!(
            derive(&lines, &tasks, 1)[&3].available,
            100,
            "needs nothing"
        );
    }

    #[test]
    fn split_siblings_share_what_reached_their_line() {
        let lines = vec![
            line(1, 10, Unit::Sheet, "PRT"),
            line(2, 20, Unit::Sheet, "DIE"),
        ];
        let mut a = task(2, 2, S::InProgress, 600, 300);
        a.scrap = 10;
        let tasks = vec![
            task(1, 1, S::InProgress, 1_000, 500),
            a,
            task(3, 2, S::Assigned, 400, 0),
        ];
        let d = derive(&lines, &tasks, 1);
        assert_eq!(
            d[&3].available, 190,
            "500 reached the line, the sibling used 310"
        );
        assert_eq!(
            d[&2].available, 500,
            "nothing used by the other, capped by supply"
        );
    }

    #[test]
    fn reports_never_exceed_what_reached_the_task() {
        assert!(check_report(100, 60, 10, 30, 0).is_ok());
        let e = check_report(100, 60, 10, 30, 1).unwrap_err();
        assert_eq!((e.available, e.reported, e.asked), (100, 70, 31));
    }
}
