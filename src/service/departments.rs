//! Changing a department's dispatch settings (strategy, auto-assign delay, WIP cap), with its
//! event. Reading departments is `catalog`'s; applying the settings is `dispatch`'s.

use super::catalog::{department_by_id, Department};
use super::{now_ms, Actor, Error};
use crate::domain::dispatch::{check_delay, check_wip_cap, StrategyKind};
use crate::domain::Role;
use crate::domain::Rule;
use crate::store::event_log::{append, NewEvent};
use crate::store::Store;
use rusqlite::params;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Map, Value};

/// Who may change how a department's work is handed out: the people who run the whole floor.
pub const SETTERS: &[Role] = &[Role::Admin, Role::Manager];

/// A partial update: absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentSettings {
    #[serde(default)]
    pub strategy: Option<StrategyKind>,
    #[serde(default)]
    pub auto_assign_delay_s: Option<i64>,
    /// Absent: unchanged; `null`: no cap; a number: the cap.
    #[serde(default, deserialize_with = "present")]
    pub wip_cap: Option<Option<i64>>,
}

/// Tells a field given as `null` (Some(None)) from one left out (None).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

impl DepartmentSettings {
    fn check(&self) -> Result<(), Error> {
        if self.strategy.is_none() && self.auto_assign_delay_s.is_none() && self.wip_cap.is_none() {
            return Err(Error::breaking(
                "body",
                "name at least one of strategy, auto_assign_delay_s, wip_cap",
                Rule::Required,
            ));
        }
        if let Some(d) = self.auto_assign_delay_s {
            check_delay(d)?;
        }
        if let Some(cap) = self.wip_cap {
            check_wip_cap(cap)?;
        }
        Ok(())
    }
}

/// Changes the settings named in `settings`; the event lists each change as from/to. The
/// dispatcher wakes on that event, so a switch from manual hands out the waiting pool.
pub async fn update_department(
    store: &Store,
    actor: &Actor,
    id: i64,
    settings: DepartmentSettings,
) -> Result<Department, Error> {
    actor.require(SETTERS, "change department settings")?;
    settings.check()?;
    let actor_id = actor.id;
    store
        .write(move |conn| {
            let before = department_by_id(conn, id)?
                .ok_or_else(|| Error::not_found(format!("department {id}")))?;
            let strategy = settings
                .strategy
                .map(|s| s.as_str().to_owned())
                .unwrap_or_else(|| before.strategy.clone());
            let delay = settings
                .auto_assign_delay_s
                .unwrap_or(before.auto_assign_delay_s);
            let cap = settings.wip_cap.unwrap_or(before.wip_cap);
            conn.prepare_cached(
                "UPDATE departments SET strategy = ?2, auto_assign_delay_s = ?3, wip_cap = ?4
                 WHERE id = ?1",
            )?
            .execute(params![id, strategy, delay, cap])?;
            let after = department_by_id(conn, id)?
                .ok_or_else(|| Error::not_found(format!("department {id}")))?;
            let mut changes = Map::new();
            let mut note = |field: &str, from: Value, to: Value| {
                if from != to {
                    changes.insert(field.to_owned(), json!({"from": from, "to": to}));
                }
            };
            note("strategy", json!(before.strategy), json!(after.strategy));
            note(
                "auto_assign_delay_s",
                json!(before.auto_assign_delay_s),
                json!(after.auto_assign_delay_s),
            );
            note("wip_cap", json!(before.wip_cap), json!(after.wip_cap));
            if !changes.is_empty() {
                append(
                    conn,
                    now_ms(),
                    &NewEvent {
                        kind: "department.updated",
                        actor_id: Some(actor_id),
                        department_id: Some(id),
                        data: json!({"department": after, "changes": changes}),
                        ..Default::default()
                    },
                )?;
            }
            Ok(after)
        })
        .await
}
