//! Parsing whole texts: line splitting, strict and lenient modes.
//!
//! Strict mode stops at the first bad line. Lenient mode keeps going and returns
//! every good record plus every problem: [`Lenient`] accounts for every line of
//! the input (records + problems + blank lines = lines read).

use super::call_log::{CallLogEntries, CallLogEntry};
use super::error::{LineError, ParseError};
use super::error_line::{ErrorRecord, parse_error_line};
use super::lines::{LineSplitter, is_blank_line};
use super::session::{SessionRecord, parse_session_line};

/// A record type read one line at a time. Dispatching on the type, not through a
/// function pointer, lets the whole line grammar inline into the bulk loop.
pub trait LineRecord<'a>: Sized {
    /// Parse one line (without its line ending) into a record.
    fn parse_line(line: &'a [u8]) -> Result<Self, LineError>;
}

impl<'a> LineRecord<'a> for SessionRecord<'a> {
    #[inline(always)]
    fn parse_line(line: &'a [u8]) -> Result<Self, LineError> {
        parse_session_line(line)
    }
}

impl<'a> LineRecord<'a> for ErrorRecord<'a> {
    #[inline(always)]
    fn parse_line(line: &'a [u8]) -> Result<Self, LineError> {
        parse_error_line(line)
    }
}

/// The records of a line-per-record text, skipping blank lines. Each item is a
/// record or the [`ParseError`] of one line; iteration may go on after an error.
pub struct Records<'a, R> {
    lines: LineSplitter<'a>,
    record: std::marker::PhantomData<fn() -> R>,
}

impl<'a, R> Records<'a, R> {
    /// The records of the lines `lines` yields.
    pub(crate) fn new(lines: LineSplitter<'a>) -> Self {
        Records {
            lines,
            record: std::marker::PhantomData,
        }
    }
}

impl<'a, R: LineRecord<'a>> Iterator for Records<'a, R> {
    type Item = Result<R, ParseError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = self.lines.next()?;
            if is_blank_line(line.bytes) {
                continue;
            }
            return Some(
                R::parse_line(line.bytes)
                    .map_err(|e| ParseError::from_line(e, line.bytes, line.number, line.start)),
            );
        }
    }
}

/// Iterate over the session records of a text (blank lines are skipped). Each item
/// is a record borrowing from `text`, or the [`ParseError`] of one bad line.
///
/// ```
/// let text = concat!(
///     "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29\n",
///     "\n",
///     "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500]\n",
/// );
/// let mut records = plumlogs::sessions(text);
/// assert_eq!(records.next().unwrap()?.duration(), Some(29));
/// let err = records.next().unwrap().unwrap_err();
/// assert_eq!(err.line, 3); // 1-based, blank lines counted
/// assert!(records.next().is_none());
/// # Ok::<(), plumlogs::ParseError>(())
/// ```
pub fn sessions<T: AsRef<[u8]> + ?Sized>(text: &T) -> Records<'_, SessionRecord<'_>> {
    Records {
        lines: LineSplitter::new(text.as_ref()),
        record: std::marker::PhantomData,
    }
}

/// Iterate over the error records of a text (see [`sessions`]).
///
/// ```
/// let text = "error 2125551234 6 [17/Nov/2016:14:40:46 -0400] 6177123000 100025;006;1479411625 Max Disconnect Count Exceeded\n";
/// let messages: Vec<String> = plumlogs::errors(text)
///     .map(|rec| rec.map(|r| r.message.into_owned()))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(messages, ["Max Disconnect Count Exceeded"]);
/// # Ok::<(), plumlogs::ParseError>(())
/// ```
pub fn errors<T: AsRef<[u8]> + ?Sized>(text: &T) -> Records<'_, ErrorRecord<'_>> {
    Records {
        lines: LineSplitter::new(text.as_ref()),
        record: std::marker::PhantomData,
    }
}

/// Every session record of a text, or the first bad line.
///
/// ```
/// let text = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29\n";
/// let records = plumlogs::parse_sessions(text)?;
/// assert_eq!(records.len(), 1);
///
/// let err = plumlogs::parse_sessions("not a session line\n").unwrap_err();
/// assert_eq!((err.line, err.input.as_str()), (1, "not a session line"));
/// # Ok::<(), plumlogs::ParseError>(())
/// ```
pub fn parse_sessions<T: AsRef<[u8]> + ?Sized>(
    text: &T,
) -> Result<Vec<SessionRecord<'_>>, ParseError> {
    sessions(text).collect()
}

/// Every error record of a text, or the first bad line.
///
/// ```
/// let records = plumlogs::parse_errors("error 2125551234 6 [17/Nov/2016:14:40:46 -0400] 6177123000 100025;006;1479411625 Max Disconnect Count Exceeded\n")?;
/// assert_eq!(records[0].session_id.parts().unwrap().server, "100025");
/// # Ok::<(), plumlogs::ParseError>(())
/// ```
pub fn parse_errors<T: AsRef<[u8]> + ?Sized>(text: &T) -> Result<Vec<ErrorRecord<'_>>, ParseError> {
    errors(text).collect()
}

/// Every entry of a call-log text, or the first bad entry. Lines that do not start
/// an entry continue the previous entry's message.
///
/// ```
/// let text = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: answered\n  and a second line\n";
/// let entries = plumlogs::parse_call_log(text)?;
/// assert_eq!(entries.len(), 1);
/// assert_eq!(entries[0].message, "answered\n  and a second line");
/// # Ok::<(), plumlogs::ParseError>(())
/// ```
pub fn parse_call_log<T: AsRef<[u8]> + ?Sized>(
    text: &T,
) -> Result<Vec<CallLogEntry<'_>>, ParseError> {
    CallLogEntries::new(text).collect()
}

/// The outcome of a lenient parse: every good record and every problem, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lenient<R> {
    /// The lines that parsed, in input order.
    pub records: Vec<R>,
    /// One error per line that did not parse, in input order, each naming its line.
    pub problems: Vec<ParseError>,
}

impl<R> Default for Lenient<R> {
    fn default() -> Self {
        Lenient {
            records: Vec::new(),
            problems: Vec::new(),
        }
    }
}

impl<R> FromIterator<Result<R, ParseError>> for Lenient<R> {
    fn from_iter<I: IntoIterator<Item = Result<R, ParseError>>>(iter: I) -> Self {
        let mut out = Lenient::default();
        for item in iter {
            match item {
                Ok(r) => out.records.push(r),
                Err(e) => out.problems.push(e),
            }
        }
        out
    }
}

/// Every good session record of a text, and every bad line.
///
/// ```
/// let text = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29\ngarbage\n";
/// let out = plumlogs::parse_sessions_lenient(text);
/// assert_eq!((out.records.len(), out.problems.len()), (1, 1));
/// assert_eq!(out.problems[0].line, 2);
/// ```
pub fn parse_sessions_lenient<T: AsRef<[u8]> + ?Sized>(text: &T) -> Lenient<SessionRecord<'_>> {
    sessions(text).collect()
}

/// Every good error record of a text, and every bad line.
///
/// ```
/// let out = plumlogs::parse_errors_lenient("garbage\nerror 2125551234 6 [17/Nov/2016:14:40:46 -0400] 6177123000 100025;006;1479411625 Max Disconnect Count Exceeded\n");
/// assert_eq!((out.records.len(), out.problems[0].line), (1, 1));
/// ```
pub fn parse_errors_lenient<T: AsRef<[u8]> + ?Sized>(text: &T) -> Lenient<ErrorRecord<'_>> {
    errors(text).collect()
}

/// Every good entry of a call-log text, and every bad one.
///
/// ```
/// let out = plumlogs::parse_call_log_lenient("Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: answered\n");
/// assert_eq!((out.records.len(), out.problems.len()), (1, 0));
/// ```
pub fn parse_call_log_lenient<T: AsRef<[u8]> + ?Sized>(text: &T) -> Lenient<CallLogEntry<'_>> {
    CallLogEntries::new(text).collect()
}

/// How many non-blank lines a text has: what records + problems must add up to in
/// lenient mode for the line-per-record formats.
pub fn count_non_blank_lines(text: &[u8]) -> usize {
    LineSplitter::new(text)
        .filter(|l| !is_blank_line(l.bytes))
        .count()
}
