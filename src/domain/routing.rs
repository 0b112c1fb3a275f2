//! A work order's lines as a graph: each line's step, what it needs, and the quantity it
//! plans in its own unit from the print spec. Checked here, so a cycle or a dangling `needs`
//! is refused naming the line before anything is written.

use super::flow::Unit;
use super::work_order::Header;
use super::{Invalid, Rule};

/// What the routing needs to know of a line's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessFacts {
    pub unit: Unit,
    pub default_step: i64,
}

/// A line as the routing asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAsk {
    pub step: Option<i64>,
    /// Indexes into the order's lines.
    pub needs: Option<Vec<usize>>,
    /// Legacy `parallel: true`: needs nothing.
    pub parallel: bool,
}

/// A line's place in the graph: its step, and what it needs when given (indexes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub step: i64,
    pub needs: Option<Vec<usize>>,
}

/// Steps and needs for every line. Without a step, consecutive lines whose processes share a
/// default step share one; otherwise each line follows the one before. Refuses needs that
/// point outside the list or at the line itself, and any cycle.
pub fn place(asks: &[LineAsk], facts: &[ProcessFacts]) -> Result<Vec<Placed>, Invalid> {
    let mut placed: Vec<Placed> = Vec::with_capacity(asks.len());
    for (i, ask) in asks.iter().enumerate() {
        let step = match ask.step {
            Some(s) => s,
            None => match placed.last() {
                Some(prev) if facts[i - 1].default_step == facts[i].default_step => prev.step,
                Some(prev) => prev.step + 1,
                None => 1,
            },
        };
        let needs = match (&ask.needs, ask.parallel) {
            (Some(n), _) => {
                let field = format!("processes[{i}].needs");
                for &j in n {
                    if j >= asks.len() {
                        return Err(Invalid::new(
                            field,
                            format!(
                                "there is no line {j} (lines are numbered from 0 to {})",
                                asks.len() - 1
                            ),
                        )
                        .breaking(Rule::Unknown));
                    }
                    if j == i {
                        return Err(
                            Invalid::new(field, "a line cannot need itself").breaking(Rule::Cycle)
                        );
                    }
                }
                let mut n = n.clone();
                n.sort_unstable();
                n.dedup();
                Some(n)
            }
            (None, true) => Some(Vec::new()),
            (None, false) => None,
        };
        placed.push(Placed { step, needs });
    }
    if let Some(i) = first_cycle(&placed) {
        return Err(Invalid::new(
            format!("processes[{i}].needs"),
            "the lines' steps and needs form a cycle through this line",
        )
        .breaking(Rule::Cycle));
    }
    Ok(placed)
}

/// What line `i` takes work from, by index.
pub fn prerequisites(placed: &[Placed], i: usize) -> Vec<usize> {
    if let Some(n) = &placed[i].needs {
        return n.clone();
    }
    let step = placed[i].step;
    let Some(lower) = placed.iter().map(|p| p.step).filter(|s| *s < step).max() else {
        return Vec::new();
    };
    (0..placed.len())
        .filter(|&j| placed[j].step == lower)
        .collect()
}

fn first_cycle(placed: &[Placed]) -> Option<usize> {
    // 0 unvisited, 1 on the path, 2 done.
    let mut mark = vec![0u8; placed.len()];
    fn visit(i: usize, placed: &[Placed], mark: &mut [u8]) -> Option<usize> {
        match mark[i] {
            1 => return Some(i),
            2 => return None,
            _ => {}
        }
        mark[i] = 1;
        for j in prerequisites(placed, i) {
            if let Some(c) = visit(j, placed, mark) {
                return Some(c);
            }
        }
        mark[i] = 2;
        None
    }
    (0..placed.len()).find_map(|i| visit(i, placed, &mut mark))
}

/// The colours of the spec: front and back, or read from the old free text ("4+0", "4/1").
pub fn colours(header: &Header) -> i64 {
    let given = header.colors_front + header.colors_back;
    if given > 0 {
        return given;
    }
    let text = header.colors.replace('/', "+");
    let mut sides = text.split('+').map(|s| s.trim().parse::<i64>());
    match (sides.next(), sides.next(), sides.next()) {
        (Some(Ok(f)), Some(Ok(b)), None) if (0..=12).contains(&f) && (0..=12).contains(&b) => f + b,
        _ => 0,
    }
}

/// The quantity a line plans in `unit` when none is given: plates = colours, sheets =
/// pieces / ups rounded up plus overs, pieces = the order quantity. `None` when the spec
/// cannot say (a plate line without colours).
pub fn default_quantity(unit: Unit, header: &Header) -> Option<i64> {
    match unit {
        Unit::Plate => Some(colours(header)).filter(|c| *c > 0),
        Unit::Sheet => {
            let ups = header.ups.max(1);
            Some((header.quantity + ups - 1) / ups + header.spoilage)
        }
        Unit::Piece => Some(header.quantity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Priority;

    fn header() -> Header {
        Header {
            customer: "c".into(),
            product: "p".into(),
            quantity: 10_000,
            unit: String::new(),
            spoilage: 125,
            due_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
            priority: Priority::Normal,
            paper: String::new(),
            finished_size: String::new(),
            colors: String::new(),
            notes: String::new(),
            gsm: 350,
            sheet_size: String::new(),
            colors_front: 4,
            colors_back: 0,
            ups: 4,
            unit_price_x10k: None,
            amount_cents: None,
        }
    }

    #[test]
    fn the_ten_thousand_box_job() {
        let h = header();
        assert_eq!(default_quantity(Unit::Plate, &h), Some(4));
        assert_eq!(default_quantity(Unit::Sheet, &h), Some(2_625));
        assert_eq!(default_quantity(Unit::Piece, &h), Some(10_000));
        let mut h = header();
        h.colors_front = 0;
        assert_eq!(default_quantity(Unit::Plate, &h), None);
        h.colors = "4/1".into();
        assert_eq!(default_quantity(Unit::Plate, &h), Some(5));
    }

    fn ask() -> LineAsk {
        LineAsk {
            step: None,
            needs: None,
            parallel: false,
        }
    }

    fn facts(steps: &[i64]) -> Vec<ProcessFacts> {
        steps
            .iter()
            .map(|&s| ProcessFacts {
                unit: Unit::Sheet,
                default_step: s,
            })
            .collect()
    }

    #[test]
    fn plate_making_and_cutting_share_a_step_before_printing() {
        let placed = place(&[ask(), ask(), ask(), ask()], &facts(&[10, 10, 30, 50])).unwrap();
        let steps: Vec<i64> = placed.iter().map(|p| p.step).collect();
        assert_eq!(steps, vec![1, 1, 2, 3]);
        assert_eq!(prerequisites(&placed, 2), vec![0, 1]);
        assert_eq!(prerequisites(&placed, 0), Vec::<usize>::new());
    }

    #[test]
    fn needs_that_dangle_or_loop_name_the_line() {
        let mut asks = vec![ask(), ask()];
        asks[1].needs = Some(vec![5]);
        assert_eq!(
            place(&asks, &facts(&[1, 2])).unwrap_err().field,
            "processes[1].needs"
        );
        asks[1].needs = Some(vec![1]);
        assert!(place(&asks, &facts(&[1, 2])).is_err());
        // Line 0 needs line 1, which by its step needs line 0.
        let mut asks = vec![ask(), ask()];
        asks[0].needs = Some(vec![1]);
        let e = place(&asks, &facts(&[1, 2])).unwrap_err();
        assert_eq!(e.field, "processes[0].needs");
        asks[1].parallel = true;
        assert!(
            place(&asks, &facts(&[1, 2])).is_ok(),
            "legacy parallel needs nothing"
        );
    }
}
