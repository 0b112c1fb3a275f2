//! `presswork user add|list|token`: user admin from the console, safe while the server runs
//! (writes wait for the server's write lock within the busy timeout).

use crate::config::Config;
use crate::domain::Role;
use crate::service::{seed, users, Error};
use crate::store::Store;
use anyhow::bail;
use std::io::Read;

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user.
    Add {
        username: String,
        #[arg(long)]
        role: Role,
        /// Department code (repeatable), e.g. PRINTING.
        #[arg(long = "department")]
        departments: Vec<String>,
        /// Process code the user can do (repeatable), e.g. PRT.
        #[arg(long = "skill")]
        skills: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (first line).
        #[arg(long, conflicts_with = "password")]
        password_stdin: bool,
        #[arg(long)]
        password: Option<String>,
    },
    /// List users.
    List,
    /// Print a new API token for a user.
    Token { username: String },
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &Role::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

fn open(config: &Config) -> anyhow::Result<Store> {
    let store = super::open_current(config)?;
    seed::ensure_catalog_blocking(&store)?;
    Ok(store)
}

pub fn run(config: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let store = open(config)?;
    match cmd {
        UserCommand::Add {
            username,
            role,
            departments,
            skills,
            display_name,
            password_stdin,
            password,
        } => {
            let password = match (password_stdin, password) {
                (true, _) => {
                    let mut input = String::new();
                    std::io::stdin().read_to_string(&mut input)?;
                    input.lines().next().unwrap_or("").to_owned()
                }
                (false, Some(p)) => p,
                (false, None) => bail!("give the password with --password-stdin or --password"),
            };
            users::check_password(&password)?;
            let hash = users::hash_password(&password)?;
            let user = users::NewUser {
                username: username.clone(),
                display_name,
                role,
                password: String::new(),
                departments,
                skills,
                locale: None,
            };
            let id = store.write_blocking(move |conn| users::insert_user(conn, &user, &hash))?;
            say!("added user '{username}' ({role}) with id {id}")?;
        }
        UserCommand::List => {
            let list = store.read_blocking(users::all_users)?;
            let depts = store.read_blocking(|conn| {
                Ok::<_, Error>(crate::service::catalog::all_departments(conn)?)
            })?;
            say!(
                "{:<5} {:<20} {:<11} {:<7} departments",
                "id",
                "username",
                "role",
                "active"
            )?;
            for u in list {
                let names: Vec<&str> = u
                    .department_ids
                    .iter()
                    .filter_map(|id| depts.iter().find(|d| d.id == *id).map(|d| d.code.as_str()))
                    .collect();
                say!(
                    "{:<5} {:<20} {:<11} {:<7} {}",
                    u.id,
                    u.username,
                    u.role,
                    u.active,
                    names.join(",")
                )?;
            }
        }
        UserCommand::Token { username } => {
            let token = store.write_blocking(move |conn| {
                let id = users::user_id_by_name(conn, &username)?;
                users::insert_token(conn, id, users::TokenKind::Api, None)
            })?;
            say!("{token}")?;
        }
    }
    Ok(())
}
