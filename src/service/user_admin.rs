//! Changing people after they exist: role, departments, skills, display name, locale,
//! deactivation, and password resets. Admin only; every change is evented, and taking access
//! away (deactivation, a new password) signs the person out everywhere.

use super::users::{
    add_departments, add_skills, all_users, check_password, hash_password, hashing, UserView,
};
use super::{now_ms, Actor, Error};
use crate::domain::work_order::{check_short, REQUIRED_TEXT_PATTERN};
use crate::domain::Role;
use crate::domain::Rule;
use crate::events::hub::{Ending, Hub};
use crate::store::event_log::{append, NewEvent};
use crate::store::Store;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::json;

/// A partial update: absent fields stay as they are. Departments and skills are codes and,
/// when present, replace the whole list.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schemars(length(min = 1, max = 200), regex(pattern = REQUIRED_TEXT_PATTERN))]
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub departments: Option<Vec<String>>,
    pub skills: Option<Vec<String>>,
    pub active: Option<bool>,
    #[schemars(length(max = 20))]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    #[schemars(length(min = 8, max = 200))]
    pub password: String,
}

fn active_admins_other_than(conn: &Connection, id: i64) -> Result<i64, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?1",
        )?
        .query_row([id], |r| r.get(0))?)
}

fn apply_patch(conn: &Connection, actor_id: i64, id: i64, patch: &UserPatch) -> Result<(), Error> {
    let (role, active): (String, bool) = conn
        .prepare_cached("SELECT role, active FROM users WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("user {id}")))?;
    let losing_admin = role == "admin"
        && active
        && (patch.role.is_some_and(|r| r != Role::Admin) || patch.active == Some(false));
    if losing_admin && active_admins_other_than(conn, id)? == 0 {
        return Err(Error::conflict(
            "last_admin",
            "this is the last active admin; make another admin first",
        ));
    }
    let mut changed = Vec::new();
    if let Some(name) = &patch.display_name {
        let name = check_short("display_name", name, true)?;
        conn.prepare_cached("UPDATE users SET display_name = ?2 WHERE id = ?1")?
            .execute(params![id, name])?;
        changed.push("display_name");
    }
    if let Some(role) = patch.role {
        conn.prepare_cached("UPDATE users SET role = ?2 WHERE id = ?1")?
            .execute(params![id, role.as_str()])?;
        changed.push("role");
    }
    if let Some(locale) = &patch.locale {
        let locale = check_short("locale", locale, false)?;
        conn.prepare_cached("UPDATE users SET locale = NULLIF(?2, '') WHERE id = ?1")?
            .execute(params![id, locale])?;
        changed.push("locale");
    }
    if let Some(codes) = &patch.departments {
        conn.prepare_cached("DELETE FROM user_departments WHERE user_id = ?1")?
            .execute([id])?;
        add_departments(conn, id, codes)?;
        changed.push("departments");
    }
    if let Some(codes) = &patch.skills {
        conn.prepare_cached("DELETE FROM user_skills WHERE user_id = ?1")?
            .execute([id])?;
        add_skills(conn, id, codes)?;
        changed.push("skills");
    }
    if let Some(active) = patch.active {
        conn.prepare_cached("UPDATE users SET active = ?2 WHERE id = ?1")?
            .execute(params![id, active])?;
        if !active {
            // A deactivated person is signed out on every device at once.
            conn.prepare_cached("DELETE FROM tokens WHERE user_id = ?1")?
                .execute([id])?;
        }
        changed.push("active");
    }
    if changed.is_empty() {
        return Err(Error::breaking(
            "body",
            "name at least one field to change",
            Rule::Required,
        ));
    }
    append(
        conn,
        now_ms(),
        &NewEvent {
            kind: "user.updated",
            actor_id: Some(actor_id),
            data: json!({"user_id": id, "fields": changed}),
            ..Default::default()
        },
    )?;
    Ok(())
}

fn find_user(conn: &Connection, id: i64) -> Result<UserView, Error> {
    all_users(conn)?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(|| Error::not_found(format!("user {id}")))
}

/// Changes a user; one deactivated is signed out of every open live connection at once.
pub async fn update_user(
    store: &Store,
    hub: &Hub,
    actor: &Actor,
    id: i64,
    patch: UserPatch,
) -> Result<UserView, Error> {
    actor.require(&[Role::Admin], "change users")?;
    let actor_id = actor.id;
    let deactivated = patch.active == Some(false);
    store
        .write(move |conn| apply_patch(conn, actor_id, id, &patch))
        .await?;
    if deactivated {
        hub.end(Ending::User(id));
    }
    store.read(move |conn| find_user(conn, id)).await
}

/// Sets a new password and signs the person out everywhere, live connections included
/// (their old sessions may be the reason for the reset).
pub async fn reset_password(
    store: &Store,
    hub: &Hub,
    actor: &Actor,
    id: i64,
    input: NewPassword,
) -> Result<UserView, Error> {
    actor.require(&[Role::Admin], "reset passwords")?;
    check_password(&input.password)?;
    let password = input.password;
    let hash = hashing(move || hash_password(&password)).await??;
    let actor_id = actor.id;
    store
        .write(move |conn| {
            let changed = conn
                .prepare_cached("UPDATE users SET password_hash = ?2 WHERE id = ?1")?
                .execute(params![id, hash])?;
            if changed == 0 {
                return Err(Error::not_found(format!("user {id}")));
            }
            conn.prepare_cached("DELETE FROM tokens WHERE user_id = ?1")?
                .execute([id])?;
            append(
                conn,
                now_ms(),
                &NewEvent {
                    kind: "user.password_reset",
                    actor_id: Some(actor_id),
                    data: json!({"user_id": id}),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
        .await?;
    hub.end(Ending::User(id));
    store.read(move |conn| find_user(conn, id)).await
}
