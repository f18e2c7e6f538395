//! The line grammar of Plum's three text formats: session lines, error lines and
//! call-log entries, and the texts made of them.
//!
//! This folder is the bottom layer of the crate: it imports nothing from the rest
//! of it (the decoders, the client and the crate-wide [`crate::Error`] sit above).
//!
//! - [`scan`] (crate-private): the hand-written byte-level primitives — blanks,
//!   tokens, digits, UTF-8 — as nom parsers; the only module of the crate allowed
//!   `unsafe` (each block carries its `SAFETY:` argument).
//! - [`timestamp`]: both timestamp forms; [`session_id`]: `server;channel;start`.
//! - [`session`], [`error_line`], [`call_log`]: the three line grammars, composed
//!   from the primitives with nom combinators.
//! - [`lines`]: line ends, the byte-order mark, splitting a text into lines.
//! - [`bulk`]: whole texts, strict and lenient; [`parallel`]: the same on several
//!   threads, chunked at line ends, into sinks of the caller's type; [`Format`].
//! - [`error`]: the grammar's error types ([`ErrorKind`], [`LineError`], [`ParseError`]).

pub mod bulk;
pub mod call_log;
pub mod error;
pub mod error_line;
pub mod lines;
pub mod parallel;
#[allow(unsafe_code)]
pub(crate) mod scan;
pub mod session;
pub mod session_id;
pub mod timestamp;

pub use error::{ErrorKind, LineError, ParseError};
pub use parallel::{Chunked, Chunking, Format, Piece, TextRecord, parse_chunked};
