//! The crate-wide error, [`Error`]. The line grammar's own error types live in
//! [`crate::grammar::error`] and are re-exported here, at their old paths.

use std::fmt;

pub use crate::grammar::error::{ErrorKind, LineError, ParseError};

/// The stable codes of [`Error::code`]: what every binding maps to its own error
/// class (a table from code to class), and what the CLI prints.
pub mod code {
    /// A log line, call-log text or response body did not parse.
    pub const PARSE_ERROR: &str = "PARSE_ERROR";
    /// An argument was rejected before any request was sent.
    pub const INVALID_ARGUMENT: &str = "INVALID_ARGUMENT";
    /// The server answered `failure` (or a non-2xx status with its own message).
    pub const API_ERROR: &str = "API_ERROR";
    /// Bad or missing credentials.
    pub const AUTH_ERROR: &str = "AUTH_ERROR";
    /// Connection, timeout, or a broken body, after the retries were spent.
    pub const TRANSPORT_ERROR: &str = "TRANSPORT_ERROR";
    /// Every code, in the order of the classes' hierarchy in the bindings.
    pub const ALL: [&str; 5] = [
        PARSE_ERROR,
        INVALID_ARGUMENT,
        API_ERROR,
        AUTH_ERROR,
        TRANSPORT_ERROR,
    ];
}

/// The finer [`Error::kind`] codes that are not a grammar [`ErrorKind`]'s.
pub mod kind {
    /// A body that is not well-formed JSON/XML, or was cut off.
    pub const MALFORMED_BODY: &str = "malformed_body";
    /// A well-formed body that is not the shape of the service's answer.
    pub const UNEXPECTED_SHAPE: &str = "unexpected_shape";
    /// A `failure` answer (or one without a usable status) with no message in it.
    pub const NO_MESSAGE: &str = "no_message";
    /// No credentials were given or found in the environment: nothing was sent.
    pub const MISSING_CREDENTIALS: &str = "missing_credentials";
    /// A body that is not a Plum answer at all (an HTML error page, a portal).
    pub const FOREIGN_BODY: &str = "foreign_body";
    /// A listing the server left shorter than its own count
    /// ([`Error::Incomplete`](super::Error::Incomplete)).
    pub const INCOMPLETE_LISTING: &str = "incomplete_listing";
}

/// Every failure of the library, one enum: what the Python, Node and CLI layers map
/// to their own error classes by [`Error::code`].
///
/// | variant | [`code`](Error::code) | [`kind`](Error::kind) | [`http_status`](Error::http_status) | [`location`](Error::location) |
/// |---|---|---|---|---|
/// | `Parse` | `PARSE_ERROR` | the grammar's [`ErrorKind::code`] (`bad_month`) | — | line, column (bytes), offset, line text |
/// | `Decode` | `PARSE_ERROR` (`API_ERROR` for a failure without a message) | `malformed_body`, `unexpected_shape`, `no_message` | — | offset and excerpt; line, column (characters) and the body's line with [`Error::location_in`] |
/// | `InvalidArgument` | `INVALID_ARGUMENT` | — | — | — (the argument is [`field`](Error::InvalidArgument::field)) |
/// | `Api` | `API_ERROR` | — | the answer's status; `None` for a body decoded without an HTTP exchange | — |
/// | `Auth` | `AUTH_ERROR` | `missing_credentials` when nothing was sent | the answer's status; `None` when nothing was sent | — |
/// | `Transport` | `TRANSPORT_ERROR` | — | — | — |
/// | `Incomplete` | `TRANSPORT_ERROR` | `incomplete_listing` | — | — |
/// | `File` | its error's | its error's | its error's | its error's (within the file) |
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A log line or call-log text did not parse.
    Parse(ParseError),
    /// A response body could not be decoded (not a failure answer: a broken body).
    Decode(crate::decode::DecodeError),
    /// An argument was rejected before any request was sent.
    InvalidArgument {
        /// The argument, as the caller named it (`timeout`, `options.timeoutMs`,
        /// `--deadline`).
        field: String,
        /// What is wrong with it, with the value given (`must be at most 86400
        /// seconds, got 1e300`).
        reason: String,
    },
    /// The server answered `failure`.
    Api {
        /// The server's own text (or, when the body has none, the status and a
        /// short excerpt).
        message: String,
        /// The HTTP status of the answer; `None` when there was no HTTP exchange
        /// (a body given to [`crate::decode_response`]).
        http_status: Option<u16>,
    },
    /// Bad or missing credentials (HTTP 401/403, a failure saying "unauthorized", or
    /// no credentials configured).
    Auth {
        /// The server's text, or which credential is missing.
        message: String,
        /// The HTTP status of the answer; `None` when no request was made (the
        /// credentials are missing).
        http_status: Option<u16>,
    },
    /// Connection, timeout, or a broken body, after the retries were spent.
    Transport {
        /// What went wrong on the last attempt.
        message: String,
    },
    /// A listing that would end with fewer records than the server said exist: a
    /// page contradicted the count (came back empty while the count said more
    /// exist, or the count shrank during the walk, which shifts offsets past
    /// records). Raised only after that page was retried like a broken body.
    /// Raised by the client's listings only.
    Incomplete {
        /// The record count the server reported.
        reported: u64,
        /// Records received before the contradicting page.
        received: u64,
        /// Which page and how, e.g. `server reported 100, sent 10; offset 10 came
        /// back empty`.
        message: String,
    },
    /// An error in the text of the file `path` (a binding or the CLI read the file
    /// for the caller): the error itself, told which file. Every accessor answers
    /// for the inner error; [`path`](Error::path) names the file and the message
    /// starts with it.
    File {
        /// The file as the caller named it.
        path: String,
        /// What went wrong in it (never itself a `File`).
        error: Box<Error>,
    },
}

/// Where in its input an error was found: what every binding's `ParseError` shows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// 1-based line within the input (a log text, a page's items, a body), when known.
    pub line: Option<usize>,
    /// 1-based column within that line, when known: bytes for log lines, characters
    /// for response bodies.
    pub column: Option<usize>,
    /// 0-based byte offset within the whole input.
    pub offset: usize,
    /// The offending line (for a body: at most [`MAX_EXCERPT`] bytes of it around the
    /// offset, `…` marking a cut); empty when unknown.
    pub input: String,
}

/// The most bytes of a body's line an [`Error::location_in`] keeps.
pub const MAX_EXCERPT: usize = 240;

impl Error {
    /// An [`Error::InvalidArgument`] for `field`.
    pub fn invalid_argument(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// `self` as an error in the file `path`; `None` leaves it as it is (a text that
    /// came from no file). An error already told its file keeps that file.
    pub fn in_file(self, path: Option<&str>) -> Error {
        match (self, path) {
            (e @ Error::File { .. }, _) | (e, None) => e,
            (e, Some(p)) => Error::File {
                path: p.to_owned(),
                error: Box::new(e),
            },
        }
    }

    /// The file the error is in, when the input came from one ([`Error::File`]).
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::File { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The error itself, without the file it is in: what to match variants on.
    pub fn inner(&self) -> &Error {
        match self {
            Error::File { error, .. } => error.inner(),
            e => e,
        }
    }

    /// The stable code of [`code`](mod@code): what class a binding raises.
    pub fn code(&self) -> &'static str {
        match self {
            Error::File { error, .. } => error.code(),
            Error::Parse(_) => code::PARSE_ERROR,
            Error::Decode(crate::decode::DecodeError::NoMessage { .. }) => code::API_ERROR,
            Error::Decode(_) => code::PARSE_ERROR,
            Error::InvalidArgument { .. } => code::INVALID_ARGUMENT,
            Error::Api { .. } => code::API_ERROR,
            Error::Auth { .. } => code::AUTH_ERROR,
            // The server not delivering, like a body broken on every attempt.
            Error::Transport { .. } | Error::Incomplete { .. } => code::TRANSPORT_ERROR,
        }
    }

    /// A finer machine-readable name, where there is one: the grammar's
    /// [`ErrorKind::code`] for a line, one of [`kind`](mod@kind) otherwise.
    pub fn kind(&self) -> Option<&'static str> {
        use crate::decode::DecodeError as D;
        match self {
            Error::File { error, .. } => error.kind(),
            Error::Parse(p) => Some(p.kind.code()),
            Error::Decode(D::NoMessage { .. }) => Some(kind::NO_MESSAGE),
            Error::Decode(D::Shape { .. }) => Some(kind::UNEXPECTED_SHAPE),
            Error::Decode(D::Foreign { .. }) => Some(kind::FOREIGN_BODY),
            Error::Decode(_) => Some(kind::MALFORMED_BODY),
            Error::Auth {
                http_status: None, ..
            } => Some(kind::MISSING_CREDENTIALS),
            Error::Incomplete { .. } => Some(kind::INCOMPLETE_LISTING),
            _ => None,
        }
    }

    /// The HTTP status of the answer this error came from, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::File { error, .. } => error.http_status(),
            Error::Api { http_status, .. } | Error::Auth { http_status, .. } => *http_status,
            _ => None,
        }
    }

    /// Why, as a sentence without the position, where the error has such a part.
    pub fn reason(&self) -> Option<&str> {
        use crate::decode::DecodeError as D;
        match self {
            Error::File { error, .. } => error.reason(),
            Error::Parse(p) => Some(p.reason()),
            Error::Decode(D::Syntax { reason, .. } | D::Shape { reason, .. }) => Some(reason),
            Error::InvalidArgument { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The server's or the transport's own text, without the code's prefix: what a
    /// binding's `.message` holds for `API_ERROR`, `AUTH_ERROR` and `TRANSPORT_ERROR`.
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::File { error, .. } => error.message(),
            Error::Api { message, .. }
            | Error::Auth { message, .. }
            | Error::Transport { message }
            | Error::Incomplete { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Where the input broke, for a line or a body.
    pub fn location(&self) -> Option<Location> {
        use crate::decode::DecodeError as D;
        match self {
            Error::File { error, .. } => error.location(),
            Error::Parse(p) => Some(Location {
                line: Some(p.line),
                column: Some(p.column),
                offset: p.offset,
                input: p.input.clone(),
            }),
            Error::Decode(D::Syntax {
                offset, excerpt, ..
            }) => Some(Location {
                line: None,
                column: None,
                offset: *offset,
                input: excerpt.clone(),
            }),
            Error::Decode(D::Shape { offset, .. }) => Some(Location {
                line: None,
                column: None,
                offset: *offset,
                input: String::new(),
            }),
            _ => None,
        }
    }

    /// [`location`](Self::location) of an error of decoding `body`: a broken body
    /// also gets its line and column (in characters) and the line it broke in.
    pub fn location_in(&self, body: &[u8]) -> Option<Location> {
        let mut at = self.location()?;
        if matches!(self.inner(), Error::Decode(_)) {
            let (line, column, input) = locate(body, at.offset);
            at.line = Some(line);
            at.column = Some(column);
            at.input = input;
        }
        Some(at)
    }
}

/// Whether `text`, given where log text was expected, is rather a file's name: one
/// line of at most 4096 bytes, without blanks, holding a path separator or ending in
/// a file extension (`sessions.log`, `logs/errors.txt`, `C:\\logs\\x`). What the
/// bindings check before they answer a failed parse of such a text with
/// [`Error::file_name_as_text`].
pub fn looks_like_file_name(text: &[u8]) -> bool {
    let t = text.trim_ascii();
    if t.is_empty() || t.len() > 4096 || t.iter().any(|b| b.is_ascii_whitespace()) {
        return false;
    }
    let base = t.rsplit(|&b| b == b'/' || b == b'\\').next().unwrap_or(t);
    let extension = match base.iter().rposition(|&b| b == b'.') {
        Some(dot) if dot > 0 => {
            let ext = &base[dot + 1..];
            (1..=8).contains(&ext.len()) && ext.iter().all(u8::is_ascii_alphanumeric)
        }
        _ => false,
    };
    extension || base.len() < t.len()
}

impl Error {
    /// The [`Error::InvalidArgument`] for a file's name given as log text (see
    /// [`looks_like_file_name`]): `field` is the argument, `how` the binding's way of
    /// passing a file instead (`pass pathlib.Path("sessions.log")`).
    pub fn file_name_as_text(field: &str, text: &str, how: &str) -> Error {
        let shown: String = text.trim().chars().take(200).collect();
        Error::invalid_argument(
            field,
            format!("{shown:?} looks like a file name, not log text: {how}"),
        )
    }
}

/// 1-based line and column (in characters) of byte `offset` of `body`, and at most
/// [`MAX_EXCERPT`] bytes of that line around the offset.
fn locate(body: &[u8], offset: usize) -> (usize, usize, String) {
    let offset = offset.min(body.len());
    let before = &body[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
    let end = memchr::memchr(b'\n', &body[offset..]).map_or(body.len(), |p| offset + p);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    let (mut lo, mut hi) = (start, end);
    if hi - lo > MAX_EXCERPT {
        lo = offset.saturating_sub(MAX_EXCERPT / 2).max(start);
        hi = (lo + MAX_EXCERPT).min(end);
    }
    // Lossy decoding of a cut in the middle of a character shows U+FFFD there only.
    let mut input = String::from_utf8_lossy(&body[lo..hi]).into_owned();
    if lo > start {
        input.insert(0, '…');
    }
    if hi < end {
        input.push('…');
    }
    (line, column, input)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::File { path, error } => write!(f, "{path}: {error}"),
            Error::Parse(e) => write!(f, "parse error: {e}"),
            Error::Decode(e) => write!(f, "{e}"),
            Error::InvalidArgument { field, reason } => {
                write!(f, "invalid argument {field}: {reason}")
            }
            Error::Api {
                message,
                http_status: Some(status),
            } => write!(f, "API error (HTTP {status}): {message}"),
            Error::Api { message, .. } => write!(f, "API error: {message}"),
            Error::Auth {
                message,
                http_status: Some(status),
            } => write!(f, "authentication failed (HTTP {status}): {message}"),
            Error::Auth { message, .. } => write!(f, "missing credentials: {message}"),
            Error::Transport { message } => write!(f, "transport error: {message}"),
            Error::Incomplete { message, .. } => write!(f, "incomplete listing: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::File { error, .. } => Some(&**error),
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

/// A failure answer becomes [`Error::Api`] without a status: a decoder sees no HTTP
/// exchange (the client puts the real status in).
impl From<crate::decode::DecodeError> for Error {
    fn from(e: crate::decode::DecodeError) -> Self {
        match e {
            crate::decode::DecodeError::Api { message } => Error::Api {
                message,
                http_status: None,
            },
            other => Error::Decode(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::DecodeError;

    #[test]
    fn every_variant_has_a_code_of_the_table() {
        let errors = [
            Error::invalid_argument("timeout", "must be more than zero, got 0"),
            Error::Api {
                message: "m".into(),
                http_status: None,
            },
            Error::Auth {
                message: "m".into(),
                http_status: Some(401),
            },
            Error::Transport {
                message: "m".into(),
            },
            Error::Decode(DecodeError::NoMessage {
                excerpt: String::new(),
            }),
        ];
        for e in &errors {
            assert!(code::ALL.contains(&e.code()), "{e:?}");
        }
        assert_eq!(errors[4].code(), code::API_ERROR);
        assert_eq!(errors[4].kind(), Some(kind::NO_MESSAGE));
    }

    #[test]
    fn an_error_in_a_file_names_it_and_answers_for_its_error() {
        let inner: Error = crate::parse_sessions(&b"inbound x\n"[..])
            .expect_err("a bad line")
            .into();
        let (text, loc, code) = (inner.to_string(), inner.location(), inner.code());
        let e = inner.in_file(Some("logs/sessions.log"));
        assert_eq!(e.path(), Some("logs/sessions.log"));
        assert_eq!(e.to_string(), format!("logs/sessions.log: {text}"));
        assert_eq!((e.location(), e.code()), (loc, code));
        assert!(matches!(e.inner(), Error::Parse(_)));
        let again = e.in_file(Some("other"));
        assert_eq!(again.path(), Some("logs/sessions.log"));
        let bare = Error::invalid_argument("x", "y").in_file(None);
        assert_eq!(bare.path(), None);
    }

    #[test]
    fn file_names_given_as_text_are_recognised() {
        for name in [
            "sessions.log",
            "logs/errors.txt",
            "C:\\logs\\calls",
            " a.jsonl\n",
            "./x",
        ] {
            assert!(looks_like_file_name(name.as_bytes()), "{name}");
        }
        let line =
            "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 1;2;3 1 2 00:00:01";
        for text in ["", "inbound", line, "a b.log", "v1.", ".bashrc", "x.y\nz.w"] {
            assert!(!looks_like_file_name(text.as_bytes()), "{text}");
        }
        let e = Error::file_name_as_text("text", "sessions.log", "pass a path");
        assert_eq!(
            e.to_string(),
            "invalid argument text: \"sessions.log\" looks like a file name, not log text: pass a path"
        );
    }

    #[test]
    fn statuses_are_options_not_sentinels() {
        let e: Error = DecodeError::Api {
            message: "bad".into(),
        }
        .into();
        assert_eq!(e.http_status(), None);
        assert_eq!(e.to_string(), "API error: bad");
        let e = Error::Auth {
            message: "no password".into(),
            http_status: None,
        };
        assert_eq!(e.kind(), Some(kind::MISSING_CREDENTIALS));
        assert_eq!(e.to_string(), "missing credentials: no password");
        assert!(!e.to_string().contains("HTTP"));
        let e = Error::Auth {
            message: "nope".into(),
            http_status: Some(403),
        };
        assert_eq!(e.kind(), None);
        assert_eq!(e.to_string(), "authentication failed (HTTP 403): nope");
    }

    #[test]
    fn a_broken_body_is_located_by_line_and_character_with_a_bounded_line() {
        let e = Error::Decode(DecodeError::Syntax {
            wire: None,
            offset: 9,
            reason: "x".into(),
            excerpt: "e".into(),
        });
        let at = e.location_in("{\n  \"é\": ]\n}".as_bytes()).unwrap();
        assert_eq!((at.line, at.column, at.offset), (Some(2), Some(7), 9));
        assert_eq!(at.input, "  \"é\": ]");
        let long = format!("{{\"a\": \"{}\" ]", "x".repeat(10_000));
        let e = Error::Decode(DecodeError::Syntax {
            wire: None,
            offset: long.len() - 1,
            reason: "x".into(),
            excerpt: "e".into(),
        });
        let at = e.location_in(long.as_bytes()).unwrap();
        assert_eq!(at.line, Some(1));
        assert_eq!(at.column, Some(long.len()));
        assert!(
            at.input.starts_with('…') && at.input.ends_with(']'),
            "{}",
            at.input
        );
        assert!(at.input.len() <= MAX_EXCERPT + '…'.len_utf8());
    }
}
