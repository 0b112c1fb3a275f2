//! The differential sync of a work order's process lines: from the lines an order has and the
//! lines an edit wants, the smallest plan of adds, removes and changes. Pure, so it is tested
//! on its own; the service applies the plan to tasks.

use super::{Invalid, Rule};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentLine {
    pub id: i64,
    pub process_id: i64,
    pub position: i64,
    pub quantity: i64,
    pub note: String,
    pub parallel: bool,
    pub parts: Vec<String>,
    pub step: i64,
    /// The quantity was given by hand; otherwise it follows the order's spec.
    pub quantity_set: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedLine {
    /// The line this one keeps, when the client names it; otherwise it is matched by process.
    pub id: Option<i64>,
    pub process_id: i64,
    pub quantity: i64,
    pub note: String,
    pub parallel: bool,
    pub parts: Vec<String>,
    pub step: i64,
    pub quantity_set: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedLine {
    pub position: i64,
    pub line: WantedLine,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedLine {
    pub id: i64,
    pub position: i64,
    pub quantity: i64,
    pub note: String,
    pub parallel: bool,
    pub parts: Vec<String>,
    pub step: i64,
    pub quantity_set: bool,
    /// Parts (task slots) that gain a task; `""` stands for "the whole line".
    pub parts_added: Vec<String>,
    pub parts_removed: Vec<String>,
    /// Whether the tasks that stay need their sequence, quantity or parallel flag updated.
    pub tasks_changed: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPlan {
    pub add: Vec<AddedLine>,
    pub remove: Vec<i64>,
    pub change: Vec<ChangedLine>,
    pub unchanged: Vec<i64>,
}

impl SyncPlan {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty() && self.change.is_empty()
    }
}

/// The task slots of a line: one per part, or one for the whole line.
pub fn task_parts(parts: &[String]) -> Vec<String> {
    if parts.is_empty() {
        vec![String::new()]
    } else {
        parts.to_vec()
    }
}

/// Plans the edit from `current` (in position order) to `wanted` (in the order the client wants).
pub fn plan_sync(current: &[CurrentLine], wanted: &[WantedLine]) -> Result<SyncPlan, Invalid> {
    let matched = match_lines(current, wanted)?;
    let mut plan = SyncPlan::default();
    let kept: HashSet<i64> = matched.iter().flatten().copied().collect();
    plan.remove = current
        .iter()
        .filter(|c| !kept.contains(&c.id))
        .map(|c| c.id)
        .collect();

    for (index, (want, matched_id)) in wanted.iter().zip(&matched).enumerate() {
        let position = index as i64 + 1;
        let Some(id) = *matched_id else {
            plan.add.push(AddedLine {
                position,
                line: want.clone(),
            });
            continue;
        };
        let cur = current
            .iter()
            .find(|c| c.id == id)
            .expect("matched line exists");
        let old_parts = task_parts(&cur.parts);
        let new_parts = task_parts(&want.parts);
        let parts_added: Vec<String> = new_parts
            .iter()
            .filter(|p| !old_parts.contains(p))
            .cloned()
            .collect();
        let parts_removed: Vec<String> = old_parts
            .iter()
            .filter(|p| !new_parts.contains(p))
            .cloned()
            .collect();
        let tasks_changed = cur.position != position
            || cur.quantity != want.quantity
            || cur.parallel != want.parallel
            || cur.step != want.step;
        let line_changed = tasks_changed
            || cur.quantity_set != want.quantity_set
            || cur.note != want.note
            || cur.parts != want.parts
            || !parts_added.is_empty()
            || !parts_removed.is_empty();
        if line_changed {
            plan.change.push(ChangedLine {
                id,
                position,
                quantity: want.quantity,
                note: want.note.clone(),
                parallel: want.parallel,
                parts: want.parts.clone(),
                step: want.step,
                quantity_set: want.quantity_set,
                parts_added,
                parts_removed,
                tasks_changed,
            });
        } else {
            plan.unchanged.push(id);
        }
    }
    Ok(plan)
}

/// The lines an order keeps when only its spec changes: each line whose quantity follows
/// the spec takes what `planned` says now; lines given a quantity by hand keep it.
pub fn follow_spec(
    current: &[CurrentLine],
    planned: impl Fn(&CurrentLine) -> Option<i64>,
) -> Vec<WantedLine> {
    current
        .iter()
        .map(|c| WantedLine {
            id: Some(c.id),
            process_id: c.process_id,
            quantity: if c.quantity_set {
                c.quantity
            } else {
                planned(c).unwrap_or(c.quantity)
            },
            note: c.note.clone(),
            parallel: c.parallel,
            parts: c.parts.clone(),
            step: c.step,
            quantity_set: c.quantity_set,
        })
        .collect()
}

/// For each wanted line, the current line it keeps: named ids first, then the first unmatched
/// line of the same process, so a client may simply send the whole list again.
fn match_lines(
    current: &[CurrentLine],
    wanted: &[WantedLine],
) -> Result<Vec<Option<i64>>, Invalid> {
    let mut taken: HashSet<i64> = HashSet::new();
    let mut matched = vec![None; wanted.len()];
    for (i, want) in wanted.iter().enumerate() {
        let Some(id) = want.id else { continue };
        let field = format!("processes[{i}].id");
        let cur = current.iter().find(|c| c.id == id).ok_or_else(|| {
            Invalid::new(
                &field,
                format!("line {id} is not a line of this work order"),
            )
            .breaking(Rule::Unknown)
        })?;
        if cur.process_id != want.process_id {
            return Err(Invalid::new(
                format!("processes[{i}].process_id"),
                "a line keeps its process; remove the line and add a new one instead",
            ));
        }
        if !taken.insert(id) {
            return Err(
                Invalid::new(field, format!("line {id} appears twice")).breaking(Rule::Duplicate)
            );
        }
        matched[i] = Some(id);
    }
    for (i, want) in wanted.iter().enumerate() {
        if want.id.is_some() {
            continue;
        }
        if let Some(cur) = current
            .iter()
            .find(|c| c.process_id == want.process_id && !taken.contains(&c.id))
        {
            taken.insert(cur.id);
            matched[i] = Some(cur.id);
        }
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(id: i64, process_id: i64, position: i64, quantity: i64) -> CurrentLine {
        CurrentLine {
            id,
            process_id,
            position,
            quantity,
            note: String::new(),
            parallel: false,
            parts: vec![],
            step: 0,
            quantity_set: quantity != 500,
        }
    }

    fn want(process_id: i64, quantity: i64) -> WantedLine {
        WantedLine {
            id: None,
            process_id,
            quantity,
            note: String::new(),
            parallel: false,
            parts: vec![],
            step: 0,
            quantity_set: quantity != 500,
        }
    }

    #[test]
    fn the_same_list_again_changes_nothing() {
        let current = vec![cur(10, 1, 1, 500), cur(11, 2, 2, 500), cur(12, 3, 3, 500)];
        let wanted = vec![want(1, 500), want(2, 500), want(3, 500)];
        let plan = plan_sync(&current, &wanted).unwrap();
        assert!(plan.is_empty());
        assert_eq!(plan.unchanged, vec![10, 11, 12]);
    }

    #[test]
    fn only_the_edited_lines_are_touched() {
        let current = vec![cur(10, 1, 1, 500), cur(11, 2, 2, 500), cur(12, 3, 3, 500)];
        // Drop process 2, change process 3's quantity, add process 4.
        let wanted = vec![want(1, 500), want(3, 800), want(4, 500)];
        let plan = plan_sync(&current, &wanted).unwrap();
        assert_eq!(plan.remove, vec![11]);
        assert_eq!(plan.unchanged, vec![10]);
        assert_eq!(plan.change.len(), 1);
        assert_eq!(plan.change[0].id, 12);
        assert_eq!(plan.change[0].position, 2);
        assert_eq!(plan.change[0].quantity, 800);
        assert!(plan.change[0].tasks_changed);
        assert_eq!(plan.add.len(), 1);
        assert_eq!(plan.add[0].position, 3);
        assert_eq!(plan.add[0].line.process_id, 4);
    }

    #[test]
    fn a_repeated_process_matches_in_order() {
        // Two printing passes (process 3); the edit removes the second.
        let current = vec![cur(10, 3, 1, 500), cur(11, 3, 2, 500)];
        let plan = plan_sync(&current, &[want(3, 500)]).unwrap();
        assert_eq!(plan.remove, vec![11]);
        assert_eq!(plan.unchanged, vec![10]);
    }

    #[test]
    fn named_ids_win_over_process_matching() {
        let current = vec![cur(10, 3, 1, 500), cur(11, 3, 2, 700)];
        let mut second = want(3, 700);
        second.id = Some(11);
        let plan = plan_sync(&current, &[second]).unwrap();
        assert_eq!(plan.remove, vec![10]);
        assert_eq!(plan.change[0].id, 11);
        assert_eq!(plan.change[0].position, 1);
    }

    #[test]
    fn parts_become_task_slots() {
        let mut line = cur(10, 3, 1, 500);
        line.parts = vec!["cover".into(), "inner".into()];
        let mut wanted = want(3, 500);
        wanted.parts = vec!["inner".into(), "insert".into()];
        let plan = plan_sync(&[line], &[wanted]).unwrap();
        let change = &plan.change[0];
        assert_eq!(change.parts_added, vec!["insert".to_string()]);
        assert_eq!(change.parts_removed, vec!["cover".to_string()]);
        assert!(!change.tasks_changed);
    }

    #[test]
    fn bad_ids_name_the_field() {
        let current = vec![cur(10, 1, 1, 500)];
        let mut w = want(1, 500);
        w.id = Some(99);
        assert_eq!(
            plan_sync(&current, &[w.clone()]).unwrap_err().field,
            "processes[0].id"
        );
        w.id = Some(10);
        w.process_id = 2;
        assert_eq!(
            plan_sync(&current, &[w.clone()]).unwrap_err().field,
            "processes[0].process_id"
        );
        w.process_id = 1;
        assert_eq!(
            plan_sync(&current, &[w.clone(), w]).unwrap_err().field,
            "processes[1].id"
        );
    }

    #[test]
    fn every_current_line_is_kept_removed_or_changed_exactly_once() {
        // A small exhaustive check over edits of a three-line order.
        let current = vec![cur(1, 1, 1, 10), cur(2, 2, 2, 10), cur(3, 1, 3, 10)];
        let processes = [1, 2, 3];
        for a in processes {
            for b in processes {
                for len in 0..=2 {
                    let wanted: Vec<WantedLine> =
                        [want(a, 10), want(b, 20)].into_iter().take(len).collect();
                    let plan = plan_sync(&current, &wanted).unwrap();
                    let mut seen: Vec<i64> = plan
                        .remove
                        .iter()
                        .chain(&plan.unchanged)
                        .chain(plan.change.iter().map(|c| &c.id))
                        .copied()
                        .collect();
                    seen.sort();
                    assert_eq!(seen, vec![1, 2, 3], "{wanted:?}");
                    assert_eq!(
                        plan.add.len() + plan.change.len() + plan.unchanged.len(),
                        len
                    );
                }
            }
        }
    }

    #[test]
    fn lines_following_the_order_quantity_move_with_it() {
        let current = vec![cur(10, 1, 1, 500), cur(11, 2, 2, 480)];
        let wanted = follow_spec(&current, |_| Some(600));
        let plan = plan_sync(&current, &wanted).unwrap();
        assert_eq!(plan.change.len(), 1);
        assert_eq!((plan.change[0].id, plan.change[0].quantity), (10, 600));
        assert_eq!(plan.unchanged, vec![11]);
    }
}
