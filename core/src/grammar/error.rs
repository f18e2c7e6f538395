//! The one error model of the line grammar.
//!
//! A line parser returns a [`LineError`]: a small `Copy` value (what went wrong and
//! at which byte of the line), so the hot path never allocates. The bulk parsers lift
//! it into a [`ParseError`], which adds the line number, the byte offset in the whole
//! text and a bounded excerpt of the offending line — the allocation happens only on
//! failure, and is never larger than [`MAX_EXCERPT`] bytes, however long the line.

use std::fmt;

/// What a parser expected and did not find. Small and `Copy`, like `httparse::Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The line ended before all of its fields were read.
    Truncated,
    /// The first word is not a lowercase call type (`inbound`, `local`, …).
    BadKind,
    /// An error line does not start with the word `error`.
    NotAnErrorLine,
    /// The channel number is not a run of digits.
    BadChannel,
    /// The channel number does not fit in 32 bits.
    ChannelOverflow,
    /// The timestamp does not start with `[`.
    MissingOpenBracket,
    /// The timestamp does not end with `]`.
    MissingCloseBracket,
    /// A date separator (`/` or `\/`) or time separator (`:`) is missing.
    BadTimestampSeparator,
    /// Day of month is not two digits in 1..=days-in-month.
    BadDay,
    /// Month is not one of `Jan` … `Dec`.
    BadMonth,
    /// Year is not four digits.
    BadYear,
    /// Hour is not in 0..=23 (or 1..=12 on a 12-hour clock).
    BadHour,
    /// Minute is not in 0..=59.
    BadMinute,
    /// Second is not in 0..=60.
    BadSecond,
    /// UTC offset is not `+hhmm`/`-hhmm` with hh ≤ 14 and mm ≤ 59.
    BadUtcOffset,
    /// The weekday of a call-log timestamp is not `Mon` … `Sun`.
    BadWeekday,
    /// The 12-hour clock marker is not `AM` or `PM`.
    BadMeridiem,
    /// The session id is not `serverid;channel;starttime`.
    BadSessionId,
    /// A UNIX time (call start or end) is not a run of digits that fits in 64 bits.
    BadUnixTime,
    /// A call length is not `hours:minutes:seconds`.
    BadDuration,
    /// A `local` line has no `label:` before its message.
    MissingLabel,
    /// A call-log entry has no `[module]`.
    BadModule,
    /// A call-log entry has no `(sessionID)`.
    MissingSessionId,
    /// A call-log entry has no `TYPE:` after its session id.
    BadEntryType,
    /// A call-log text has a continuation line before its first entry.
    OrphanContinuation,
    /// A line holds more fields than its shape allows.
    TrailingInput,
    /// A session line of kind `error`: an error-log line, given to the session parser.
    ErrorLineInSessions,
    /// A field is not valid UTF-8.
    InvalidUtf8,
}

impl ErrorKind {
    /// A short sentence saying what was expected.
    pub const fn description(self) -> &'static str {
        match self {
            ErrorKind::Truncated => "line ends before all fields were read",
            ErrorKind::BadKind => "expected a lowercase call type such as `inbound` or `local`",
            ErrorKind::NotAnErrorLine => "expected an error line starting with `error`",
            ErrorKind::BadChannel => "expected a channel number (digits)",
            ErrorKind::ChannelOverflow => "channel number is too large",
            ErrorKind::MissingOpenBracket => "expected `[` opening the timestamp",
            ErrorKind::MissingCloseBracket => "expected `]` closing the timestamp",
            ErrorKind::BadTimestampSeparator => "expected `/` (or `\\/`) or `:` in the timestamp",
            ErrorKind::BadDay => "expected a day of month valid for the month",
            ErrorKind::BadMonth => "expected a month name Jan..Dec",
            ErrorKind::BadYear => "expected a four-digit year",
            ErrorKind::BadHour => "expected an hour in range",
            ErrorKind::BadMinute => "expected a minute 00..59",
            ErrorKind::BadSecond => "expected a second 00..60",
            ErrorKind::BadUtcOffset => "expected a UTC offset +hhmm or -hhmm",
            ErrorKind::BadWeekday => "expected a weekday Mon..Sun",
            ErrorKind::BadMeridiem => "expected AM or PM",
            ErrorKind::BadSessionId => "expected a session id `serverid;channel;starttime`",
            ErrorKind::BadUnixTime => "expected a UNIX time in seconds",
            ErrorKind::BadDuration => "expected a call length `hours:minutes:seconds`",
            ErrorKind::MissingLabel => "expected `label:` before the message",
            ErrorKind::BadModule => "expected `[module]`",
            ErrorKind::MissingSessionId => "expected `(sessionID)`",
            ErrorKind::BadEntryType => "expected an entry type such as `EVENT:`",
            ErrorKind::OrphanContinuation => "continuation line before the first entry",
            ErrorKind::TrailingInput => "unexpected text after the last field",
            ErrorKind::ErrorLineInSessions => {
                "this is an error-log line (kind `error`), not a session line: \
                 parse error logs with the error-line parser (parse_errors)"
            }
            ErrorKind::InvalidUtf8 => "field is not valid UTF-8",
        }
    }

    /// A stable machine-readable name, e.g. `bad_month`.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::Truncated => "truncated",
            ErrorKind::BadKind => "bad_kind",
            ErrorKind::NotAnErrorLine => "not_an_error_line",
            ErrorKind::BadChannel => "bad_channel",
            ErrorKind::ChannelOverflow => "channel_overflow",
            ErrorKind::MissingOpenBracket => "missing_open_bracket",
            ErrorKind::MissingCloseBracket => "missing_close_bracket",
            ErrorKind::BadTimestampSeparator => "bad_timestamp_separator",
            ErrorKind::BadDay => "bad_day",
            ErrorKind::BadMonth => "bad_month",
            ErrorKind::BadYear => "bad_year",
            ErrorKind::BadHour => "bad_hour",
            ErrorKind::BadMinute => "bad_minute",
            ErrorKind::BadSecond => "bad_second",
            ErrorKind::BadUtcOffset => "bad_utc_offset",
            ErrorKind::BadWeekday => "bad_weekday",
            ErrorKind::BadMeridiem => "bad_meridiem",
            ErrorKind::BadSessionId => "bad_session_id",
            ErrorKind::BadUnixTime => "bad_unix_time",
            ErrorKind::BadDuration => "bad_duration",
            ErrorKind::MissingLabel => "missing_label",
            ErrorKind::BadModule => "bad_module",
            ErrorKind::MissingSessionId => "missing_session_id",
            ErrorKind::BadEntryType => "bad_entry_type",
            ErrorKind::OrphanContinuation => "orphan_continuation",
            ErrorKind::TrailingInput => "trailing_input",
            ErrorKind::ErrorLineInSessions => "error_line_in_sessions",
            ErrorKind::InvalidUtf8 => "invalid_utf8",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A failure inside one line: what, and the byte offset within the line (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LineError {
    /// What was wrong.
    pub kind: ErrorKind,
    /// Byte offset within the line where the problem was found (0-based).
    pub offset: usize,
}

impl LineError {
    pub(crate) const fn new(kind: ErrorKind, offset: usize) -> Self {
        LineError { kind, offset }
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {} of the line", self.kind, self.offset)
    }
}

impl std::error::Error for LineError {}

/// The most bytes of a line a [`ParseError`] keeps (and shows): a longer line is
/// cut to a window around the problem, marked `…` where it was cut. Room for a
/// whole ordinary session or error line (about 120–140 bytes).
pub const MAX_EXCERPT: usize = 200;

/// Bytes of a long line kept before the problem's column in its excerpt.
const EXCERPT_BEFORE: usize = 60;

/// A line that failed to parse: where (line, column, offset in the whole text), why,
/// and a bounded excerpt of the line around the problem.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParseError {
    /// What the parser expected and did not find.
    pub kind: ErrorKind,
    /// 1-based line number within the text.
    pub line: usize,
    /// 1-based column (in bytes) within the line.
    pub column: usize,
    /// 0-based byte offset of the problem within the whole text.
    pub offset: usize,
    /// The offending line as written (lossily decoded if it was not UTF-8) when it
    /// is at most [`MAX_EXCERPT`] bytes long; otherwise a window of at most that many
    /// bytes around the column, cut at character boundaries, with `…` marking each
    /// cut end.
    pub input: String,
    /// The length of the whole line in bytes (more than `input` holds when cut).
    pub input_len: usize,
}

impl ParseError {
    /// Lift a [`LineError`] found in `line`, which is line number `line_no` (1-based)
    /// and starts at byte `line_start` of the whole text.
    pub fn from_line(err: LineError, line: &[u8], line_no: usize, line_start: usize) -> Self {
        ParseError {
            kind: err.kind,
            line: line_no,
            column: err.offset + 1,
            offset: line_start + err.offset,
            input: excerpt(line, err.offset),
            input_len: line.len(),
        }
    }

    /// The reason as a sentence, without the position.
    pub fn reason(&self) -> &'static str {
        self.kind.description()
    }

    /// Whether `input` is a cut window of a longer line.
    pub fn is_excerpt(&self) -> bool {
        self.input_len > MAX_EXCERPT
    }
}

/// At most [`MAX_EXCERPT`] bytes of `line` around byte `at`, never splitting a UTF-8
/// character, `…` where the line was cut.
pub fn excerpt(line: &[u8], at: usize) -> String {
    if line.len() <= MAX_EXCERPT {
        return String::from_utf8_lossy(line).into_owned();
    }
    let at = at.min(line.len());
    let mut start = at.saturating_sub(EXCERPT_BEFORE);
    let mut end = (start + MAX_EXCERPT).min(line.len());
    start = end.saturating_sub(MAX_EXCERPT).min(start);
    // Move the cuts onto character boundaries (a UTF-8 continuation byte is
    // 0b10xx_xxxx; at most three follow a lead byte).
    let continuation = |b: u8| b & 0xC0 == 0x80;
    for _ in 0..3 {
        if start > 0 && start < line.len() && continuation(line[start]) {
            start += 1;
        }
        if end < line.len() && end > start && continuation(line[end]) {
            end -= 1;
        }
    }
    let mut out = String::with_capacity(end - start + 8);
    if start > 0 {
        out.push('…');
    }
    out.push_str(&String::from_utf8_lossy(&line[start..end]));
    if end < line.len() {
        out.push('…');
    }
    out
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}: {:?}",
            self.line, self.column, self.kind, self.input
        )?;
        if self.is_excerpt() {
            write!(f, " ({} bytes)", self.input_len)?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}
