//! # plumlogs
//!
//! Typed, zero-copy parsers for Plum Voice's call, session and error logs, and
//! decoders for the JSON and XML bodies of the Call Log REST API.
//!
//! Records borrow from the input: text fields are `Cow::Borrowed` slices of it, and
//! the hot path does not allocate. Each record has an `into_owned()` twin for when
//! it must outlive its input, and serialises (serde) to the canonical JSON shared by
//! the CLI, Python and Node.
//!
//! ```
//! let line = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";
//! let rec = plumlogs::parse_session_line(line).unwrap();
//! assert_eq!(rec.kind, "inbound");
//! assert_eq!(rec.timestamp.to_string(), "2017-11-03T14:38:30-05:00");
//! assert_eq!(rec.duration(), Some(29));
//! assert_eq!(rec.session_id.parts().unwrap().server, "200035");
//! ```

// `unsafe` lives in one named module only: `grammar::scan` (allowed there).
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod call_summary;
#[cfg(feature = "client")]
pub mod client;
pub mod decode;
pub mod encode;
pub mod error;
pub mod grammar;
pub mod records;
pub mod schema;
pub mod service;
pub mod timearg;

// The grammar's modules at their old paths (`plumlogs::session::…` and so on).
pub use grammar::{bulk, call_log, error_line, lines, session, session_id, timestamp};

pub use bulk::{
    Lenient, errors, parse_call_log, parse_call_log_lenient, parse_errors, parse_errors_lenient,
    parse_sessions, parse_sessions_lenient, sessions,
};
pub use call_log::{CallLogEntries, CallLogEntry, parse_call_log_line};
pub use call_summary::CallSummary;
#[cfg(feature = "client")]
pub use client::{CallLog, CallLogsWithText, Client, ClientBuilder, Pages, Query};
pub use decode::{DecodeError, DecodedPage, LinesPage, LogPage, LogsPage};
pub use decode::{
    Decoded, decode_lines, decode_log, decode_log_page, decode_log_page_owned, decode_logs,
    decode_response, decode_response_page, detect_wire,
};
pub use error::{Error, ErrorKind, LineError, ParseError};
pub use error_line::{ErrorRecord, parse_error_line};
pub use grammar::lines::{strip_bom, strip_line_end};
pub use grammar::parallel::{Chunked, Chunking, Format, Piece, TextRecord, parse_chunked};
pub use records::{CallLogEntryRecords, ErrorRecords, Records, SessionRecords};
pub use service::{Service, Wire};
pub use session::{SessionDetail, SessionRecord, parse_session_line};
pub use session_id::{SessionId, SessionIdParts};
pub use timestamp::Timestamp;
