//! Decoding response bodies of the four services (JSON or XML, success or failure)
//! straight into the zero-copy records of the line parsers.
//!
//! Being built: see issue 3. The signatures below are the contract the client and
//! the bindings are written against.

use crate::call_summary::CallSummary;
use crate::service::Wire;
use std::borrow::Cow;
use std::fmt;

/// Why a body could not be turned into records.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The server answered `status: failure` with this message.
    Api { message: String },
    /// `status: failure` (or no usable status) and no message could be found.
    NoMessage { excerpt: String },
    /// Not well-formed JSON/XML, or cut off: `offset` is the byte where it went wrong.
    Syntax { wire: Option<Wire>, offset: usize, reason: String, excerpt: String },
    /// Well-formed, but not the shape of this service's answer.
    Shape { wire: Wire, offset: usize, reason: String },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Api { message } => write!(f, "the server answered failure: {message}"),
            DecodeError::NoMessage { excerpt } => {
                write!(f, "the server answered failure without a message; body starts {excerpt:?}")
            }
            DecodeError::Syntax { wire, offset, reason, excerpt } => {
                let w = wire.map(|w| w.name()).unwrap_or("body");
                write!(f, "malformed {w} at byte {offset}: {reason} (near {excerpt:?})")
            }
            DecodeError::Shape { wire, offset, reason } => {
                write!(f, "unexpected {} shape at byte {offset}: {reason}", wire.name())
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// The item texts of a `calls/sessions` or `calls/errors` page. Each text borrows
/// from the body unless it had to be unescaped; parse them with
/// [`LinesPage::sessions`] / [`LinesPage::errors`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinesPage<'a> {
    pub wire: Wire,
    /// The `total_*` count, when the body has one (a hint, not a stop rule).
    pub total: Option<u64>,
    pub items: Vec<Cow<'a, str>>,
}

/// A decoded `calls/logs` page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogsPage<'a> {
    pub wire: Wire,
    pub total: Option<u64>,
    pub items: Vec<CallSummary<'a>>,
}
