//! People and their credentials: password login, session and API tokens, and the user admin
//! that the CLI and the admin pages share. Only token hashes are stored.

use super::catalog::{department_id_by_code, process_by_code};
use super::{now_ms, Actor, Error};
use crate::domain::work_order::check_short;
use crate::domain::Role;
use crate::domain::Rule;
use crate::events::hub::{Ending, Hub};
use crate::store::Store;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Browser sessions last a shop week; API tokens until revoked.
pub const SESSION_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
pub const MIN_PASSWORD_LEN: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Session,
    Api,
    WsTicket,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Api => "api",
            TokenKind::WsTicket => "ws_ticket",
        }
    }
}

/// At most this many password hashes run at once: each takes 19 MiB and a core for a moment,
/// so a burst of logins queues instead of exhausting memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs a password hash or check off the async threads, a bounded number at a time.
pub async fn hashing<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(e.to_string()))
}

pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing a password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

pub fn insert_token(
    conn: &Connection,
    user_id: i64,
    kind: TokenKind,
    ttl_ms: Option<i64>,
) -> Result<String, Error> {
    let token = new_token();
    let now = now_ms();
    conn.prepare_cached("INSERT INTO tokens (token_hash, user_id, kind, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![token_hash(&token), user_id, kind.as_str(), now, ttl_ms.map(|t| now + t)])?;
    Ok(token)
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LoginResult {
    pub token: String,
    pub user: Actor,
}

/// Checks a password (off the async threads: argon2 is deliberately slow) and opens a session.
pub async fn login(
    store: &Store,
    username: String,
    password: String,
) -> Result<LoginResult, Error> {
    let refused = || Error::Unauthorized("wrong username or password".into());
    let found = store
        .read(move |conn| {
            Ok::<_, Error>(
                conn.prepare_cached(
                    "SELECT id, password_hash FROM users WHERE username = ?1 AND active = 1",
                )?
                .query_row([&username], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?,
            )
        })
        .await?;
    let (user_id, hash) = match found {
        Some(found) => found,
        None => {
            // Spend the same time as a real check, so timing does not reveal usernames.
            let _ = hashing(move || verify_password(&password, DUMMY_HASH)).await;
            return Err(refused());
        }
    };
    let ok = hashing(move || verify_password(&password, &hash)).await?;
    if !ok {
        return Err(refused());
    }
    let token = store
        .write(move |conn| insert_token(conn, user_id, TokenKind::Session, Some(SESSION_TTL_MS)))
        .await?;
    let user = store.read(move |conn| load_actor(conn, user_id)).await?;
    Ok(LoginResult { token, user })
}

const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2GQFmM0aHe7T5ZNqHUG4aCXjzqf1tDm8ZcYnS7CTvYc";

/// Ends the session `token` names, and the live connections opened with it.
pub async fn logout(store: &Store, hub: &Hub, token: String) -> Result<(), Error> {
    let hash = token_hash(&token);
    let key = hash.clone();
    let user: Option<i64> = store
        .write(move |conn| {
            let user = conn
                .prepare_cached("SELECT user_id FROM tokens WHERE token_hash = ?1")?
                .query_row([&key], |r| r.get(0))
                .optional()?;
            conn.prepare_cached("DELETE FROM tokens WHERE token_hash = ?1")?
                .execute([&key])?;
            Ok::<_, Error>(user)
        })
        .await?;
    if let Some(user_id) = user {
        hub.end(Ending::Session {
            user_id,
            token_hash: &hash,
        });
    }
    Ok(())
}

pub fn load_actor(conn: &Connection, user_id: i64) -> Result<Actor, Error> {
    let mut actor = conn
        .prepare_cached("SELECT id, username, display_name, role, locale FROM users WHERE id = ?1")?
        .query_row([user_id], |r| {
            let role: String = r.get(3)?;
            Ok(Actor {
                id: r.get(0)?,
                username: r.get(1)?,
                display_name: r.get(2)?,
                role: role.parse().unwrap_or(Role::Operator),
                department_ids: vec![],
                locale: r.get(4)?,
            })
        })
        .optional()?
        .ok_or_else(|| Error::not_found(format!("user {user_id}")))?;
    actor.department_ids = conn
        .prepare_cached(
            "SELECT department_id FROM user_departments WHERE user_id = ?1 ORDER BY department_id",
        )?
        .query_map([user_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(actor)
}

/// A session's end moves with its use, a week after the last request; the row is rewritten
/// at most once a day per session, so reads stay reads.
const SESSION_REFRESH_MS: i64 = 24 * 3600 * 1000;

/// The actor behind a session or API token; `ws_ticket` tokens are not accepted here. A
/// session in use is kept alive (a week after its last use).
pub async fn authenticate(store: &Store, token: String) -> Result<Actor, Error> {
    let hash = token_hash(&token);
    let (actor, stale) = read_token(store, hash.clone()).await?;
    if stale {
        let now = now_ms();
        let refreshed = store
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE tokens SET expires_at = ?2 WHERE token_hash = ?1 AND kind = 'session'",
                )?
                .execute(params![hash, now + SESSION_TTL_MS])?;
                Ok::<_, Error>(())
            })
            .await;
        if let Err(e) = refreshed {
            // Signed in all the same; the session ends on its old date unless a later
            // request manages to move it.
            tracing::warn!(error = %e, "could not extend a session");
        }
    }
    Ok(actor)
}

async fn read_token(store: &Store, hash: Vec<u8>) -> Result<(Actor, bool), Error> {
    store
        .read(move |conn| {
            let row: Option<(i64, Option<i64>, String, bool)> = conn
                .prepare_cached(
                    "SELECT k.user_id, k.expires_at, k.kind, u.active FROM tokens k JOIN users u ON u.id = k.user_id
                     WHERE k.token_hash = ?1",
                )?
                .query_row([hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let now = now_ms();
            match row {
                Some((user_id, expires, kind, true))
                    if kind != "ws_ticket" && expires.is_none_or(|e| e > now) =>
                {
                    let stale = kind == "session"
                        && expires.is_some_and(|e| e - now < SESSION_TTL_MS - SESSION_REFRESH_MS);
                    Ok((load_actor(conn, user_id)?, stale))
                }
                _ => Err(Error::Unauthorized("sign in again: the session is unknown or expired".into())),
            }
        })
        .await
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schemars(length(min = 1, max = 64), regex(pattern = r"^[\w.-]+$"))]
    pub username: String,
    #[serde(default)]
    #[schemars(length(min = 1, max = 200), regex(pattern = crate::domain::work_order::REQUIRED_TEXT_PATTERN))]
    pub display_name: Option<String>,
    pub role: Role,
    #[schemars(length(min = 8, max = 200))]
    pub password: String,
    #[serde(default)]
    pub departments: Vec<String>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub locale: Option<String>,
    pub department_ids: Vec<i64>,
    pub skill_process_ids: Vec<i64>,
}

fn check_username(name: &str) -> Result<String, Error> {
    let name = check_short("username", name, true)?;
    if name.chars().count() > 64 {
        return Err(Error::breaking(
            "username",
            "must be at most 64 characters",
            Rule::TooLong { max: 64 },
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || "._-".contains(c))
    {
        return Err(Error::breaking(
            "username",
            "use letters, digits, '.', '_' or '-'",
            Rule::Format,
        ));
    }
    Ok(name)
}

pub fn check_password(password: &str) -> Result<(), Error> {
    if password.chars().count() > 200 {
        return Err(Error::breaking(
            "password",
            "must be at most 200 characters",
            Rule::TooLong { max: 200 },
        ));
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::breaking(
            "password",
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
            Rule::TooShort {
                min: MIN_PASSWORD_LEN,
            },
        ));
    }
    Ok(())
}

/// Adds departments (by code) to a user; an unknown code names its place in the list.
pub fn add_departments(conn: &Connection, user_id: i64, codes: &[String]) -> Result<(), Error> {
    for (i, code) in codes.iter().enumerate() {
        let dept = department_id_by_code(conn, code)?.ok_or_else(|| {
            Error::breaking(
                format!("departments[{i}]"),
                format!("no department with code '{code}'"),
                Rule::Unknown,
            )
        })?;
        conn.prepare_cached(
            "INSERT OR IGNORE INTO user_departments (user_id, department_id) VALUES (?1, ?2)",
        )?
        .execute(params![user_id, dept])?;
    }
    Ok(())
}

/// Adds skills (process codes) to a user; an unknown code names its place in the list.
pub fn add_skills(conn: &Connection, user_id: i64, codes: &[String]) -> Result<(), Error> {
    for (i, code) in codes.iter().enumerate() {
        let process = process_by_code(conn, code)?.ok_or_else(|| {
            Error::breaking(
                format!("skills[{i}]"),
                format!("no process with code '{code}'"),
                Rule::Unknown,
            )
        })?;
        conn.prepare_cached(
            "INSERT OR IGNORE INTO user_skills (user_id, process_id) VALUES (?1, ?2)",
        )?
        .execute(params![user_id, process.id])?;
    }
    Ok(())
}

/// Creates a user; used by `presswork user add`, the admin API and the first-run seed.
pub fn insert_user(conn: &Connection, user: &NewUser, password_hash: &str) -> Result<i64, Error> {
    let username = check_username(&user.username)?;
    let display = match &user.display_name {
        Some(d) => check_short("display_name", d, true)?,
        None => username.clone(),
    };
    let exists = conn
        .prepare_cached("SELECT 1 FROM users WHERE username = ?1")?
        .exists([&username])?;
    if exists {
        return Err(Error::conflict(
            "username_taken",
            format!("there is already a user '{username}'"),
        ));
    }
    conn.prepare_cached(
        "INSERT INTO users (username, display_name, role, password_hash, locale, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![username, display, user.role.as_str(), password_hash, user.locale, now_ms()])?;
    let id = conn.last_insert_rowid();
    add_departments(conn, id, &user.departments)?;
    add_skills(conn, id, &user.skills)?;
    Ok(id)
}

pub fn all_users(conn: &Connection) -> Result<Vec<UserView>, Error> {
    let mut users: Vec<UserView> = conn
        .prepare_cached(
            "SELECT id, username, display_name, role, active, locale FROM users ORDER BY id",
        )?
        .query_map([], |r| {
            let role: String = r.get(3)?;
            Ok(UserView {
                id: r.get(0)?,
                username: r.get(1)?,
                display_name: r.get(2)?,
                role: role.parse().unwrap_or(Role::Operator),
                active: r.get(4)?,
                locale: r.get(5)?,
                department_ids: vec![],
                skill_process_ids: vec![],
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut depts =
        conn.prepare_cached("SELECT department_id FROM user_departments WHERE user_id = ?1")?;
    let mut skills =
        conn.prepare_cached("SELECT process_id FROM user_skills WHERE user_id = ?1")?;
    for u in &mut users {
        u.department_ids = depts
            .query_map([u.id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        u.skill_process_ids = skills
            .query_map([u.id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
    }
    Ok(users)
}

pub fn user_id_by_name(conn: &Connection, username: &str) -> Result<i64, Error> {
    conn.prepare_cached("SELECT id FROM users WHERE username = ?1")?
        .query_row([username], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("user '{username}'")))
}

/// Users the actor may see: everyone for admin and manager; their departments' people for
/// supervisors and operators; makers see everyone (they pick no operators, but see names).
pub async fn list_users(store: &Store, actor: &Actor) -> Result<Vec<UserView>, Error> {
    let actor = actor.clone();
    store
        .read(move |conn| {
            let users = all_users(conn)?;
            Ok(match actor.role {
                Role::Admin | Role::Manager | Role::Maker => users,
                Role::Supervisor | Role::Operator => users
                    .into_iter()
                    .filter(|u| {
                        u.id == actor.id
                            || u.department_ids.iter().any(|d| actor.is_in_department(*d))
                    })
                    .collect(),
            })
        })
        .await
}

pub async fn create_user(store: &Store, actor: &Actor, user: NewUser) -> Result<UserView, Error> {
    actor.require(&[Role::Admin], "add users")?;
    check_password(&user.password)?;
    let password = user.password.clone();
    let hash = hashing(move || hash_password(&password)).await??;
    let id = store
        .write(move |conn| insert_user(conn, &user, &hash))
        .await?;
    store
        .read(move |conn| {
            all_users(conn)?
                .into_iter()
                .find(|u| u.id == id)
                .ok_or_else(|| Error::not_found(format!("user {id}")))
        })
        .await
}
