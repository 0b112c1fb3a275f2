//! A work order (施工单) as a client sends it, and the checks that turn it into one the
//! services can trust.

use super::{Invalid, Priority, Rule};
use chrono::NaiveDate;
use serde::Deserialize;

pub const MAX_QUANTITY: i64 = 1_000_000_000;
pub const MAX_LINES: usize = 500;
pub const MAX_PARTS: usize = 50;
const MAX_SHORT_TEXT: usize = 200;
const MAX_LONG_TEXT: usize = 4000;

/// The schema's words for the text rules below: no control characters (tab and newline are
/// fine) and, for required fields, something besides blanks.
pub const TEXT_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
pub const REQUIRED_TEXT_PATTERN: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

/// One process line as sent by a client.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// The existing line this one keeps (edits only).
    #[serde(default)]
    pub id: Option<i64>,
    pub process_id: i64,
    /// Defaults to the order's quantity.
    #[serde(default)]
    #[schemars(range(min = 1, max = 1_000_000_000))]
    pub quantity: Option<i64>,
    #[serde(default)]
    #[schemars(length(max = 4000), regex(pattern = TEXT_PATTERN))]
    pub note: String,
    /// Legacy: `true` is the same as `needs: []` (the line takes work from no other).
    #[serde(default)]
    pub parallel: Option<bool>,
    #[serde(default)]
    #[schemars(length(max = 50))]
    pub parts: Vec<String>,
    /// Lines of the same step run side by side. Defaults from the list order: consecutive
    /// lines whose processes share a default step share one.
    #[serde(default)]
    #[schemars(range(min = 0, max = 1_000_000))]
    pub step: Option<i64>,
    /// The lines (indexes into `processes`) this one takes its work from. Defaults to every
    /// line of the nearest lower step.
    #[serde(default)]
    #[schemars(length(max = 500))]
    pub needs: Option<Vec<usize>>,
}

/// A new work order as sent by a client.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkOrder {
    #[schemars(length(min = 1, max = 200), regex(pattern = REQUIRED_TEXT_PATTERN))]
    pub customer: String,
    #[schemars(length(min = 1, max = 200), regex(pattern = REQUIRED_TEXT_PATTERN))]
    pub product: String,
    #[schemars(range(min = 1, max = 1_000_000_000))]
    pub quantity: i64,
    #[serde(default)]
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub unit: String,
    /// Overs (加放): extra press sheets for make-ready and waste. `spoilage` is its old name.
    #[serde(default, alias = "spoilage")]
    #[schemars(range(min = 0, max = 1_000_000_000))]
    pub overs: i64,
    pub due_date: NaiveDate,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub paper: String,
    #[serde(default)]
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub finished_size: String,
    #[serde(default)]
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub colors: String,
    #[serde(default)]
    #[schemars(length(max = 4000), regex(pattern = TEXT_PATTERN))]
    pub notes: String,
    #[serde(default)]
    #[schemars(range(min = 0, max = 10_000))]
    pub gsm: i64,
    #[serde(default)]
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub sheet_size: String,
    #[serde(default)]
    #[schemars(range(min = 0, max = 12))]
    pub colors_front: i64,
    #[serde(default)]
    #[schemars(range(min = 0, max = 12))]
    pub colors_back: i64,
    /// Pieces on one press sheet.
    #[serde(default = "one")]
    #[schemars(range(min = 1, max = 10_000))]
    pub ups: i64,
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 100_000_000_000.0))]
    pub unit_price: Option<f64>,
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 100_000_000_000.0))]
    pub amount: Option<f64>,
    #[schemars(length(min = 1, max = 500))]
    pub processes: Vec<LineInput>,
}

/// An edit: every field optional; `processes`, when present, is the whole new list.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderPatch {
    #[schemars(length(min = 1, max = 200), regex(pattern = REQUIRED_TEXT_PATTERN))]
    pub customer: Option<String>,
    #[schemars(length(min = 1, max = 200), regex(pattern = REQUIRED_TEXT_PATTERN))]
    pub product: Option<String>,
    #[schemars(range(min = 1, max = 1_000_000_000))]
    pub quantity: Option<i64>,
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub unit: Option<String>,
    #[serde(alias = "spoilage")]
    #[schemars(range(min = 0, max = 1_000_000_000))]
    pub overs: Option<i64>,
    pub due_date: Option<NaiveDate>,
    pub priority: Option<Priority>,
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub paper: Option<String>,
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub finished_size: Option<String>,
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub colors: Option<String>,
    #[schemars(length(max = 4000), regex(pattern = TEXT_PATTERN))]
    pub notes: Option<String>,
    #[schemars(range(min = 0, max = 10_000))]
    pub gsm: Option<i64>,
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub sheet_size: Option<String>,
    #[schemars(range(min = 0, max = 12))]
    pub colors_front: Option<i64>,
    #[schemars(range(min = 0, max = 12))]
    pub colors_back: Option<i64>,
    #[schemars(range(min = 1, max = 10_000))]
    pub ups: Option<i64>,
    #[schemars(range(min = 0.0, max = 100_000_000_000.0))]
    pub unit_price: Option<f64>,
    #[schemars(range(min = 0.0, max = 100_000_000_000.0))]
    pub amount: Option<f64>,
    #[schemars(length(min = 1, max = 500))]
    pub processes: Option<Vec<LineInput>>,
    /// Optimistic lock: when given, the edit applies only to this version of the order.
    pub version: Option<i64>,
}

fn one() -> i64 {
    1
}

fn check_range(field: &str, value: i64, min: i64, max: i64) -> Result<i64, Invalid> {
    if !(min..=max).contains(&value) {
        return Err(Invalid::new(field, format!("must be from {min} to {max}"))
            .breaking(Rule::Range { min, max }));
    }
    Ok(value)
}

/// Money is kept as integers: unit prices in 1/10000 of the currency unit, amounts in cents.
pub fn unit_price_to_x10k(field: &str, value: f64) -> Result<i64, Invalid> {
    money_to_int(field, value, 10_000.0)
}

pub fn amount_to_cents(field: &str, value: f64) -> Result<i64, Invalid> {
    money_to_int(field, value, 100.0)
}

fn money_to_int(field: &str, value: f64, scale: f64) -> Result<i64, Invalid> {
    if !value.is_finite() || !(0.0..=1e11).contains(&value) {
        return Err(
            Invalid::new(field, "must be a number from 0 to 100000000000").breaking(Rule::Range {
                min: 0,
                max: 100_000_000_000,
            }),
        );
    }
    Ok((value * scale).round() as i64)
}

pub fn check_text(field: &str, value: &str, required: bool, max: usize) -> Result<String, Invalid> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(Invalid::new(field, "must not be empty").breaking(Rule::Required));
    }
    if value.chars().count() > max {
        return Err(
            Invalid::new(field, format!("must be at most {max} characters"))
                .breaking(Rule::TooLong { max }),
        );
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

pub fn check_short(field: &str, value: &str, required: bool) -> Result<String, Invalid> {
    check_text(field, value, required, MAX_SHORT_TEXT)
}

pub fn check_long(field: &str, value: &str) -> Result<String, Invalid> {
    check_text(field, value, false, MAX_LONG_TEXT)
}

pub fn check_quantity(field: &str, value: i64) -> Result<i64, Invalid> {
    if !(1..=MAX_QUANTITY).contains(&value) {
        return Err(Invalid::new(
            field,
            format!("must be a whole number from 1 to {MAX_QUANTITY}"),
        )
        .breaking(Rule::Range {
            min: 1,
            max: MAX_QUANTITY,
        }));
    }
    Ok(value)
}

pub fn check_spoilage(value: i64) -> Result<i64, Invalid> {
    if !(0..=MAX_QUANTITY).contains(&value) {
        return Err(
            Invalid::new("overs", format!("must be from 0 to {MAX_QUANTITY}")).breaking(
                Rule::Range {
                    min: 0,
                    max: MAX_QUANTITY,
                },
            ),
        );
    }
    Ok(value)
}

/// A line checked against the order; process existence is the service's to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLine {
    pub id: Option<i64>,
    pub process_id: i64,
    pub quantity: Option<i64>,
    pub note: String,
    pub parallel: Option<bool>,
    pub parts: Vec<String>,
    pub step: Option<i64>,
    pub needs: Option<Vec<usize>>,
}

pub fn check_lines(lines: &[LineInput], require_one: bool) -> Result<Vec<CheckedLine>, Invalid> {
    if require_one && lines.is_empty() {
        return Err(
            Invalid::new("processes", "a work order needs at least one process")
                .breaking(Rule::NeedProcess),
        );
    }
    if lines.len() > MAX_LINES {
        return Err(Invalid::new(
            "processes",
            format!("at most {MAX_LINES} process lines"),
        ));
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let at = |name: &str| format!("processes[{i}].{name}");
            let quantity = match line.quantity {
                Some(q) => Some(check_quantity(&at("quantity"), q)?),
                None => None,
            };
            if line.parts.len() > MAX_PARTS {
                return Err(Invalid::new(
                    at("parts"),
                    format!("at most {MAX_PARTS} parts"),
                ));
            }
            let mut parts = Vec::with_capacity(line.parts.len());
            for (j, part) in line.parts.iter().enumerate() {
                let part = check_short(&format!("processes[{i}].parts[{j}]"), part, true)?;
                if parts.contains(&part) {
                    return Err(
                        Invalid::new(at("parts"), format!("part '{part}' appears twice"))
                            .breaking(Rule::Duplicate)
                            .breaking(Rule::Duplicate),
                    );
                }
                parts.push(part);
            }
            Ok(CheckedLine {
                id: line.id,
                process_id: line.process_id,
                quantity,
                note: check_long(&at("note"), &line.note)?,
                parallel: line.parallel,
                parts,
                step: line
                    .step
                    .map(|v| check_range(&at("step"), v, 0, 1_000_000))
                    .transpose()?,
                needs: line.needs.clone(),
            })
        })
        .collect()
}

/// The header fields of a work order after checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub customer: String,
    pub product: String,
    pub quantity: i64,
    pub unit: String,
    pub spoilage: i64,
    pub due_date: NaiveDate,
    pub priority: Priority,
    pub paper: String,
    pub finished_size: String,
    pub colors: String,
    pub notes: String,
    pub gsm: i64,
    pub sheet_size: String,
    pub colors_front: i64,
    pub colors_back: i64,
    pub ups: i64,
    pub unit_price_x10k: Option<i64>,
    pub amount_cents: Option<i64>,
}

impl Header {
    /// Applies a patch's header fields, checking each one that is present.
    pub fn patched(&self, patch: &WorkOrderPatch) -> Result<Header, Invalid> {
        let mut h = self.clone();
        if let Some(v) = &patch.customer {
            h.customer = check_short("customer", v, true)?;
        }
        if let Some(v) = &patch.product {
            h.product = check_short("product", v, true)?;
        }
        if let Some(v) = patch.quantity {
            h.quantity = check_quantity("quantity", v)?;
        }
        if let Some(v) = &patch.unit {
            h.unit = check_short("unit", v, false)?;
        }
        if let Some(v) = patch.overs {
            h.spoilage = check_spoilage(v)?;
        }
        if let Some(v) = patch.gsm {
            h.gsm = check_range("gsm", v, 0, 10_000)?;
        }
        if let Some(v) = &patch.sheet_size {
            h.sheet_size = check_short("sheet_size", v, false)?;
        }
        if let Some(v) = patch.colors_front {
            h.colors_front = check_range("colors_front", v, 0, 12)?;
        }
        if let Some(v) = patch.colors_back {
            h.colors_back = check_range("colors_back", v, 0, 12)?;
        }
        if let Some(v) = patch.ups {
            h.ups = check_range("ups", v, 1, 10_000)?;
        }
        if let Some(v) = patch.due_date {
            h.due_date = v;
        }
        if let Some(v) = patch.priority {
            h.priority = v;
        }
        if let Some(v) = &patch.paper {
            h.paper = check_short("paper", v, false)?;
        }
        if let Some(v) = &patch.finished_size {
            h.finished_size = check_short("finished_size", v, false)?;
        }
        if let Some(v) = &patch.colors {
            h.colors = check_short("colors", v, false)?;
        }
        if let Some(v) = &patch.notes {
            h.notes = check_long("notes", v)?;
        }
        if let Some(v) = patch.unit_price {
            h.unit_price_x10k = Some(unit_price_to_x10k("unit_price", v)?);
        }
        if let Some(v) = patch.amount {
            h.amount_cents = Some(amount_to_cents("amount", v)?);
        } else if patch.unit_price.is_some() || patch.quantity.is_some() {
            h.amount_cents = derived_amount(h.unit_price_x10k, h.quantity).or(h.amount_cents);
        }
        Ok(h)
    }
}

fn derived_amount(unit_price_x10k: Option<i64>, quantity: i64) -> Option<i64> {
    unit_price_x10k.map(|p| ((p as i128 * quantity as i128 + 50) / 100) as i64)
}

impl NewWorkOrder {
    /// Checks every field; the first broken rule is returned with its field.
    pub fn check(&self) -> Result<(Header, Vec<CheckedLine>), Invalid> {
        let unit_price_x10k = self
            .unit_price
            .map(|v| unit_price_to_x10k("unit_price", v))
            .transpose()?;
        let quantity = check_quantity("quantity", self.quantity)?;
        let amount_cents = match self.amount {
            Some(v) => Some(amount_to_cents("amount", v)?),
            None => derived_amount(unit_price_x10k, quantity),
        };
        let header = Header {
            customer: check_short("customer", &self.customer, true)?,
            product: check_short("product", &self.product, true)?,
            quantity,
            unit: check_short("unit", &self.unit, false)?,
            spoilage: check_spoilage(self.overs)?,
            due_date: self.due_date,
            priority: self.priority,
            paper: check_short("paper", &self.paper, false)?,
            finished_size: check_short("finished_size", &self.finished_size, false)?,
            colors: check_short("colors", &self.colors, false)?,
            notes: check_long("notes", &self.notes)?,
            gsm: check_range("gsm", self.gsm, 0, 10_000)?,
            sheet_size: check_short("sheet_size", &self.sheet_size, false)?,
            colors_front: check_range("colors_front", self.colors_front, 0, 12)?,
            colors_back: check_range("colors_back", self.colors_back, 0, 12)?,
            ups: check_range("ups", self.ups, 1, 10_000)?,
            unit_price_x10k,
            amount_cents,
        };
        let lines = check_lines(&self.processes, true)?;
        if lines.iter().any(|l| l.id.is_some()) {
            return Err(Invalid::new(
                "processes",
                "a new work order's lines have no id yet",
            ));
        }
        Ok((header, lines))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(json: serde_json::Value) -> NewWorkOrder {
        serde_json::from_value(json).unwrap()
    }

    fn base() -> serde_json::Value {
        serde_json::json!({
            "customer": "  华彩包装 ", "product": "彩盒", "quantity": 5000,
            "due_date": "2026-12-01", "unit_price": 0.35,
            "processes": [{"process_id": 1}, {"process_id": 2, "quantity": 5200, "parts": ["面纸", "底纸"]}]
        })
    }

    #[test]
    fn a_good_order_is_trimmed_and_priced() {
        let (h, lines) = order(base()).check().unwrap();
        assert_eq!(h.customer, "华彩包装");
        assert_eq!(h.priority, Priority::Normal);
        assert_eq!(h.unit_price_x10k, Some(3500));
        assert_eq!(h.amount_cents, Some(175_000));
        assert_eq!(lines[1].parts, vec!["面纸", "底纸"]);
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let cases = [
            ("customer", serde_json::json!(" ")),
            ("quantity", serde_json::json!(0)),
            ("quantity", serde_json::json!(-3)),
            ("unit_price", serde_json::json!(-1.0)),
            ("processes", serde_json::json!([])),
        ];
        for (field, value) in cases {
            let mut json = base();
            json[field] = value;
            assert_eq!(order(json).check().unwrap_err().field, field);
        }
        let mut json = base();
        json["processes"][1]["quantity"] = serde_json::json!(0);
        assert_eq!(
            order(json).check().unwrap_err().field,
            "processes[1].quantity"
        );
        let mut json = base();
        json["processes"][1]["parts"] = serde_json::json!(["a", "a"]);
        assert_eq!(order(json).check().unwrap_err().field, "processes[1].parts");
    }

    #[test]
    fn a_patch_recomputes_the_amount_from_the_price() {
        let (h, _) = order(base()).check().unwrap();
        let patch = WorkOrderPatch {
            quantity: Some(10_000),
            ..Default::default()
        };
        assert_eq!(h.patched(&patch).unwrap().amount_cents, Some(350_000));
    }
}
