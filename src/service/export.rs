//! Exporting every work order in the format `import` reads, so export → import into an
//! empty data dir reproduces the orders. Reads only.

use super::import::{status_name, LegacyOrder, LegacyProcess};
use super::Error;
use crate::domain::Priority;
use crate::store::Store;

/// Every work order in the import format, oldest first.
pub fn export_orders(store: &Store) -> Result<Vec<LegacyOrder>, Error> {
    store.read_blocking(|conn| {
        let mut orders: Vec<(i64, LegacyOrder)> = conn
            .prepare("SELECT id, number, customer, product, quantity, due_date, priority, status FROM work_orders ORDER BY id")?
            .query_map([], |r| {
                let status: String = r.get(7)?;
                Ok((r.get(0)?, LegacyOrder {
                    number: r.get(1)?,
                    customer: r.get(2)?,
                    product: r.get(3)?,
                    quantity: r.get(4)?,
                    due_date: r.get(5)?,
                    priority: Priority::from_rank(r.get(6)?).as_str().to_owned(),
                    status: super::import::parse_status(&status).map(status_name).unwrap_or("draft").to_owned(),
                    processes: Vec::new(),
                }))
            })?
            .collect::<Result<_, _>>()?;
        let mut lines = conn.prepare(
            "SELECT p.code,
                    (SELECT SUM(t.good_qty) FROM tasks t WHERE t.line_id = l.id),
                    (SELECT u.username FROM tasks t JOIN users u ON u.id = t.operator_id
                      WHERE t.line_id = l.id ORDER BY t.id LIMIT 1)
             FROM work_order_lines l JOIN processes p ON p.id = l.process_id
             WHERE l.work_order_id = ?1 AND l.removed = 0 ORDER BY l.position",
        )?;
        for (id, order) in &mut orders {
            order.processes = lines
                .query_map([*id], |r| {
                    Ok(LegacyProcess {
                        code: r.get(0)?,
                        done: r.get::<_, Option<i64>>(1)?.filter(|d| *d > 0),
                        operator: r.get(2)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
        }
        Ok(orders.into_iter().map(|(_, o)| o).collect())
    })
}
