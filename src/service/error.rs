//! The one error type of the service layer; `http::errors` maps it to a status and a code.

use crate::domain::Invalid;
use crate::store::StoreError;
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
    Invalid { field: String, reason: String },
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
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
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
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        if let StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) = &e {
            let unavailable = match failure.code {
                ErrorCode::DiskFull => Some("the disk is full; nothing was saved"),
                ErrorCode::ReadOnly | ErrorCode::CannotOpen => {
                    Some("the data directory is read-only; nothing was saved")
                }
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    Some("the database is busy; nothing was saved, try again")
                }
                ErrorCode::SystemIoFailure => Some("the disk failed to write; nothing was saved"),
                _ => None,
            };
            if let Some(message) = unavailable {
                tracing::error!(error = %e, "database unavailable");
                return Error::Unavailable(message.to_owned());
            }
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
