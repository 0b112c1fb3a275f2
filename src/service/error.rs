//! The one error type of the service layer; `http::errors` maps it to a status and a code.

use crate::domain::{Invalid, Rule};
use crate::store::{Refusal, StoreError};
use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Unauthorized(String),
    /// `details` carries facts a client words in its own language (e.g. who holds a task).
    #[error("{message}")]
    Conflict {
        code: String,
        message: String,
        details: Option<serde_json::Value>,
    },
    #[error("{field}: {reason}")]
    Invalid {
        field: String,
        reason: String,
        rule: Rule,
    },
    /// The request body is not JSON at all (as opposed to JSON with a bad field).
    #[error("{0}")]
    Malformed(String),
    #[error("the request body is larger than {0} bytes")]
    TooLarge(u64),
    #[error("{0}")]
    TooManyRequests(String),
    /// The database cannot take writes (disk full, read-only, locked too long).
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// Items of an all-or-nothing batch failed (each with its own error); nothing changed.
    #[error("{message}")]
    Batch {
        message: String,
        failures: Vec<(i64, Error)>,
    },
}

impl Error {
    pub fn conflict(code: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Conflict {
            code: code.into(),
            message: message.into(),
            details: None,
        }
    }

    /// A conflict with facts for the client, sent as `error.details`.
    pub fn conflict_with(
        code: impl Into<String>,
        message: impl Into<String>,
        details: serde_json::Value,
    ) -> Error {
        Error::Conflict {
            code: code.into(),
            message: message.into(),
            details: Some(details),
        }
    }

    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Invalid::new(field, reason).into()
    }

    /// A refusal of `field` for breaking `rule`.
    pub fn breaking(field: impl Into<String>, reason: impl Into<String>, rule: Rule) -> Error {
        Invalid::new(field, reason).breaking(rule).into()
    }

    pub fn not_found(what: impl Into<String>) -> Error {
        Error::NotFound(what.into())
    }
}

impl From<Invalid> for Error {
    fn from(i: Invalid) -> Error {
        Error::Invalid {
            field: i.field,
            reason: i.reason,
            rule: i.rule,
        }
    }
}

/// What a user is told when the disk refuses a write. Each says nothing was saved.
pub fn refusal_message(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::ReadOnlyAtStart => {
            "presswork is serving read-only: its data directory could not be written when it \
             started; nothing was saved (make the data directory writable, then restart presswork)"
        }
        Refusal::ReadOnly => "the data directory is read-only; nothing was saved",
        Refusal::DiskFull => "the disk is full; nothing was saved",
        Refusal::DiskFailing => "the disk failed to write; nothing was saved",
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        let refusal = match &e {
            StoreError::Refused(refusal) => Some(*refusal),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => {
                match failure.code {
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                        tracing::error!(error = %e, "database busy");
                        return Error::Unavailable(
                            "the database is busy; nothing was saved, try again".to_owned(),
                        );
                    }
                    // Without the OS error at hand (the writer has it), a code is all we know.
                    _ => Refusal::from_codes(failure.extended_code, 0),
                }
            }
            _ => None,
        };
        if let Some(refusal) = refusal {
            // Read-only at start is the normal state of that mode, not news for every write.
            if refusal != Refusal::ReadOnlyAtStart {
                tracing::error!(error = %e, "database unavailable");
            }
            return Error::Unavailable(refusal_message(refusal).to_owned());
        }
        if let StoreError::Pool(_) = &e {
            tracing::error!(error = %e, "connection pool exhausted");
            return Error::Unavailable("the server is overloaded; try again".to_owned());
        }
        tracing::error!(error = %e, "store error");
        Error::Internal(e.to_string())
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        StoreError::from(e).into()
    }
}
