//! Error log lines (the `calls/errors` service).
//!
//! ```text
//! error ANI channum [timestamp] DNIS sessionID message...
//! ```

use super::error::{ErrorKind, LineError};
use super::lines::strip_line_end;
use super::scan::{self, Fail, PResult, blanks, p, rest_of_line};
use super::session::common_fields;
use super::session_id::SessionId;
use super::timestamp::Timestamp;
use nom::Parser;
use nom::sequence::preceded;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// One error log line. Text fields borrow from the input.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ErrorRecord<'a> {
    /// The calling number (ANI), as written.
    pub ani: Cow<'a, str>,
    /// The hardware channel the call used.
    pub channel: u32,
    /// When the error was logged, with the offset it was written with.
    pub timestamp: Timestamp,
    /// The called number (DNIS), as written.
    pub dnis: Cow<'a, str>,
    /// The session the error belongs to.
    pub session_id: SessionId<'a>,
    /// The rest of the line, inner spacing as written.
    pub message: Cow<'a, str>,
}

impl ErrorRecord<'_> {
    /// A copy that owns all of its text.
    pub fn into_owned(self) -> ErrorRecord<'static> {
        ErrorRecord {
            ani: Cow::Owned(self.ani.into_owned()),
            channel: self.channel,
            timestamp: self.timestamp,
            dnis: Cow::Owned(self.dnis.into_owned()),
            session_id: self.session_id.into_owned(),
            message: Cow::Owned(self.message.into_owned()),
        }
    }
}

/// Writes the line in the format the service uses.
impl fmt::Display for ErrorRecord<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error {} {} [{}] {} {} {}",
            self.ani,
            self.channel,
            self.timestamp.bracketed(),
            self.dnis,
            self.session_id,
            self.message
        )
    }
}

/// The word `error` that starts every error line.
#[inline(always)]
fn error_word(i: &[u8]) -> PResult<'_, ()> {
    match i.strip_prefix(b"error") {
        Some(rest) => Ok((rest, ())),
        None if i.is_empty() => Err(Fail::at(ErrorKind::Truncated, i)),
        None => Err(Fail::at(ErrorKind::NotAnErrorLine, i)),
    }
}

/// `error ANI channum [timestamp] DNIS sessionID message`: the session id ran to a
/// blank or the end, so what is left is blanks and then the message (possibly empty).
#[inline(always)]
fn error_line(input: &[u8]) -> PResult<'_, ErrorRecord<'_>> {
    (
        preceded(p(blanks), p(error_word)),
        p(common_fields),
        preceded(p(blanks), p(rest_of_line)),
    )
        .map(
            |((), (ani, channel, timestamp, dnis, session_id), message)| ErrorRecord {
                ani: Cow::Borrowed(ani),
                channel,
                timestamp,
                dnis: Cow::Borrowed(dnis),
                session_id,
                message: Cow::Borrowed(message),
            },
        )
        .parse(input)
}

/// Parse one error log line (a trailing `\r\n` or `\n` is ignored).
///
/// ```
/// let rec = plumlogs::parse_error_line(
///     "error 2125551234 6 [17/Nov/2016:14:40:46 -0400] 6177123000 100025;006;1479411625 Max Disconnect Count Exceeded",
/// )?;
/// assert_eq!(rec.channel, 6);
/// assert_eq!(rec.message, "Max Disconnect Count Exceeded");
/// assert_eq!(rec.timestamp.to_string(), "2016-11-17T14:40:46-04:00");
/// # Ok::<(), plumlogs::LineError>(())
/// ```
#[inline]
pub fn parse_error_line<T: AsRef<[u8]> + ?Sized>(line: &T) -> Result<ErrorRecord<'_>, LineError> {
    let line = strip_line_end(line.as_ref());
    scan::run(line, p(error_line))
}
