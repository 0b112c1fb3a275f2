//! The shop's list of scrap reason codes: read by everyone (operators pick one when they
//! report scrap), kept by admins and managers, seeded on first run. Reports check codes here.

use super::{now_ms, Actor, Error};
use crate::domain::work_order::check_short;
use crate::domain::Role;
use crate::domain::Rule;
use crate::store::event_log::{append, NewEvent};
use crate::store::Store;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// (code, 中文, English): the losses every print shop names.
const SEEDED: &[(&str, &str, &str)] = &[
    ("MAKE_READY", "开机损耗", "Make-ready waste"),
    ("RUN_WASTE", "过程损耗", "Run waste"),
    ("DEFECT", "质量不良", "Quality defect"),
    ("DAMAGE", "搬运损坏", "Handling damage"),
];

const KEEPERS: &[Role] = &[Role::Admin, Role::Manager];

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScrapReason {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub position: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScrapReason {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub position: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScrapReasonPatch {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub position: Option<i64>,
    pub active: Option<bool>,
}

/// Fills the list on first run (called with the rest of the catalogue).
pub fn seed(conn: &Connection) -> Result<(), Error> {
    for (i, (code, zh, en)) in SEEDED.iter().enumerate() {
        conn.execute(
            "INSERT OR IGNORE INTO scrap_reasons (code, name_zh, name_en, position) VALUES (?1, ?2, ?3, ?4)",
            params![code, zh, en, (i as i64 + 1) * 10],
        )?;
    }
    Ok(())
}

fn check_code(code: &str) -> Result<String, Error> {
    let code = code.trim().to_ascii_uppercase();
    let fine = !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !fine {
        return Err(Error::breaking(
            "code",
            "use 1 to 32 letters, digits or '_' (e.g. MAKE_READY)",
            Rule::CodeFormat { max: 32 },
        ));
    }
    Ok(code)
}

/// Highest list position: far more than any shop's list needs, and safe to add to.
const MAX_POSITION: i64 = 1_000_000;

fn check_position(position: i64) -> Result<i64, Error> {
    if (0..=MAX_POSITION).contains(&position) {
        Ok(position)
    } else {
        Err(Error::breaking(
            "position",
            format!("must be a whole number from 0 to {MAX_POSITION}"),
            Rule::Range {
                min: 0,
                max: MAX_POSITION,
            },
        ))
    }
}

const SELECT: &str = "SELECT code, name_zh, name_en, position, active FROM scrap_reasons";

fn from_row(r: &rusqlite::Row<'_>) -> Result<ScrapReason, rusqlite::Error> {
    Ok(ScrapReason {
        code: r.get(0)?,
        name_zh: r.get(1)?,
        name_en: r.get(2)?,
        position: r.get(3)?,
        active: r.get(4)?,
    })
}

fn load(conn: &Connection, code: &str) -> Result<Option<ScrapReason>, Error> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE code = ?1"))?
        .query_row([code], from_row)
        .optional()?)
}

/// Refuses a code that is not on the list or no longer in use.
pub fn require_active(conn: &Connection, code: &str) -> Result<ScrapReason, Error> {
    load(conn, code)?.filter(|r| r.active).ok_or_else(|| {
        Error::breaking(
            "scrap_reason",
            format!("'{code}' is not a scrap reason in use (GET /api/v1/scrap-reasons)"),
            Rule::Unknown,
        )
    })
}

/// The whole list, in use first, in the shop's order.
pub async fn list_scrap_reasons(store: &Store, _actor: &Actor) -> Result<Vec<ScrapReason>, Error> {
    store
        .read(|conn| {
            let mut stmt =
                conn.prepare_cached(&format!("{SELECT} ORDER BY active DESC, position, code"))?;
            let rows = stmt.query_map([], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
}

fn record(
    conn: &Connection,
    actor_id: i64,
    kind: &'static str,
    reason: &ScrapReason,
) -> Result<(), Error> {
    append(
        conn,
        now_ms(),
        &NewEvent {
            kind,
            actor_id: Some(actor_id),
            data: json!({"scrap_reason": reason}),
            ..Default::default()
        },
    )?;
    Ok(())
}

pub async fn create_scrap_reason(
    store: &Store,
    actor: &Actor,
    input: NewScrapReason,
) -> Result<ScrapReason, Error> {
    actor.require(KEEPERS, "change the scrap reasons")?;
    let reason = ScrapReason {
        code: check_code(&input.code)?,
        name_zh: check_short("name_zh", &input.name_zh, true)?,
        name_en: check_short("name_en", &input.name_en, true)?,
        position: check_position(input.position.unwrap_or(1000))?,
        active: true,
    };
    let actor_id = actor.id;
    store
        .write(move |conn| {
            if load(conn, &reason.code)?.is_some() {
                return Err(Error::conflict(
                    "scrap_reason_exists",
                    format!("there is already a scrap reason {}", reason.code),
                ));
            }
            conn.prepare_cached(
                "INSERT INTO scrap_reasons (code, name_zh, name_en, position) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![reason.code, reason.name_zh, reason.name_en, reason.position])?;
            record(conn, actor_id, "scrap_reason.created", &reason)?;
            Ok(reason)
        })
        .await
}

/// Renames, reorders or retires a reason. Codes never change and are never deleted: past
/// reports keep pointing at them.
pub async fn edit_scrap_reason(
    store: &Store,
    actor: &Actor,
    code: String,
    patch: ScrapReasonPatch,
) -> Result<ScrapReason, Error> {
    actor.require(KEEPERS, "change the scrap reasons")?;
    let name_zh = patch
        .name_zh
        .as_deref()
        .map(|v| check_short("name_zh", v, true))
        .transpose()?;
    let name_en = patch
        .name_en
        .as_deref()
        .map(|v| check_short("name_en", v, true))
        .transpose()?;
    let position = patch.position.map(check_position).transpose()?;
    let actor_id = actor.id;
    store
        .write(move |conn| {
            let code = code.to_ascii_uppercase();
            let mut reason = load(conn, &code)?
                .ok_or_else(|| Error::not_found(format!("scrap reason {code}")))?;
            if let Some(v) = name_zh {
                reason.name_zh = v;
            }
            if let Some(v) = name_en {
                reason.name_en = v;
            }
            if let Some(v) = position {
                reason.position = v;
            }
            if let Some(v) = patch.active {
                reason.active = v;
            }
            conn.prepare_cached(
                "UPDATE scrap_reasons SET name_zh = ?2, name_en = ?3, position = ?4, active = ?5 WHERE code = ?1",
            )?
            .execute(params![reason.code, reason.name_zh, reason.name_en, reason.position, reason.active])?;
            record(conn, actor_id, "scrap_reason.updated", &reason)?;
            Ok(reason)
        })
        .await
}
