//! Time arguments: the one reading of a window's `start`/`end` values, shared by the
//! CLI (`--from`/`--to`) and the bindings (`start=`/`end=`).
//!
//! A value is UNIX seconds (an integer or a float), an ISO 8601 date or date-time
//! with an offset, `now`, a span back from now (`90s`, `90m`, `24h`, `7d`, `2w`), or
//! `max`: as far back as the service keeps data. Parsing ([`TimeArg::parse`]) reads
//! the syntax and refuses values that are almost surely a mistake (milliseconds where
//! seconds were meant, a bare `24` that was meant as `24h`); resolving a window
//! ([`resolve_window`]) reads the clock and refuses windows that cannot hold anything
//! (in the future, or ending before they start).
//!
//! Nothing here panics, whatever the input: every error is a [`TimeArgError`] that
//! quotes a bounded excerpt of the input.
//!
//! ```
//! use plumlogs::Service;
//! use plumlogs::timearg::{resolve_window, TimeArg, TimeInput};
//! let now = 1_764_200_000;
//! let start = TimeArg::parse(TimeInput::Text("24h")).unwrap();
//! let end = TimeArg::parse(TimeInput::Text("now")).unwrap();
//! assert_eq!(resolve_window(start, end, Service::Sessions, now), Ok((now - 86_400, now)));
//! let e = TimeArg::parse(TimeInput::Int(1_764_200_000_000)).unwrap_err();
//! assert!(e.to_string().contains("milliseconds"));
//! ```

use crate::service::Service;
use crate::{ErrorKind, Timestamp};
use std::fmt;

/// What a time argument may be, in one line (for `--help` and error messages).
pub const HELP: &str = "UNIX seconds (1700000000 or 1700000000.5), an ISO 8601 date \
(2026-11-26, midnight UTC) or date-time with an offset (2026-11-26T08:00:00Z, \
2026-11-26T03:00-05:00), `now`, a span back from now (90s, 90m, 24h, 7d, 2w), \
or `max` (as far back as the service keeps data; start only)";

/// How much later than the service's earliest accepted start `max` starts.
///
/// The service checks `start` against its own clock when each page is requested,
/// so a start of exactly "retention ago" is refused a moment later. The margin
/// covers the difference between the two clocks and a long pull's later pages
/// (each is checked again); ten minutes out of 5 or 365 days loses little.
pub const MAX_SAFETY_MARGIN_SECONDS: i64 = 600;

/// How far in the future a window's start may be before it is refused: the client's
/// clock and the server's differ by a little.
pub const FUTURE_GRACE_SECONDS: i64 = 60;

/// The earliest UNIX time taken as meant (2001-09-09T01:46:40Z). Smaller numbers are
/// almost always a span typed without its unit (`24` for `24h`).
pub const EARLIEST_PLAUSIBLE_SECONDS: i64 = 1_000_000_000;

/// The first UNIX time refused as too large (year 5138): larger numbers are almost
/// always milliseconds, microseconds or nanoseconds.
pub const LATEST_PLAUSIBLE_SECONDS: i64 = 100_000_000_000;

/// The longest span accepted (about 200 years).
const MAX_SPAN_SECONDS: i64 = 200 * 366 * 86_400;

/// How many characters of a bad input an error quotes.
const EXCERPT_CHARS: usize = 40;

/// A time argument as a caller has it: the CLI and Python/Node strings are `Text`,
/// numbers are `Int` or `Float` (UNIX seconds), and a duration object (Python
/// `timedelta`, a Node duration) is `Span`, in seconds back from now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeInput<'a> {
    /// Any of the forms in [`HELP`].
    Text(&'a str),
    /// UNIX seconds.
    Int(i64),
    /// UNIX seconds with a fraction.
    Float(f64),
    /// Seconds back from now.
    Span(f64),
}

/// What a time argument means, before the clock is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeArg {
    /// A moment, in UNIX seconds.
    At {
        /// The whole seconds (the floor of a fractional value).
        seconds: i64,
        /// The value had a fraction: as a window's end it rounds up, so the window
        /// still holds every second that it touches.
        fractional: bool,
    },
    /// This many seconds before now.
    Ago(i64),
    /// The clock's reading.
    Now,
    /// As far back as the service keeps data (a start only).
    Max,
}

/// Which end of a window a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bound {
    /// The window's first second (inclusive).
    Start,
    /// The second after the window (exclusive).
    End,
}

impl Bound {
    /// `start` or `end`, as the libraries name the arguments.
    pub const fn name(self) -> &'static str {
        match self {
            Bound::Start => "start",
            Bound::End => "end",
        }
    }
}

/// A time argument that cannot be used: why, with a bounded excerpt of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeArgError {
    /// Which argument, when the error is about one end of a window; `None` from
    /// [`TimeArg::parse`], which does not know what the value is for.
    pub bound: Option<Bound>,
    /// What is wrong and, where it helps, what to write instead.
    pub message: String,
}

impl TimeArgError {
    fn new(message: impl Into<String>) -> Self {
        TimeArgError {
            bound: None,
            message: message.into(),
        }
    }

    fn at(mut self, bound: Bound) -> Self {
        self.bound = Some(bound);
        self
    }

    /// The message without the argument's name (for callers that name the argument
    /// their own way, e.g. the CLI's `--from`).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TimeArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.bound {
            Some(b) => write!(f, "{}: {}", b.name(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TimeArgError {}

impl From<TimeArgError> for crate::Error {
    fn from(e: TimeArgError) -> Self {
        let field = e.bound.map_or("time", Bound::name);
        crate::Error::invalid_argument(field, e.message)
    }
}

/// At most [`EXCERPT_CHARS`] characters of `s`, quoted and escaped, with the length
/// when it is cut.
fn excerpt(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_CHARS) {
        None => format!("{s:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &s[..cut], s.len()),
    }
}

/// `2026-11-26T08:00:00Z` for a UNIX time in the calendar's range, else the number.
pub fn iso_utc(unix: i64) -> String {
    // Timestamp holds four-digit years: 0000-01-01 .. 9999-12-31.
    if !(-62_167_219_200..=253_402_300_799).contains(&unix) {
        return unix.to_string();
    }
    let mut s = Timestamp::from_unix(unix, 0).to_string();
    if s.ends_with("+00:00") {
        s.truncate(s.len() - 6);
        s.push('Z');
    }
    s
}

/// The refusal of a whole number of UNIX seconds outside the plausible range, or `None`.
fn implausible(n: i128, written: &str) -> Option<TimeArgError> {
    if n < EARLIEST_PLAUSIBLE_SECONDS as i128 {
        let mut m = if n < 0 {
            format!("{written} is a negative UNIX time")
        } else {
            format!(
                "{written} is not a plausible UNIX time (it is {}, before 2001)",
                iso_utc(n as i64)
            )
        };
        if (1..=100_000).contains(&n) {
            m.push_str(&format!(": did you mean {n}h? ({n} hours back from now)"));
        } else {
            m.push_str(&format!("; expected {HELP}"));
        }
        return Some(TimeArgError::new(m));
    }
    if n >= LATEST_PLAUSIBLE_SECONDS as i128 {
        for (div, unit, source) in [
            (1_000i128, "milliseconds", " (what Date.now() gives)"),
            (1_000_000, "microseconds", ""),
            (1_000_000_000, "nanoseconds", " (what time.time_ns() gives)"),
        ] {
            let s = n / div;
            if (EARLIEST_PLAUSIBLE_SECONDS as i128..LATEST_PLAUSIBLE_SECONDS as i128).contains(&s) {
                return Some(TimeArgError::new(format!(
                    "{written} looks like {unit}{source}, not UNIX seconds: did you mean {s} ({})?",
                    iso_utc(s as i64)
                )));
            }
        }
        return Some(TimeArgError::new(format!(
            "{written} is too large for UNIX seconds (after year 5000)"
        )));
    }
    None
}

impl TimeArg {
    /// Read a time argument. Refuses what is almost surely a mistake, with a hint:
    /// a number that looks like milliseconds, or one too small to be a recent UNIX
    /// time (a bare `24` meant as `24h`).
    pub fn parse(input: TimeInput<'_>) -> Result<TimeArg, TimeArgError> {
        match input {
            TimeInput::Text(s) => parse_text(s),
            TimeInput::Int(n) => match implausible(n as i128, &n.to_string()) {
                Some(e) => Err(e),
                None => Ok(TimeArg::At {
                    seconds: n,
                    fractional: false,
                }),
            },
            TimeInput::Float(f) => {
                if !f.is_finite() {
                    return Err(TimeArgError::new(format!(
                        "{f} is not a finite number of UNIX seconds"
                    )));
                }
                let floor = f.floor();
                // Beyond ±1e30 every answer is "implausible"; clamp before converting.
                let whole = floor.clamp(-1e30, 1e30) as i128;
                if let Some(e) = implausible(whole, &f.to_string()) {
                    return Err(e);
                }
                Ok(TimeArg::At {
                    seconds: whole as i64,
                    fractional: f != floor,
                })
            }
            TimeInput::Span(f) => {
                if !f.is_finite() || f < 0.0 {
                    return Err(TimeArgError::new(format!(
                        "a span back from now must be a finite number of seconds ≥ 0, not {f}"
                    )));
                }
                if f > MAX_SPAN_SECONDS as f64 {
                    return Err(TimeArgError::new(format!(
                        "a span of {f} seconds is too large (at most 200 years)"
                    )));
                }
                // A fractional span reaches back to the start of the second it lands in.
                Ok(TimeArg::Ago(f.ceil() as i64))
            }
        }
    }

    /// [`TimeArg::parse`] of a string.
    pub fn parse_str(s: &str) -> Result<TimeArg, TimeArgError> {
        TimeArg::parse(TimeInput::Text(s))
    }

    /// The UNIX second this value names as `bound` of a window, against `now`.
    /// `Max` needs a service: it is resolved by [`resolve_window`] (or
    /// [`TimeArg::resolve`]); here it is an error.
    pub fn instant(self, now: i64, bound: Bound) -> Result<i64, TimeArgError> {
        match self {
            TimeArg::At {
                seconds,
                fractional,
            } => Ok(match (bound, fractional) {
                (Bound::End, true) => seconds.saturating_add(1),
                _ => seconds,
            }),
            TimeArg::Ago(span) => Ok(now.saturating_sub(span)),
            TimeArg::Now => Ok(now),
            TimeArg::Max => Err(TimeArgError::new(
                "`max` (as far back as the service keeps data) needs to know the service",
            )
            .at(bound)),
        }
    }

    /// The UNIX second this value names as `bound` of a window of `service`, against
    /// `now`. `Max` is the earliest start the service accepts, less
    /// [`MAX_SAFETY_MARGIN_SECONDS`]; as an end it is an error.
    pub fn resolve(self, bound: Bound, service: Service, now: i64) -> Result<i64, TimeArgError> {
        match (self, bound) {
            (TimeArg::Max, Bound::Start) => Ok(earliest_start(service, now)),
            (TimeArg::Max, Bound::End) => Err(TimeArgError::new(
                "`max` means as far back as the service keeps data: it is a start, not an end \
                 (use `now` for the latest end)",
            )
            .at(bound)),
            (other, _) => other.instant(now, bound),
        }
    }
}

/// The start that `max` stands for: the earliest start `service` accepts at `now`,
/// plus [`MAX_SAFETY_MARGIN_SECONDS`].
pub fn earliest_start(service: Service, now: i64) -> i64 {
    now.saturating_sub(service.retention_seconds())
        .saturating_add(MAX_SAFETY_MARGIN_SECONDS)
}

/// A window `[start, end)` of `service` in UNIX seconds, against the clock `now`.
/// Refuses a window that cannot hold anything: one that starts in the future (more
/// than [`FUTURE_GRACE_SECONDS`] ahead), and one that ends before it starts or where
/// it starts. An end in the future is allowed (`--to` a little ahead of a skewed
/// clock loses nothing). Retention is the client's check, made at request time.
pub fn resolve_window(
    start: TimeArg,
    end: TimeArg,
    service: Service,
    now: i64,
) -> Result<(i64, i64), TimeArgError> {
    let s = start.resolve(Bound::Start, service, now)?;
    let e = end.resolve(Bound::End, service, now)?;
    if s > now.saturating_add(FUTURE_GRACE_SECONDS) {
        return Err(TimeArgError::new(format!(
            "the window starts in the future ({} while the clock says {}): nothing can be listed yet",
            iso_utc(s),
            iso_utc(now)
        ))
        .at(Bound::Start));
    }
    if e < s {
        return Err(TimeArgError::new(format!(
            "the window ends ({}) before it starts ({}): are start and end swapped?",
            iso_utc(e),
            iso_utc(s)
        ))
        .at(Bound::End));
    }
    if e == s {
        return Err(TimeArgError::new(format!(
            "the window is empty: it starts and ends at {} (the end is exclusive)",
            iso_utc(s)
        ))
        .at(Bound::End));
    }
    Ok((s, e))
}

/// [`resolve_window`] of two inputs as callers have them (what a binding calls).
pub fn window(
    start: TimeInput<'_>,
    end: TimeInput<'_>,
    service: Service,
    now: i64,
) -> Result<(i64, i64), TimeArgError> {
    let s = TimeArg::parse(start).map_err(|e| e.at(Bound::Start))?;
    let e = TimeArg::parse(end).map_err(|e| e.at(Bound::End))?;
    resolve_window(s, e, service, now)
}

fn parse_text(s: &str) -> Result<TimeArg, TimeArgError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(TimeArgError::new(format!("empty time; expected {HELP}")));
    }
    if t.eq_ignore_ascii_case("now") {
        return Ok(TimeArg::Now);
    }
    if t.eq_ignore_ascii_case("max") {
        return Ok(TimeArg::Max);
    }
    let b = t.as_bytes();
    let unsigned = b.strip_prefix(b"-").unwrap_or(b);
    if !unsigned.is_empty()
        && unsigned[0].is_ascii_digit()
        && unsigned.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && unsigned.iter().filter(|c| **c == b'.').count() <= 1
        && unsigned.last() != Some(&b'.')
    {
        return parse_number(t, b.len() != unsigned.len(), unsigned);
    }
    if let Some(span) = parse_span(t)? {
        return Ok(TimeArg::Ago(span));
    }
    if b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' {
        let (seconds, fractional) = parse_iso(t)?;
        return Ok(TimeArg::At {
            seconds,
            fractional,
        });
    }
    Err(TimeArgError::new(format!(
        "cannot read {} as a time; expected {HELP}",
        excerpt(t)
    )))
}

/// `1700000000` or `1700000000.25` (`digits` without the sign; ASCII digits and at
/// most one inner `.`).
fn parse_number(text: &str, negative: bool, digits: &[u8]) -> Result<TimeArg, TimeArgError> {
    let (whole, frac) = match digits.iter().position(|c| *c == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &digits[..0]),
    };
    // Saturate: past 10^30 the answer is "too large" whatever the digits.
    let mut n: i128 = 0;
    for d in whole {
        n = (n * 10 + (d - b'0') as i128).min(10i128.pow(30));
    }
    if negative {
        n = -n;
    }
    let fractional = frac.iter().any(|d| *d != b'0');
    if negative && fractional {
        n -= 1; // the floor of a negative number with a fraction
    }
    if let Some(e) = implausible(n, &excerpt(text)) {
        return Err(e);
    }
    Ok(TimeArg::At {
        seconds: n as i64,
        fractional,
    })
}

/// `90m` → `Some(5400)`. `None` when `s` is not shaped like a span at all.
fn parse_span(s: &str) -> Result<Option<i64>, TimeArgError> {
    let digits_end = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits_end == 0 || digits_end == s.len() {
        return Ok(None);
    }
    // The digits are ASCII, so `digits_end` is a character boundary.
    let (digits, unit) = s.split_at(digits_end);
    if unit.starts_with(['-', '.', ':']) {
        return Ok(None); // a date, a time or a decimal: not a span
    }
    let unit_seconds: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => {
            return Err(TimeArgError::new(format!(
                "unknown unit {} in span {}: use s, m, h, d or w (e.g. 90m, 24h, 7d)",
                excerpt(unit),
                excerpt(s)
            )));
        }
    };
    digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_seconds))
        .filter(|span| *span <= MAX_SPAN_SECONDS)
        .map(Some)
        .ok_or_else(|| {
            TimeArgError::new(format!(
                "span {} is too large (at most 200 years)",
                excerpt(s)
            ))
        })
}

/// A cursor over ISO 8601 text, so each error can say which part is wrong. It only
/// moves over ASCII bytes, so every position it stops at is a character boundary.
struct Iso<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
}

impl Iso<'_> {
    fn err(&self, what: &str) -> TimeArgError {
        TimeArgError::new(format!(
            "bad ISO 8601 time {} at character {}: expected {what}",
            excerpt(self.text),
            self.text[..self.pos].chars().count() + 1
        ))
    }
    fn digits(&mut self, n: usize, what: &str) -> Result<u32, TimeArgError> {
        let Some(run) = self.b.get(self.pos..self.pos + n) else {
            return Err(self.err(what));
        };
        if !run.iter().all(u8::is_ascii_digit) {
            return Err(self.err(what));
        }
        self.pos += n;
        Ok(run.iter().fold(0, |v, d| v * 10 + (d - b'0') as u32))
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.pos == self.b.len()
    }
}

/// An ISO 8601 date (`2026-11-26`, midnight UTC) or date-time with an offset; the
/// seconds may have a fraction. Gives the whole UNIX seconds and whether there was
/// a fraction.
fn parse_iso(text: &str) -> Result<(i64, bool), TimeArgError> {
    let mut p = Iso {
        text,
        b: text.as_bytes(),
        pos: 0,
    };
    let year = p.digits(4, "a four-digit year")?;
    if !p.eat(b'-') {
        return Err(p.err("`-` after the year"));
    }
    let month = p.digits(2, "a two-digit month")?;
    if !p.eat(b'-') {
        return Err(p.err("`-` after the month"));
    }
    let day = p.digits(2, "a two-digit day")?;
    let mut ts = Timestamp {
        year: year as u16,
        month: month as u8,
        day: day as u8,
        hour: 0,
        minute: 0,
        second: 0,
        offset_minutes: Some(0),
    };
    let mut fractional = false;
    if !p.done() {
        if !(p.eat(b'T') || p.eat(b't') || p.eat(b' ')) {
            return Err(p.err("`T` between the date and the time"));
        }
        ts.hour = p.digits(2, "a two-digit hour")? as u8;
        if !p.eat(b':') {
            return Err(p.err("`:` after the hour"));
        }
        ts.minute = p.digits(2, "two-digit minutes")? as u8;
        if p.eat(b':') {
            ts.second = p.digits(2, "two-digit seconds")? as u8;
            if p.eat(b'.') || p.eat(b',') {
                let start = p.pos;
                while p.b.get(p.pos).is_some_and(u8::is_ascii_digit) {
                    fractional |= p.b[p.pos] != b'0';
                    p.pos += 1;
                }
                if p.pos == start {
                    return Err(p.err("digits of a fraction of a second"));
                }
            }
        }
        ts.offset_minutes = Some(if p.eat(b'Z') || p.eat(b'z') {
            0
        } else if p.done() {
            return Err(TimeArgError::new(format!(
                "ISO 8601 time {} has no UTC offset; add `Z` or one like `-05:00`",
                excerpt(text)
            )));
        } else {
            let sign = if p.eat(b'+') {
                1
            } else if p.eat(b'-') {
                -1
            } else {
                return Err(p.err("a UTC offset: `Z`, `+hh:mm` or `-hh:mm`"));
            };
            let hh = p.digits(2, "a two-digit offset hour")?;
            let mm = if p.done() {
                0
            } else {
                p.eat(b':');
                p.digits(2, "two-digit offset minutes")?
            };
            if hh > 14 || mm > 59 {
                return Err(TimeArgError::new(format!(
                    "UTC offset in {} is out of range",
                    excerpt(text)
                )));
            }
            sign * (hh * 60 + mm) as i16
        });
    }
    if !p.done() {
        return Err(p.err("the end of the time"));
    }
    ts.validate().map_err(|kind: ErrorKind| {
        TimeArgError::new(format!(
            "bad ISO 8601 time {}: {}",
            excerpt(text),
            kind.description()
        ))
    })?;
    match ts.unix_seconds() {
        Some(s) => Ok((s, fractional)),
        None => Err(TimeArgError::new(format!(
            "ISO 8601 time {} has no UTC offset",
            excerpt(text)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_200_000;

    fn at(s: &str) -> Result<i64, TimeArgError> {
        TimeArg::parse_str(s)?.instant(NOW, Bound::Start)
    }

    fn msg(s: &str) -> String {
        at(s).unwrap_err().to_string()
    }

    #[test]
    fn unix_seconds_and_now() {
        assert_eq!(at("1700000000"), Ok(1_700_000_000));
        assert_eq!(at("now"), Ok(NOW));
        assert_eq!(at(" NOW "), Ok(NOW));
        assert_eq!(
            TimeArg::parse_str("1700000000.5"),
            Ok(TimeArg::At {
                seconds: 1_700_000_000,
                fractional: true
            })
        );
        assert_eq!(
            TimeArg::parse_str("1700000000.000"),
            Ok(TimeArg::At {
                seconds: 1_700_000_000,
                fractional: false
            })
        );
    }

    #[test]
    fn ints_floats_and_spans_as_bindings_pass_them() {
        let p = TimeArg::parse;
        assert_eq!(
            p(TimeInput::Int(1_700_000_000)),
            Ok(TimeArg::At {
                seconds: 1_700_000_000,
                fractional: false
            })
        );
        let f = p(TimeInput::Float(1_700_000_000.25)).unwrap();
        assert_eq!(f.instant(NOW, Bound::Start), Ok(1_700_000_000));
        assert_eq!(f.instant(NOW, Bound::End), Ok(1_700_000_001));
        assert_eq!(p(TimeInput::Span(90.0)), Ok(TimeArg::Ago(90)));
        assert_eq!(p(TimeInput::Span(0.5)), Ok(TimeArg::Ago(1)));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
            assert!(p(TimeInput::Span(bad)).is_err(), "{bad}");
        }
        for bad in [f64::NAN, f64::NEG_INFINITY, 1e300, -1e300, 24.0] {
            assert!(p(TimeInput::Float(bad)).is_err(), "{bad}");
        }
        assert!(p(TimeInput::Int(i64::MIN)).is_err());
        assert!(p(TimeInput::Int(i64::MAX)).is_err());
    }

    #[test]
    fn mistakes_get_a_hint() {
        let e = msg("24");
        assert!(e.contains("did you mean 24h?"), "{e}");
        let e = TimeArg::parse(TimeInput::Int(24)).unwrap_err().to_string();
        assert!(e.contains("did you mean 24h?"), "{e}");
        let e = msg("1764200000000");
        assert!(
            e.contains("milliseconds") && e.contains("did you mean 1764200000"),
            "{e}"
        );
        let e = TimeArg::parse(TimeInput::Float(1_764_200_000_123.0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("milliseconds"), "{e}");
        assert!(msg("1764200000000000").contains("microseconds"));
        assert!(msg("1764200000000000000").contains("nanoseconds"));
        assert!(msg("99999999999999999999999999999999999").contains("too large"));
        assert!(msg("-5").contains("negative"));
        assert!(msg("-1700000000.5").contains("negative"));
    }

    #[test]
    fn spans() {
        assert_eq!(at("90m"), Ok(NOW - 5400));
        assert_eq!(at("24h"), Ok(NOW - 86_400));
        assert_eq!(at("7d"), Ok(NOW - 7 * 86_400));
        assert_eq!(at("2w"), Ok(NOW - 14 * 86_400));
        assert_eq!(at("30s"), Ok(NOW - 30));
        assert!(msg("5y").contains("unknown unit"));
        assert!(msg("5é").contains("unknown unit"));
        assert!(msg("99999999999999999999d").contains("too large"));
        assert!(msg("300y").contains("unknown unit"));
        assert!(msg("99999w").contains("too large"));
    }

    #[test]
    fn iso_dates_and_times() {
        assert_eq!(at("2017-11-03"), Ok(1_509_667_200));
        assert_eq!(at("2017-11-03T00:10:42-05:00"), Ok(1_509_685_842));
        assert_eq!(at("2017-11-03T05:10:42Z"), Ok(1_509_685_842));
        assert_eq!(at("2017-11-03 05:10:42+00:00"), Ok(1_509_685_842));
        assert_eq!(at("2017-11-03T00:10:42-0500"), Ok(1_509_685_842));
        assert_eq!(at("2017-11-03T10:40+05:30"), Ok(1_509_685_800));
        assert_eq!(at("2017-11-03T00:10-05"), Ok(1_509_685_800));
        let frac = TimeArg::parse_str("2017-11-03T05:10:42.250Z").unwrap();
        assert_eq!(frac.instant(NOW, Bound::Start), Ok(1_509_685_842));
        assert_eq!(frac.instant(NOW, Bound::End), Ok(1_509_685_843));
    }

    #[test]
    fn iso_errors_say_what_and_where() {
        assert!(msg("2017-11-03T00:10:42").contains("no UTC offset"));
        assert!(msg("2017-02-30").contains("day of month"));
        assert!(msg("2017-13-01").contains("month"));
        assert!(msg("2017-11-03T25:00Z").contains("hour"));
        assert!(msg("2017-11-03T00:10:42.Z").contains("fraction"));
        assert!(msg("2017-11-3").contains("character 9"));
        assert!(msg("2017-11-0é").contains("character 9"));
        assert!(msg("yesterday").contains("cannot read"));
        assert!(msg("é").contains("cannot read"));
        assert!(msg("").contains("empty"));
    }

    #[test]
    fn errors_quote_a_bounded_excerpt() {
        let long = "x".repeat(100_000);
        let e = msg(&long);
        assert!(e.len() < 1000, "{}", e.len());
        assert!(e.contains("(100000 bytes)"), "{e}");
    }

    #[test]
    fn windows() {
        let t = TimeArg::parse_str;
        let w = |s: &str, e: &str, svc| resolve_window(t(s).unwrap(), t(e).unwrap(), svc, NOW);
        assert_eq!(w("24h", "now", Service::Errors), Ok((NOW - 86_400, NOW)));
        // max: the earliest start the service keeps, with the margin.
        assert_eq!(
            w("max", "now", Service::Logs),
            Ok((NOW - 5 * 86_400 + MAX_SAFETY_MARGIN_SECONDS, NOW))
        );
        assert_eq!(
            w("max", "now", Service::Sessions),
            Ok((NOW - 365 * 86_400 + MAX_SAFETY_MARGIN_SECONDS, NOW))
        );
        let e = w("24h", "max", Service::Logs).unwrap_err();
        assert_eq!(e.bound, Some(Bound::End));
        assert!(e.message.contains("not an end"), "{e}");
        let e = TimeArg::Max.instant(NOW, Bound::Start).unwrap_err();
        assert!(e.message.contains("service"), "{e}");
        // A window in the future, one that ends before it starts, an empty one.
        let future = (NOW + 3600).to_string();
        let e = w(&future, &(NOW + 7200).to_string(), Service::Errors).unwrap_err();
        assert!(e.to_string().starts_with("start: "), "{e}");
        assert!(e.message.contains("in the future"), "{e}");
        w(
            &(NOW + 30).to_string(),
            &(NOW + 90).to_string(),
            Service::Errors,
        )
        .unwrap();
        let e = w("now", "24h", Service::Errors).unwrap_err();
        assert!(e.message.contains("swapped"), "{e}");
        let e = w("now", "now", Service::Errors).unwrap_err();
        assert!(e.message.contains("empty"), "{e}");
        // An end in the future is fine.
        w("1h", &(NOW + 3600).to_string(), Service::Errors).unwrap();
    }

    #[test]
    fn window_of_inputs_names_the_argument() {
        let e = window(
            TimeInput::Int(24),
            TimeInput::Text("now"),
            Service::Errors,
            NOW,
        )
        .unwrap_err();
        assert_eq!(e.bound, Some(Bound::Start));
        assert!(e.to_string().starts_with("start: 24 "), "{e}");
        assert_eq!(
            window(
                TimeInput::Float(1_764_100_000.5),
                TimeInput::Span(0.0),
                Service::Errors,
                NOW
            ),
            Ok((1_764_100_000, NOW))
        );
        let err: crate::Error = e.into();
        assert!(matches!(err, crate::Error::InvalidArgument { .. }));
    }

    #[test]
    fn iso_utc_formats_and_never_panics() {
        assert_eq!(iso_utc(1_509_685_842), "2017-11-03T05:10:42Z");
        assert_eq!(iso_utc(i64::MIN), i64::MIN.to_string());
        assert_eq!(iso_utc(i64::MAX), i64::MAX.to_string());
    }
}
