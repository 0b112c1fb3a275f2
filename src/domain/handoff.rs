//! Quantity hand-off between the steps of one work order: how much of a task's quantity has
//! reached it from upstream, whether it is ready to start, and whether a progress report
//! fits. Pure; the task list carries the same rule as SQL (`service::handoff`), and a test
//! there checks the two agree.

use super::TaskStatus;

/// One task of a work order, as the hand-off rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: i64,
    pub sequence: i64,
    pub parallel: bool,
    pub part: String,
    pub quantity: i64,
    pub good: i64,
    pub status: TaskStatus,
}

/// The tasks `task` takes its work from: those of the nearest lower-sequence line that is not
/// parallel (cancelled tasks, such as those of a removed line, do not count). Empty when the
/// task is parallel itself or is the first step.
pub fn upstream<'a>(task: &Step, order: &'a [Step]) -> Vec<&'a Step> {
    if task.parallel {
        return Vec::new();
    }
    let feeds = |s: &&Step| !s.parallel && s.status != TaskStatus::Cancelled;
    let Some(nearest) = order
        .iter()
        .filter(feeds)
        .filter(|s| s.sequence < task.sequence)
        .map(|s| s.sequence)
        .max()
    else {
        return Vec::new();
    };
    order
        .iter()
        .filter(feeds)
        .filter(|s| s.sequence == nearest)
        .collect()
}

/// How much of its quantity has reached `task`: all of it when nothing feeds it; otherwise
/// the good quantity reported upstream (of the same part when the upstream line has that
/// part, else the smallest of the upstream parts), never more than the task's own quantity.
pub fn available_qty(task: &Step, order: &[Step]) -> i64 {
    let feeders = upstream(task, order);
    if feeders.is_empty() {
        return task.quantity;
    }
    // A line's parts are distinct, so at most one feeder matches; `max` keeps the answer
    // defined (and equal to the SQL form) even for data that breaks that.
    let handed = feeders
        .iter()
        .filter(|s| s.part == task.part)
        .map(|s| s.good)
        .max()
        .unwrap_or_else(|| feeders.iter().map(|s| s.good).min().unwrap_or(0));
    handed.min(task.quantity)
}

/// A task is ready when someone can start it now: it waits in a pool or with an operator,
/// and some quantity has reached it.
pub fn is_ready(status: TaskStatus, available: i64) -> bool {
    matches!(status, TaskStatus::Pending | TaskStatus::Assigned) && available > 0
}

/// A report that would take more than has reached the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeds {
    pub available: i64,
    pub reported: i64,
    pub asked: i64,
}

impl Exceeds {
    pub fn message(&self, task_id: i64) -> String {
        format!(
            "task {task_id} has {} available and {} already reported (good + scrap), so it can take {} more; this report is {}",
            self.available,
            self.reported,
            (self.available - self.reported).max(0),
            self.asked
        )
    }
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

    fn step(id: i64, sequence: i64, part: &str, quantity: i64, good: i64) -> Step {
        Step {
            id,
            sequence,
            parallel: false,
            part: part.into(),
            quantity,
            good,
            status: TaskStatus::Pending,
        }
    }

    fn parallel(mut s: Step) -> Step {
        s.parallel = true;
        s
    }

    #[test]
    fn the_first_step_has_all_of_its_quantity() {
        let order = [step(1, 1, "", 5000, 0), step(2, 2, "", 5000, 0)];
        assert_eq!(available_qty(&order[0], &order), 5000);
        assert_eq!(available_qty(&order[1], &order), 0);
    }

    #[test]
    fn good_quantity_upstream_is_what_reaches_downstream() {
        let order = [step(1, 1, "", 5000, 2000), step(2, 2, "", 5000, 0)];
        assert_eq!(available_qty(&order[1], &order), 2000);
        // Never more than the task's own quantity.
        let order = [step(1, 1, "", 5000, 5000), step(2, 2, "", 3000, 0)];
        assert_eq!(available_qty(&order[1], &order), 3000);
    }

    #[test]
    fn only_the_nearest_upstream_line_counts() {
        let order = [
            step(1, 1, "", 5000, 5000),
            step(2, 2, "", 5000, 1200),
            step(3, 3, "", 5000, 0),
        ];
        assert_eq!(available_qty(&order[2], &order), 1200);
    }

    #[test]
    fn parallel_lines_neither_wait_nor_feed() {
        // Plates (parallel) then printing: printing has no upstream.
        let order = [
            parallel(step(1, 1, "", 10, 0)),
            step(2, 2, "", 5000, 300),
            parallel(step(3, 3, "", 2, 0)),
            step(4, 4, "", 5000, 0),
        ];
        assert_eq!(available_qty(&order[1], &order), 5000);
        // A parallel step later in the order is ready at once and does not block.
        assert_eq!(available_qty(&order[2], &order), 2);
        assert_eq!(available_qty(&order[3], &order), 300);
    }

    #[test]
    fn cancelled_lines_are_skipped() {
        let mut removed = step(2, 2, "", 5000, 0);
        removed.status = TaskStatus::Cancelled;
        let order = [step(1, 1, "", 5000, 700), removed, step(3, 3, "", 5000, 0)];
        assert_eq!(available_qty(&order[2], &order), 700);
    }

    #[test]
    fn parts_hand_off_to_the_same_part_or_the_slowest_one() {
        let order = [
            step(1, 1, "cover", 5000, 4000),
            step(2, 1, "inner", 5000, 1500),
            step(3, 2, "cover", 5000, 0),
            step(4, 2, "insert", 5000, 0),
            step(5, 3, "", 5000, 0),
        ];
        // Same part upstream.
        assert_eq!(available_qty(&order[2], &order), 4000);
        // No such part upstream: the slowest upstream part limits it.
        assert_eq!(available_qty(&order[3], &order), 1500);
        // A whole-line step after a parted line takes the smallest part.
        let order2 = [order[0].clone(), order[1].clone(), step(5, 2, "", 5000, 0)];
        assert_eq!(available_qty(&order2[2], &order2), 1500);
        // A parted step after a whole-line step takes the whole line's good quantity.
        let order3 = [step(1, 1, "", 5000, 900), step(2, 2, "cover", 5000, 0)];
        assert_eq!(available_qty(&order3[1], &order3), 900);
    }

    #[test]
    fn ready_means_startable_with_something_to_work_on() {
        assert!(is_ready(TaskStatus::Pending, 1));
        assert!(is_ready(TaskStatus::Assigned, 10));
        assert!(!is_ready(TaskStatus::Pending, 0));
        for s in [
            TaskStatus::Draft,
            TaskStatus::InProgress,
            TaskStatus::Paused,
            TaskStatus::Completed,
            TaskStatus::Cancelled,
        ] {
            assert!(!is_ready(s, 100), "{s:?}");
        }
    }

    #[test]
    fn reports_must_fit_in_what_is_available() {
        assert_eq!(check_report(2000, 1000, 50, 900, 50), Ok(()));
        let e = check_report(2000, 1000, 50, 900, 51).unwrap_err();
        assert_eq!(
            e,
            Exceeds {
                available: 2000,
                reported: 1050,
                asked: 951
            }
        );
        let m = e.message(7);
        assert!(
            m.contains("2000") && m.contains("1050") && m.contains("950") && m.contains("951"),
            "{m}"
        );
    }
}
