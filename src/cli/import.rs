//! `presswork import FILE` and `presswork export FILE`: the file formats (CSV with one order
//! per row, process lists joined by `|`; or a JSON array) and the report. Checking and
//! writing the orders is `service::import`'s.

use crate::config::Config;
use crate::service::export::export_orders;
use crate::service::import::{import_orders, ImportOptions, LegacyOrder, LegacyProcess, Row};
use crate::service::seed;
use anyhow::{bail, Context};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A .csv or .json file of work orders.
    pub file: PathBuf,
    /// Check every row and report, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the good rows even when some are bad (the bad ones are still reported).
    #[arg(long)]
    pub skip_bad: bool,
    /// Record the orders as created by this user (default: the first admin).
    #[arg(long = "as", value_name = "USERNAME")]
    pub as_user: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// A .csv or .json file to write.
    pub file: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}

pub const COLUMNS: [&str; 10] = [
    "number",
    "customer",
    "product",
    "quantity",
    "due_date",
    "priority",
    "status",
    "processes",
    "done",
    "operators",
];
const REQUIRED: [&str; 7] = [
    "number",
    "customer",
    "product",
    "quantity",
    "due_date",
    "status",
    "processes",
];
/// Joins a process list and its per-process columns inside one CSV cell.
const SEP: char = '|';

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Csv,
    Json,
}

fn format_of(path: &Path) -> anyhow::Result<Format> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
    {
        Some(e) if e == "csv" => Ok(Format::Csv),
        Some(e) if e == "json" => Ok(Format::Json),
        _ => bail!("{}: name the file .csv or .json", path.display()),
    }
}

pub fn run_import(config: &Config, args: ImportArgs) -> anyhow::Result<()> {
    let format = format_of(&args.file)?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let text = String::from_utf8(bytes).context("the file is not UTF-8 text")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let rows = match format {
        Format::Csv => read_csv(text)?,
        Format::Json => read_json(text)?,
    };
    let store = super::open_current(config)?;
    seed::ensure_catalog_blocking(&store)?;
    let options = ImportOptions {
        dry_run: args.dry_run,
        skip_bad: args.skip_bad,
    };
    let total = rows.len();
    let outcome = import_orders(&store, args.as_user, rows, options)?;
    for (line, reason) in &outcome.bad {
        say!("line {line}: {reason}")?;
    }
    let (n, present, bad) = (
        outcome.imported.len(),
        outcome.present.len(),
        outcome.bad.len(),
    );
    if args.dry_run {
        say!("dry run of {total} rows: {n} to import, {present} already present, {bad} bad; nothing was written")?;
        if bad > 0 && !args.skip_bad {
            bail!("{bad} bad row(s)");
        }
        return Ok(());
    }
    if !outcome.applied {
        bail!("{bad} bad row(s); nothing was imported (fix them, or pass --skip-bad to import the good rows)");
    }
    // A big import leaves a big WAL; fold it back so the data dir is one compact file.
    store.checkpoint()?;
    say!("imported {n} work orders ({present} already present, {bad} bad rows skipped)")?;
    Ok(())
}

pub fn run_export(config: &Config, args: ExportArgs) -> anyhow::Result<()> {
    let format = format_of(&args.file)?;
    if args.file.exists() && !args.force {
        bail!(
            "{} exists; pass --force to overwrite it",
            args.file.display()
        );
    }
    let store = super::open_current(config)?;
    let orders = export_orders(&store)?;
    let text = match format {
        Format::Csv => write_csv(&orders)?,
        Format::Json => serde_json::to_string_pretty(&orders)? + "\n",
    };
    std::fs::write(&args.file, text).with_context(|| format!("writing {}", args.file.display()))?;
    say!(
        "exported {} work orders to {}",
        orders.len(),
        args.file.display()
    )?;
    Ok(())
}

pub fn read_csv(text: &str) -> anyhow::Result<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().context("reading the CSV header")?.clone();
    let index: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_ascii_lowercase(), i))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !index.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        bail!(
            "the CSV header lacks the column(s) {} (columns: {})",
            missing.join(", "),
            COLUMNS.join(",")
        );
    }
    for unknown in index.keys().filter(|h| !COLUMNS.contains(&h.as_str())) {
        tracing::warn!("ignoring the unknown CSV column '{unknown}'");
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(match record {
            Ok(rec) => Row {
                line: rec.position().map(|p| p.line() as usize).unwrap_or(0),
                order: csv_order(&rec, &index),
            },
            Err(e) => Row {
                line: e.position().map(|p| p.line() as usize).unwrap_or(0),
                order: Err(format!("unreadable CSV: {e}")),
            },
        });
    }
    Ok(rows)
}

/// Splits a `|`-joined cell into one entry per process (empty entries are "not given").
fn per_process(cell: &str, name: &str, count: usize) -> Result<Vec<Option<String>>, String> {
    if cell.trim().is_empty() {
        return Ok(vec![None; count]);
    }
    let parts: Vec<Option<String>> = cell
        .split(SEP)
        .map(|p| Some(p.trim().to_owned()).filter(|p| !p.is_empty()))
        .collect();
    if parts.len() != count {
        return Err(format!(
            "{name}: {} entries for {count} processes",
            parts.len()
        ));
    }
    Ok(parts)
}

fn csv_order(
    rec: &csv::StringRecord,
    index: &HashMap<String, usize>,
) -> Result<LegacyOrder, String> {
    let get = |name: &str| {
        index
            .get(name)
            .and_then(|i| rec.get(*i))
            .unwrap_or("")
            .to_owned()
    };
    let quantity = get("quantity");
    let quantity = quantity
        .parse()
        .map_err(|_| format!("quantity: '{quantity}' is not a whole number"))?;
    let codes: Vec<String> = get("processes")
        .split(SEP)
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    let done = per_process(&get("done"), "done", codes.len())?;
    let operators = per_process(&get("operators"), "operators", codes.len())?;
    let mut processes = Vec::with_capacity(codes.len());
    for (i, code) in codes.into_iter().enumerate() {
        let done = match &done[i] {
            Some(d) => Some(
                d.parse()
                    .map_err(|_| format!("done: '{d}' is not a whole number"))?,
            ),
            None => None,
        };
        processes.push(LegacyProcess {
            code,
            done,
            operator: operators[i].clone(),
        });
    }
    Ok(LegacyOrder {
        number: get("number"),
        customer: get("customer"),
        product: get("product"),
        quantity,
        due_date: get("due_date"),
        priority: get("priority"),
        status: get("status"),
        processes,
    })
}

pub fn write_csv(orders: &[LegacyOrder]) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for o in orders {
        let join = |f: &dyn Fn(&LegacyProcess) -> String| {
            let cells: Vec<String> = o.processes.iter().map(f).collect();
            if cells.iter().all(|c| c.is_empty()) {
                String::new()
            } else {
                cells.join("|")
            }
        };
        writer.write_record([
            o.number.clone(),
            o.customer.clone(),
            o.product.clone(),
            o.quantity.to_string(),
            o.due_date.clone(),
            o.priority.clone(),
            o.status.clone(),
            join(&|p| p.code.clone()),
            join(&|p| p.done.map(|d| d.to_string()).unwrap_or_default()),
            join(&|p| p.operator.clone().unwrap_or_default()),
        ])?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

pub fn read_json(text: &str) -> anyhow::Result<Vec<Row>> {
    let values: Vec<serde_json::Value> =
        serde_json::from_str(text).context("the JSON file must be an array of work orders")?;
    let lines = element_lines(text);
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, v)| Row {
            line: lines.get(i).copied().unwrap_or(0),
            order: serde_json::from_value(v).map_err(|e| e.to_string()),
        })
        .collect())
}

/// The line on which each element of the top-level JSON array starts.
fn element_lines(text: &str) -> Vec<usize> {
    let (mut line, mut depth, mut in_string, mut escaped, mut expect) = (1, 0, false, false, false);
    let mut starts = Vec::new();
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if expect && depth == 1 && !c.is_whitespace() && c != ']' {
            starts.push(line);
            expect = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                expect = depth == 1;
            }
            ']' | '}' => depth -= 1,
            ',' if depth == 1 => expect = true,
            _ => {}
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_elements_are_found_by_line() {
        let text = "[\n  {\"a\": \"x,[{\\\"\"},\n  {\"b\": [1, 2]}\n,\n\n {}]";
        assert_eq!(element_lines(text), [2, 3, 6]);
    }

    #[test]
    fn csv_rows_carry_their_lines_and_round_trip() {
        let text =
            "number,customer,product,quantity,due_date,priority,status,processes,done,operators\n\
                    A1,华彩,彩盒,5000,2026-12-01,high,completed,CTP|PRT,5000|4990,|li\n\
                    A2,\"Multi\nline\",Box,x,2026-12-01,,draft,CTP,,\n\
                    A3,C,P,10,2026-12-01,,pending,CTP|PRT,1,\n";
        let rows = read_csv(text).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 5]);
        let a1 = rows[0].order.clone().unwrap();
        assert_eq!(a1.processes[1].done, Some(4990));
        assert_eq!(a1.processes[0].operator, None);
        assert_eq!(a1.processes[1].operator.as_deref(), Some("li"));
        assert!(rows[1].order.as_ref().unwrap_err().contains("quantity"));
        assert!(rows[2]
            .order
            .as_ref()
            .unwrap_err()
            .contains("1 entries for 2"));
        let back = read_csv(&write_csv(std::slice::from_ref(&a1)).unwrap()).unwrap();
        assert_eq!(back[0].order.as_ref().unwrap(), &a1);
    }
}
