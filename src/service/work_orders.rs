//! Work orders: create (with their draft tasks), edit (differential task sync), read and list.
//! The approval flow lives in `work_order_flow`; applying a sync plan in `line_sync`.

use super::catalog::{processes_by_id, Process};
use super::line_sync::{self, FreshOrder, OrderCtx};
pub(super) use super::order_status::load_order_row;
use super::views::{load_work_order, work_order_from_row, WorkOrderView, WORK_ORDER_SELECT};
use super::{now_ms, order_flow, Actor, Error};
use crate::domain::process_list::{follow_spec, plan_sync, CurrentLine, WantedLine};
use crate::domain::routing::{self, LineAsk, ProcessFacts};
use crate::domain::work_order::{check_lines, CheckedLine, Header, NewWorkOrder, WorkOrderPatch};
use crate::domain::Rule;
use crate::domain::{Invalid, Role, WorkOrderAction, WorkOrderStatus};
use crate::store::event_log::{append, NewEvent};
use crate::store::Store;
use chrono::{Datelike, TimeZone};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

pub const MAKERS: &[Role] = &[Role::Admin, Role::Manager, Role::Maker];

pub async fn create_work_order(
    store: &Store,
    actor: &Actor,
    input: NewWorkOrder,
) -> Result<WorkOrderView, Error> {
    actor.require(MAKERS, "create work orders")?;
    let (header, lines) = input.check()?;
    let actor_id = actor.id;
    let id = store
        .write(move |conn| {
            insert_work_order(
                conn,
                actor_id,
                &header,
                &lines,
                None,
                WorkOrderStatus::Draft,
            )
        })
        .await?;
    get_work_order(store, actor, id).await
}

/// Inserts an order and its tasks (draft, or pending when `status` is already published).
/// Shared by the API and the legacy import.
pub fn insert_work_order(
    conn: &Connection,
    actor_id: i64,
    header: &Header,
    lines: &[CheckedLine],
    number: Option<&str>,
    status: WorkOrderStatus,
) -> Result<i64, Error> {
    let now = now_ms();
    // Past approval the tasks are in the pools (an import may create such orders directly).
    let published = !matches!(status, WorkOrderStatus::Draft | WorkOrderStatus::Submitted);
    let catalog = processes_by_id(conn, lines.iter().map(|l| l.process_id))?;
    let resolved = resolve_lines(lines, header, &catalog)?;
    let number = match number {
        Some(n) => n.to_owned(),
        None => next_number(conn, now)?,
    };
    conn.prepare_cached(
        "INSERT INTO work_orders (number, customer, product, quantity, unit, spoilage, due_date,
            priority, status, paper, finished_size, colors, notes, unit_price_x10k, amount_cents,
            created_by, created_at, updated_at, approved_at, gsm, sheet_size, colors_front,
            colors_back, ups)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23)",
    )?
    .execute(params![
        number,
        header.customer,
        header.product,
        header.quantity,
        header.unit,
        header.spoilage,
        header.due_date.to_string(),
        header.priority.rank(),
        status.as_str(),
        header.paper,
        header.finished_size,
        header.colors,
        header.notes,
        header.unit_price_x10k,
        header.amount_cents,
        actor_id,
        now,
        published.then_some(now),
        header.gsm,
        header.sheet_size,
        header.colors_front,
        header.colors_back,
        header.ups,
    ])?;
    let id = conn.last_insert_rowid();
    append(
        conn,
        now,
        &NewEvent {
            kind: "work_order.created",
            actor_id: Some(actor_id),
            work_order_id: Some(id),
            data: json!({"number": number, "customer": header.customer, "product": header.product,
                         "status": status.as_str(), "amount": header.amount_cents.map(|c| c as f64 / 100.0)}),
            ..Default::default()
        },
    )?;
    let ctx = OrderCtx {
        work_order_id: id,
        number,
        customer: header.customer.clone(),
        product: header.product.clone(),
        priority: header.priority,
        due_date: header.due_date.to_string(),
        published,
        actor_id,
        now,
    };
    let mut fresh = FreshOrder;
    for (i, line) in resolved.wanted.iter().enumerate() {
        line_sync::add_line(conn, &ctx, i as i64 + 1, line, &catalog, Some(&mut fresh))?;
    }
    line_sync::write_needs(conn, id, &resolved.needs)?;
    order_flow::ensure_gates(conn, id)?;
    order_flow::settle(conn, id, Some(actor_id), now)?;
    Ok(id)
}

/// The lines an order wants, with what the routing adds: each line's place in the graph
/// (needs as indexes into the list, written once the lines have ids).
pub(super) struct Resolved {
    pub wanted: Vec<WantedLine>,
    pub needs: Vec<Option<Vec<usize>>>,
}

/// Fills each line's defaults (its quantity from the spec in the process's unit, its step)
/// and checks that every process exists and is in use and that the graph has no cycle.
fn resolve_lines(
    lines: &[CheckedLine],
    header: &Header,
    catalog: &HashMap<i64, Process>,
) -> Result<Resolved, Error> {
    let mut facts = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let process = catalog
            .get(&line.process_id)
            .filter(|p| p.active)
            .ok_or_else(|| {
                Invalid::new(
                    format!("processes[{i}].process_id"),
                    format!("there is no active process {}", line.process_id),
                )
                .breaking(Rule::Unknown)
            })?;
        facts.push(ProcessFacts {
            unit: process.unit,
            default_step: process.default_step,
        });
    }
    let asks: Vec<LineAsk> = lines
        .iter()
        .map(|l| LineAsk {
            step: l.step,
            needs: l.needs.clone(),
            parallel: l.parallel.unwrap_or(false),
        })
        .collect();
    let placed = routing::place(&asks, &facts)?;
    let mut wanted = Vec::with_capacity(lines.len());
    for (i, (line, place)) in lines.iter().zip(&placed).enumerate() {
        let quantity = match line.quantity {
            Some(q) => q,
            None => routing::default_quantity(facts[i].unit, header).ok_or_else(|| {
                Invalid::new(
                    format!("processes[{i}].quantity"),
                    "a plate line takes its quantity from the order's colours: give colors_front \
                     and colors_back, or a quantity for this line",
                )
                .breaking(Rule::NeedsColours)
            })?,
        };
        wanted.push(WantedLine {
            id: line.id,
            process_id: line.process_id,
            quantity,
            note: line.note.clone(),
            parallel: line.parallel.unwrap_or(false),
            parts: line.parts.clone(),
            step: place.step,
            quantity_set: line.quantity.is_some(),
        });
    }
    Ok(Resolved {
        wanted,
        needs: placed.into_iter().map(|p| p.needs).collect(),
    })
}

/// The next `yyyymmNNN` number, drawn inside the caller's write transaction.
fn next_number(conn: &Connection, now: i64) -> Result<String, Error> {
    let today = chrono::Local
        .timestamp_millis_opt(now)
        .single()
        .unwrap_or_else(chrono::Local::now);
    let month = format!("{:04}{:02}", today.year(), today.month());
    let mut bump = conn.prepare_cached(
        "INSERT INTO counters (name, value) VALUES (?1, 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
    )?;
    let mut taken = conn.prepare_cached("SELECT 1 FROM work_orders WHERE number = ?1")?;
    loop {
        let n: i64 = bump.query_row([format!("work_order:{month}")], |r| r.get(0))?;
        let number = format!("{month}{n:03}");
        // Imported orders may already hold a number of this month.
        if !taken.exists([&number])? {
            return Ok(number);
        }
    }
}

pub async fn edit_work_order(
    store: &Store,
    actor: &Actor,
    id: i64,
    patch: WorkOrderPatch,
) -> Result<WorkOrderView, Error> {
    actor.require(MAKERS, "edit work orders")?;
    let lines = patch
        .processes
        .as_deref()
        .map(|l| check_lines(l, true))
        .transpose()?;
    let actor_id = actor.id;
    store
        .write(move |conn| apply_edit(conn, actor_id, id, &patch, lines.as_deref()))
        .await?;
    get_work_order(store, actor, id).await
}

fn apply_edit(
    conn: &Connection,
    actor_id: i64,
    id: i64,
    patch: &WorkOrderPatch,
    lines: Option<&[CheckedLine]>,
) -> Result<(), Error> {
    let now = now_ms();
    let order = load_order_row(conn, id)?;
    let published = match (
        order.status.after(WorkOrderAction::EditDraft),
        order.status.after(WorkOrderAction::EditPublished),
    ) {
        (Some(_), _) => false,
        (None, Some(_)) => true,
        (None, None) => {
            return Err(Error::conflict(
                order.status.conflict_code(),
                format!(
                    "work order {} is {} and can no longer be edited",
                    order.number,
                    order.status.as_str()
                ),
            ))
        }
    };
    if let Some(expected) = patch.version {
        if expected != order.version {
            return Err(Error::conflict(
                "version_conflict",
                format!("work order {} was changed by someone else (version {} now); reload and edit again", order.number, order.version),
            ));
        }
    }
    let header = order.header.patched(patch)?;
    conn.prepare_cached(
        "UPDATE work_orders SET customer = ?2, product = ?3, quantity = ?4, unit = ?5, spoilage = ?6,
            due_date = ?7, priority = ?8, paper = ?9, finished_size = ?10, colors = ?11, notes = ?12,
            unit_price_x10k = ?13, amount_cents = ?14, updated_at = ?15, version = version + 1,
            gsm = ?16, sheet_size = ?17, colors_front = ?18, colors_back = ?19, ups = ?20
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        header.customer,
        header.product,
        header.quantity,
        header.unit,
        header.spoilage,
        header.due_date.to_string(),
        header.priority.rank(),
        header.paper,
        header.finished_size,
        header.colors,
        header.notes,
        header.unit_price_x10k,
        header.amount_cents,
        now,
        header.gsm,
        header.sheet_size,
        header.colors_front,
        header.colors_back,
        header.ups,
    ])?;
    let ctx = OrderCtx {
        work_order_id: id,
        number: order.number.clone(),
        customer: header.customer.clone(),
        product: header.product.clone(),
        priority: header.priority,
        due_date: header.due_date.to_string(),
        published,
        actor_id,
        now,
    };
    let mut summary =
        json!({"number": order.number, "fields": changed_fields(&order.header, &header)});
    if header.priority != order.header.priority || header.due_date != order.header.due_date {
        line_sync::retime_open_tasks(conn, &ctx)?;
    }
    let current = current_lines(conn, id)?;
    let spec_changed = header.quantity != order.header.quantity
        || header.ups != order.header.ups
        || header.spoilage != order.header.spoilage
        || routing::colours(&header) != routing::colours(&order.header);
    let wanted = match lines {
        Some(lines) => {
            let catalog = processes_by_id(conn, lines.iter().map(|l| l.process_id))?;
            let resolved = resolve_lines(lines, &header, &catalog)?;
            Some((resolved.wanted, Some(resolved.needs), catalog))
        }
        // The lines that follow the spec are planned again when it changes.
        None if spec_changed => {
            let catalog = processes_by_id(conn, current.iter().map(|l| l.process_id))?;
            let wanted = follow_spec(&current, |c| {
                catalog
                    .get(&c.process_id)
                    .and_then(|p| routing::default_quantity(p.unit, &header))
            });
            Some((wanted, None, catalog))
        }
        None => None,
    };
    if let Some((wanted, needs, catalog)) = wanted {
        let worked = order_flow::worked_prerequisites(conn, id)?;
        let plan = plan_sync(&current, &wanted)?;
        summary["lines"] = json!({
            "added": plan.add.len(), "removed": plan.remove.len(),
            "changed": plan.change.len(), "unchanged": plan.unchanged.len(),
        });
        line_sync::apply_plan(conn, &ctx, &plan, &catalog)?;
        if let Some(needs) = needs {
            line_sync::write_needs(conn, id, &needs)?;
        }
        order_flow::ensure_gates(conn, id)?;
        order_flow::refuse_new_prerequisites(conn, id, &worked)?;
    }
    if header.amount_cents != order.header.amount_cents {
        summary["amount"] = json!(header.amount_cents.map(|c| c as f64 / 100.0));
    }
    append(
        conn,
        now,
        &NewEvent {
            kind: "work_order.updated",
            actor_id: Some(actor_id),
            work_order_id: Some(id),
            data: summary,
            ..Default::default()
        },
    )?;
    // A removed or cancelled step may hand work on, or be the last open one.
    order_flow::settle(conn, id, Some(actor_id), now)?;
    Ok(())
}

fn changed_fields(old: &Header, new: &Header) -> Vec<&'static str> {
    let mut fields = Vec::new();
    macro_rules! diff {
        ($($f:ident),*) => { $( if old.$f != new.$f { fields.push(stringify!($f)); } )* };
    }
    diff!(
        customer,
        product,
        quantity,
        unit,
        spoilage,
        due_date,
        priority,
        paper,
        finished_size,
        colors,
        notes,
        gsm,
        sheet_size,
        colors_front,
        colors_back,
        ups
    );
    if old.unit_price_x10k != new.unit_price_x10k {
        fields.push("unit_price");
    }
    fields
}

fn current_lines(conn: &Connection, work_order_id: i64) -> Result<Vec<CurrentLine>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, process_id, position, quantity, note, parallel, parts, step, quantity_set
         FROM work_order_lines WHERE work_order_id = ?1 AND removed = 0 ORDER BY position",
    )?;
    let rows = stmt.query_map([work_order_id], |r| {
        let parts: String = r.get(6)?;
        Ok(CurrentLine {
            id: r.get(0)?,
            process_id: r.get(1)?,
            position: r.get(2)?,
            quantity: r.get(3)?,
            note: r.get(4)?,
            parallel: r.get(5)?,
            parts: serde_json::from_str(&parts).unwrap_or_default(),
            step: r.get(7)?,
            quantity_set: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub async fn get_work_order(store: &Store, actor: &Actor, id: i64) -> Result<WorkOrderView, Error> {
    let scope = actor.scope();
    store
        .read(move |conn| {
            load_work_order(conn, id, &scope)?
                .ok_or_else(|| Error::not_found(format!("work order {id}")))
        })
        .await
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkOrderFilter {
    pub status: Option<WorkOrderStatus>,
    pub priority: Option<crate::domain::Priority>,
    pub customer: Option<String>,
    pub q: Option<String>,
    pub due_before: Option<chrono::NaiveDate>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Lists work orders most urgent first, then by due date, with a keyset cursor.
pub async fn list_work_orders(
    store: &Store,
    actor: &Actor,
    filter: WorkOrderFilter,
) -> Result<Page<WorkOrderView>, Error> {
    let scope = actor.scope();
    let limit = filter.limit.unwrap_or(50).clamp(1, 500);
    let after = filter
        .cursor
        .as_deref()
        .map(super::tasks::parse_cursor)
        .transpose()?;
    store
        .read(move |conn| {
            let mut sql = format!("{WORK_ORDER_SELECT} WHERE {}", scope.work_order_predicate());
            let mut args: Vec<rusqlite::types::Value> = Vec::new();
            if let Some(s) = filter.status {
                args.push(s.as_str().to_owned().into());
                sql += &format!(" AND w.status = ?{}", args.len());
            }
            if let Some(p) = filter.priority {
                args.push(p.rank().into());
                sql += &format!(" AND w.priority = ?{}", args.len());
            }
            if let Some(c) = filter.customer.filter(|c| !c.is_empty()) {
                args.push(format!("%{c}%").into());
                sql += &format!(" AND w.customer LIKE ?{}", args.len());
            }
            if let Some(q) = filter.q.filter(|q| !q.is_empty()) {
                args.push(format!("%{q}%").into());
                let n = args.len();
                sql += &format!(" AND (w.number LIKE ?{n} OR w.customer LIKE ?{n} OR w.product LIKE ?{n})");
            }
            if let Some(d) = filter.due_before {
                args.push(d.to_string().into());
                sql += &format!(" AND w.due_date <= ?{}", args.len());
            }
            if let Some((priority, due, id)) = after {
                args.push(priority.into());
                let p = args.len();
                args.push(due.into());
                let d = args.len();
                args.push(id.into());
                let i = args.len();
                sql += &format!(
                    " AND (w.priority < ?{p} OR (w.priority = ?{p} AND (w.due_date > ?{d} OR (w.due_date = ?{d} AND w.id > ?{i}))))"
                );
            }
            sql += &format!(" ORDER BY w.priority DESC, w.due_date, w.id LIMIT {}", limit + 1);
            let mut stmt = conn.prepare(&sql)?;
            let mut items = stmt
                .query_map(rusqlite::params_from_iter(args), work_order_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            let next_cursor = if items.len() as i64 > limit {
                items.truncate(limit as usize);
                items.last().map(|w| super::tasks::make_cursor(w.priority.rank(), &w.due_date, w.id))
            } else {
                None
            };
            let items = items.into_iter().map(|w| w.masked(&scope)).collect();
            Ok(Page { items, next_cursor })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::work_order::CheckedLine;
    use crate::domain::Priority;
    use crate::service::views::load_task;
    use crate::store::event_log::for_work_order;
    use rand::{Rng, SeedableRng};

    /// The snapshots a new order's task events carry are built from the inserted values, not
    /// read back; they must be exactly what a read would give.
    #[test]
    fn fresh_task_snapshots_equal_a_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        crate::service::seed::ensure_catalog_blocking(&store).unwrap();
        store
            .write_blocking(|conn| {
                conn.execute("INSERT INTO users (id, username, display_name, role, password_hash, created_at)
                              VALUES (1, 'maker', '制单员', 'maker', '-', 0)", [])?;
                Ok::<_, Error>(())
            })
            .unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        for round in 0..40 {
            let published = rng.random_bool(0.5);
            let parts = [
                vec![],
                vec!["cover".to_owned()],
                vec!["cover".to_owned(), "inner".to_owned()],
            ];
            let lines: Vec<CheckedLine> = (0..rng.random_range(1..12))
                .map(|_| CheckedLine {
                    id: None,
                    process_id: rng.random_range(1..=18),
                    quantity: rng.random_bool(0.5).then(|| rng.random_range(1..5000)),
                    note: String::new(),
                    parallel: rng.random_bool(0.3).then(|| rng.random_bool(0.5)),
                    parts: parts[rng.random_range(0..parts.len())].clone(),
                    step: None,
                    needs: None,
                })
                .collect();
            let header = Header {
                customer: format!("客户 {round}"),
                product: "画册".into(),
                quantity: 1000,
                unit: "本".into(),
                spoilage: 0,
                due_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                priority: Priority::from_rank(rng.random_range(0..4)),
                paper: String::new(),
                finished_size: String::new(),
                colors: String::new(),
                notes: String::new(),
                gsm: 0,
                sheet_size: String::new(),
                colors_front: 4,
                colors_back: 0,
                ups: 2,
                unit_price_x10k: None,
                amount_cents: None,
            };
            let status = if published {
                WorkOrderStatus::Approved
            } else {
                WorkOrderStatus::Draft
            };
            store
                .write_blocking(move |conn| {
                    let id = insert_work_order(conn, 1, &header, &lines, None, status)?;
                    let mut seen = 0;
                    for e in for_work_order(conn, id)?
                        .iter()
                        .filter(|e| e.task_id.is_some())
                    {
                        if e.kind != "task.created" && e.kind != "task.published" {
                            continue;
                        }
                        let read = load_task(conn, e.task_id.unwrap())?.unwrap();
                        // The flow is settled once every task is in, after these snapshots;
                        // it is announced by its own events.
                        let strip = |mut v: serde_json::Value| {
                            for k in ["available_qty", "ready", "blocked_by"] {
                                v[k] = serde_json::Value::Null;
                            }
                            v
                        };
                        assert_eq!(
                            strip(e.data["task"].clone()),
                            strip(serde_json::to_value(&read).unwrap()),
                            "round {round}"
                        );
                        seen += 1;
                    }
                    assert!(seen >= lines.len(), "round {round}: {seen} task events");
                    Ok::<_, Error>(())
                })
                .unwrap();
        }
    }
}
