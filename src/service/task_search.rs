//! The task list's `q=`: which tasks a search text names, as one SQL condition, through the
//! trigram index of work orders (schema.sql) where that is cheaper than reading the list.
//! It only narrows a list; what an actor may see stays `Scope`'s decision.

use super::Error;
use rusqlite::types::Value;
use rusqlite::Connection;

/// Up to this many matching orders, the list reads their tasks and sorts them (a few
/// thousand rows at most); beyond it, matches are common enough that walking the list in
/// order and testing each row finds a page sooner.
const FEW_ORDERS: usize = 1000;
/// The trigram index needs three characters; shorter texts are matched row by row.
const MIN_INDEXED_CHARS: usize = 3;

/// `q` as a LIKE pattern matching it anywhere, literally (`%` and `_` are not wildcards).
fn contains_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// How a list finds the tasks a search text names.
pub struct Search {
    /// An SQL condition over `t`, `w` and `p`, starting with " AND".
    pub condition: String,
    /// Its one argument.
    pub arg: Value,
    /// The condition names a few orders: read their tasks through `tasks_by_order`.
    pub by_order: bool,
}

/// Tasks whose order number, customer or product, or whose process code or Chinese name,
/// contain `q`. The condition's argument is numbered `arg`.
pub fn search(conn: &Connection, q: &str, arg: usize) -> Result<Search, Error> {
    let pattern = contains_pattern(q);
    let scan = format!(
        " AND (w.number LIKE ?{arg} ESCAPE '\\' OR w.customer LIKE ?{arg} ESCAPE '\\'
            OR w.product LIKE ?{arg} ESCAPE '\\' OR p.code LIKE ?{arg} ESCAPE '\\'
            OR p.name_zh LIKE ?{arg} ESCAPE '\\')"
    );
    let scan = Search {
        condition: scan,
        arg: pattern.clone().into(),
        by_order: false,
    };
    if q.chars().count() < MIN_INDEXED_CHARS {
        return Ok(scan);
    }
    // A process name matches a large share of all tasks: the scan finds a page at once.
    let names_a_process: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM processes
             WHERE code LIKE ?1 ESCAPE '\\' OR name_zh LIKE ?1 ESCAPE '\\')",
        )?
        .query_row([&pattern], |r| r.get(0))?;
    if names_a_process {
        return Ok(scan);
    }
    // A trigram phrase matches the text as a substring, ignoring case as LIKE does.
    let phrase = format!("\"{}\"", q.replace('"', "\"\""));
    let orders: Vec<i64> = conn
        .prepare_cached(
            "SELECT rowid FROM work_order_search WHERE work_order_search MATCH ?1 LIMIT ?2",
        )?
        .query_map(rusqlite::params![phrase, FEW_ORDERS as i64 + 1], |r| {
            r.get(0)
        })?
        .collect::<Result<_, _>>()?;
    if orders.len() > FEW_ORDERS {
        return Ok(scan);
    }
    Ok(Search {
        condition: format!(" AND t.work_order_id IN (SELECT value FROM json_each(?{arg}))"),
        arg: serde_json::to_string(&orders).unwrap_or_default().into(),
        by_order: true,
    })
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn wildcards_in_the_text_are_taken_literally() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
