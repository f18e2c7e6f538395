//! The crate-wide error, [`Error`]. The line grammar's own error types live in
//! [`crate::grammar::error`] and are re-exported here, at their old paths.

use std::fmt;

pub use crate::grammar::error::{ErrorKind, LineError, ParseError};

/// Every failure of the library, one enum: what the Python, Node and CLI layers map
/// to their own error classes (`ParseError`, `InvalidArgument`, `ApiError`,
/// `AuthError`, `TransportError`).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A log line or call-log text did not parse.
    Parse(ParseError),
    /// A response body could not be decoded (not a failure answer: a broken body).
    Decode(crate::decode::DecodeError),
    /// An argument was rejected before any request was sent.
    InvalidArgument(String),
    /// The server answered `failure`.
    Api { message: String, http_status: u16 },
    /// Bad or missing credentials (HTTP 401/403, or no credentials configured).
    Auth { message: String, http_status: u16 },
    /// Connection, timeout, or a broken body, after the retries were spent.
    Transport { message: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse(e) => write!(f, "parse error: {e}"),
            Error::Decode(e) => write!(f, "{e}"),
            Error::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
            Error::Api {
                message,
                http_status,
            } => {
                write!(f, "API error (HTTP {http_status}): {message}")
            }
            Error::Auth {
                message,
                http_status,
            } => {
                write!(f, "authentication failed (HTTP {http_status}): {message}")
            }
            Error::Transport { message } => write!(f, "transport error: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Parse(e) => Some(e),
            Error::Decode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::Parse(e)
    }
}

impl From<crate::decode::DecodeError> for Error {
    fn from(e: crate::decode::DecodeError) -> Self {
        match e {
            crate::decode::DecodeError::Api { message } => Error::Api {
                message,
                http_status: 200,
            },
            other => Error::Decode(other),
        }
    }
}
