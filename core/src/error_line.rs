//! Error log lines (the `calls/errors` service).
//!
//! ```text
//! error ANI channum [timestamp] DNIS sessionID message...
//! ```

use crate::error::{ErrorKind, LineError};
use crate::scan::{self, Fail, PResult};
use crate::session::common_fields;
use crate::session_id::SessionId;
use crate::timestamp::Timestamp;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// One error log line. Text fields borrow from the input.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ErrorRecord<'a> {
    pub ani: Cow<'a, str>,
    pub channel: u32,
    pub timestamp: Timestamp,
    pub dnis: Cow<'a, str>,
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

fn error_line(input: &[u8]) -> PResult<'_, ErrorRecord<'_>> {
    let i = scan::blanks0(input);
    let i = match i.strip_prefix(b"error") {
        Some(rest) => rest,
        None if i.is_empty() => return Err(Fail::at(ErrorKind::Truncated, i)),
        None => return Err(Fail::at(ErrorKind::NotAnErrorLine, i)),
    };
    let (i, (ani, channel, timestamp, dnis, session_id)) = common_fields(i)?;
    // The session id ran to a blank or the end, so what is left is blanks and then
    // the message (possibly empty).
    let i = scan::blanks0(i);
    let message = scan::rest_text(i)?;
    Ok((
        &i[i.len()..],
        ErrorRecord {
            ani: Cow::Borrowed(ani),
            channel,
            timestamp,
            dnis: Cow::Borrowed(dnis),
            session_id,
            message: Cow::Borrowed(message),
        },
    ))
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
    let line = scan::strip_line_end(line.as_ref());
    scan::run(line, error_line)
}
