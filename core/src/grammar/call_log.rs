//! Call-log text (the `calls/log` service): one entry per line,
//!
//! ```text
//! Wed 28 Aug 2002 10:16:58 AM EDT [module] (sessionID) EVENT: message
//! ```
//!
//! A line that does not start like an entry (a weekday name and a blank) continues
//! the previous entry's message; continuation lines are joined with `\n`.

use super::error::{ErrorKind, LineError, ParseError};
use super::lines::{LineSplitter, RawLine, strip_line_end};
use super::scan::{
    self, Fail, MONTH_NAMES, PResult, WEEKDAY_NAMES, blanks, check, expect, p, rest_of_line, sep,
    weekday_number,
};
use super::session_id::SessionId;
use super::timestamp::{Timestamp, known_zone, zone_offset};
use nom::Parser;
use nom::sequence::{preceded, terminated};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// One entry of a call log.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CallLogEntry<'a> {
    /// With the zone's offset when the abbreviation is known, without one otherwise.
    pub timestamp: Timestamp,
    /// The zone abbreviation as written (`EDT`).
    pub zone: Cow<'a, str>,
    /// The module that wrote the entry (`vxi`, `tel`, ...), as written.
    pub module: Cow<'a, str>,
    /// The session the entry belongs to.
    pub session_id: SessionId<'a>,
    /// The entry type (`EVENT`, `DEBUG`, `LOCAL`, `USAGE`, `ERROR`, or as written).
    pub level: Cow<'a, str>,
    /// The message; continuation lines joined with `\n`. May be empty.
    pub message: Cow<'a, str>,
}

impl CallLogEntry<'_> {
    /// A copy that owns all of its text.
    pub fn into_owned(self) -> CallLogEntry<'static> {
        CallLogEntry {
            timestamp: self.timestamp,
            zone: Cow::Owned(self.zone.into_owned()),
            module: Cow::Owned(self.module.into_owned()),
            session_id: self.session_id.into_owned(),
            level: Cow::Owned(self.level.into_owned()),
            message: Cow::Owned(self.message.into_owned()),
        }
    }
}

/// Writes the entry as the service does (a multi-line message spans several lines).
impl fmt::Display for CallLogEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.timestamp;
        let (hour12, meridiem) = match t.hour {
            0 => (12, "AM"),
            1..=11 => (t.hour, "AM"),
            12 => (12, "PM"),
            h => (h - 12, "PM"),
        };
        write!(
            f,
            "{} {:02} {} {:04} {:02}:{:02}:{:02} {} {} [{}] ({}) {}: {}",
            WEEKDAY_NAMES[t.weekday() as usize],
            t.day,
            MONTH_NAMES[(t.month.clamp(1, 12) - 1) as usize],
            t.year,
            hour12,
            t.minute,
            t.second,
            meridiem,
            self.zone,
            self.module,
            self.session_id,
            self.level,
            self.message
        )
    }
}

/// Does this line start an entry (a weekday name followed by a blank)?
pub(crate) fn starts_entry(line: &[u8]) -> bool {
    line.len() > 3 && scan::is_blank(line[3]) && weekday_number(&line[..3]).is_some()
}

/// A weekday name `Mon` … `Sun`. Checked for form only, not against the date:
/// Plum's text is kept as written, and the date fields make the timestamp.
#[inline(always)]
fn weekday(i: &[u8]) -> PResult<'_, ()> {
    match i.get(..3).and_then(weekday_number) {
        Some(_) => Ok((&i[3..], ())),
        None => Err(Fail::at(ErrorKind::BadWeekday, i)),
    }
}

/// One or two digits (a day of month, a 12-hour-clock hour).
#[inline(always)]
fn one_or_two_digits<'a>(kind: ErrorKind) -> impl Parser<&'a [u8], Output = u8, Error = Fail> {
    p(move |input: &'a [u8]| {
        let n = input
            .iter()
            .take(3)
            .take_while(|b| b.is_ascii_digit())
            .count();
        match n {
            0 if input.is_empty() => Err(Fail::at(ErrorKind::Truncated, input)),
            1 | 2 => Ok((
                &input[n..],
                scan::digits_u64(&input[..n]).unwrap_or(0) as u8,
            )),
            _ => Err(Fail::at(kind, input)),
        }
    })
}

/// Exactly two digits, at most `max`.
#[inline(always)]
fn two_digits<'a>(kind: ErrorKind, max: u32) -> impl Parser<&'a [u8], Output = u8, Error = Fail> {
    p(move |i: &'a [u8]| match scan::fixed_digits::<2>(i) {
        Some(v) if v <= max => Ok((&i[2..], v as u8)),
        _ => Err(Fail::at(kind, i)),
    })
}

/// `Jan` … `Dec` as 1..=12.
#[inline(always)]
fn month(i: &[u8]) -> PResult<'_, u8> {
    match i.get(..3).and_then(scan::month_number) {
        Some(m) => Ok((&i[3..], m)),
        None => Err(Fail::at(ErrorKind::BadMonth, i)),
    }
}

/// A four-digit year.
#[inline(always)]
fn year(i: &[u8]) -> PResult<'_, u16> {
    match scan::fixed_digits::<4>(i) {
        Some(y) => Ok((&i[4..], y as u16)),
        None => Err(Fail::at(ErrorKind::BadYear, i)),
    }
}

/// `AM` / `PM`: the hours to add to a 12-hour-clock hour taken modulo 12.
#[inline(always)]
fn meridiem(i: &[u8]) -> PResult<'_, u8> {
    match i.get(..2) {
        Some(b"AM") => Ok((&i[2..], 0)),
        Some(b"PM") => Ok((&i[2..], 12)),
        _ => Err(Fail::at(ErrorKind::BadMeridiem, i)),
    }
}

/// The zone abbreviation and its separator; optional: a `[` means the module
/// follows at once.
#[inline(always)]
fn zone(i: &[u8]) -> PResult<'_, &str> {
    if i.first() == Some(&b'[') {
        return Ok((i, ""));
    }
    terminated(p(scan::token), p(sep)).parse(i)
}

/// `[module]`, `(sessionID)`: text up to the closing delimiter.
fn delimited_text(open: u8, close: u8, kind: ErrorKind) -> impl Fn(&[u8]) -> PResult<'_, &str> {
    move |input: &[u8]| {
        if input.first() != Some(&open) {
            return Err(Fail::at(
                if input.is_empty() {
                    ErrorKind::Truncated
                } else {
                    kind
                },
                input,
            ));
        }
        let body = &input[1..];
        let n = memchr::memchr(close, body).ok_or_else(|| Fail::at(kind, input))?;
        if n == 0 {
            return Err(Fail::at(kind, input));
        }
        let text = &body[..n];
        Ok((
            &body[n + 1..],
            scan::scanned_text(text, text.is_ascii(), body)?,
        ))
    }
}

/// `[module]`. A module without blanks (every one the service writes) ends at the
/// first blank, tab or `]`, which the field scan finds with its ASCII check in the
/// same pass; any other takes [`delimited_text`], to the first `]`.
fn module(i: &[u8]) -> PResult<'_, &str> {
    if let [b'[', body @ ..] = i {
        let (n, ascii) = scan::blank_or_and_ascii(body, b']');
        if n > 0 && body.get(n) == Some(&b']') {
            return Ok((&body[n + 1..], scan::scanned_text(&body[..n], ascii, body)?));
        }
    }
    delimited_text(b'[', b']', ErrorKind::BadModule)(i)
}

/// `(sessionID)`, validated as a session id.
fn session_id(i: &[u8]) -> PResult<'_, SessionId<'_>> {
    // An id in the service's form, checked at fixed places; else a well-formed
    // ASCII id, read in one scan; anything else takes the general path below,
    // which says what is wrong.
    if let [b'(', body @ ..] = i
        && let Some(id) = super::session_id::service_form_before(body, b')')
    {
        return Ok((&body[id.as_str().len() + 1..], id));
    }
    session_id_scanned(i)
}

/// [`session_id`] in any form: to the `)`, then validated.
fn session_id_scanned(i: &[u8]) -> PResult<'_, SessionId<'_>> {
    if let [b'(', body @ ..] = i
        && let Some(n) = memchr::memchr(b')', body)
        && let Some(id) = super::session_id::ascii_session_id(&body[..n])
    {
        return Ok((&body[n + 1..], id));
    }
    let (rest, sid) = delimited_text(b'(', b')', ErrorKind::MissingSessionId)(i)?;
    match SessionId::parse(sid) {
        Ok(id) => Ok((rest, id)),
        Err(_) => Err(Fail::at(ErrorKind::BadSessionId, i)),
    }
}

/// `TYPE:` — the entry type runs to the first `:` of its field.
fn level(i: &[u8]) -> PResult<'_, &str> {
    let (n, ascii) = scan::blank_or_and_ascii(i, b':');
    if n == 0 || i.get(n) != Some(&b':') {
        return Err(Fail::at(ErrorKind::BadEntryType, i));
    }
    Ok((&i[n + 1..], scan::scanned_text(&i[..n], ascii, i)?))
}

/// `Wed 28 Aug 2002 10:16:58 AM EDT `: the timestamp with its zone's offset (when
/// the abbreviation is known) and the zone as written.
fn call_log_time(input: &[u8]) -> PResult<'_, (Timestamp, &str)> {
    let (i, clock) = match clock_fast(input) {
        Some(ok) => ok,
        None => clock_general(input)?,
    };
    let (i, zone, offset_minutes) = match zone_fast(i) {
        Some((i, zone, offset)) => (i, zone, Some(offset)),
        None => {
            let (i, zone) = zone(i)?;
            (i, zone, zone_offset(zone))
        }
    };
    let timestamp = Timestamp {
        year: clock.year,
        month: clock.month,
        day: clock.day,
        hour: clock.hour12 % 12 + clock.pm,
        minute: clock.minute,
        second: clock.second,
        offset_minutes,
    };
    // Both readings of the clock check its hour, minute and second and take its
    // month from the names, and every known zone's offset is in range (checked where
    // the zone table is built): a day up to 28 is in every month, so only another
    // day needs the whole check.
    if !(1..=28).contains(&timestamp.day)
        && let Err(kind) = timestamp.validate()
    {
        return Err(Fail::at(kind, &input[4.min(input.len())..]));
    }
    debug_assert_eq!(timestamp.validate(), Ok(()));
    Ok((i, (timestamp, zone)))
}

/// A known zone of three letters and one space before the next field (`EDT `), the
/// form the service writes: one lookup. `None` for anything else, which [`zone`]
/// reads.
#[inline(always)]
fn zone_fast(i: &[u8]) -> Option<(&[u8], &str, i16)> {
    let (name, rest) = i.split_first_chunk::<3>()?;
    let [b' ', next, ..] = *rest else {
        return None;
    };
    if scan::is_blank(next) {
        return None;
    }
    let offset = known_zone(name)?;
    // A known zone's name is ASCII.
    let zone = scan::scanned_text(name, true, i).ok()?;
    Some((&rest[1..], zone, offset))
}

/// The date and 12-hour time of an entry, as written (checked for form only; the
/// timestamp they make is validated once the zone is read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Clock {
    day: u8,
    month: u8,
    year: u16,
    hour12: u8,
    minute: u8,
    second: u8,
    /// 12 for `PM`, 0 for `AM`.
    pm: u8,
}

/// A word of `b` at byte `at`, first byte lowest.
#[inline(always)]
fn word_at(b: &[u8; 29], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// The form the service writes, `Www DD Mon YYYY HH:MM:SS AM ` (a two-digit day and
/// hour, single spaces) and the zone's first byte, checked and read as three 8-byte
/// words at fixed places (`Www DD M`, `on YYYY `, `HH:MM:SS`) and the meridiem.
/// `None` for anything else, which [`clock_general`] reads (and says what is wrong
/// with).
#[inline(always)]
fn clock_fast(input: &[u8]) -> Option<(&[u8], Clock)> {
    let b: &[u8; 29] = input.get(..29)?.try_into().ok()?;
    let (date, bad_a) = scan::word_shape(
        word_at(b, 0),
        scan::byte_mask(&[4, 5]),
        scan::byte_mask(&[3, 6]),
        scan::text_word(b"Www 00 M"),
    );
    let (year, bad_b) = scan::word_shape(
        word_at(b, 8),
        scan::byte_mask(&[3, 4, 5, 6]),
        scan::byte_mask(&[2, 7]),
        scan::text_word(b"on 0000 "),
    );
    let (time, bad_c) = scan::word_shape(
        word_at(b, 16),
        scan::byte_mask(&[0, 1, 3, 4, 6, 7]),
        scan::byte_mask(&[2, 5]),
        scan::text_word(b"00:00:00"),
    );
    let pm = match &b[24..28] {
        b" AM " => 0,
        b" PM " => 12,
        _ => return None,
    };
    if bad_a | bad_b | bad_c != 0 || scan::is_blank(b[28]) {
        return None;
    }
    weekday_number(&b[..3])?;
    let month = scan::month_number(&b[7..10])?;
    let (date, year, time) = (
        scan::digit_pairs(date),
        scan::digit_pairs(year),
        scan::digit_pairs(time),
    );
    let clock = Clock {
        day: scan::byte_at(date, 4) as u8,
        month,
        year: (scan::byte_at(year, 3) * 100 + scan::byte_at(year, 5)) as u16,
        hour12: scan::byte_at(time, 0) as u8,
        minute: scan::byte_at(time, 3) as u8,
        second: scan::byte_at(time, 6) as u8,
        pm,
    };
    let in_range = (1..=12).contains(&clock.hour12) && clock.minute <= 59 && clock.second <= 60;
    in_range.then_some((&input[28..], clock))
}

/// [`Clock`] in any form the grammar allows: field by field.
#[inline]
fn clock_general(input: &[u8]) -> PResult<'_, Clock> {
    let colon = || scan::byte(b':', ErrorKind::BadTimestampSeparator);
    (
        preceded(
            terminated(p(weekday), p(sep)),
            one_or_two_digits(ErrorKind::BadDay),
        ),
        preceded(
            p(sep),
            expect(ErrorKind::BadMonth, terminated(p(month), p(sep))),
        ),
        expect(ErrorKind::BadYear, terminated(p(year), p(sep))),
        check(
            ErrorKind::BadHour,
            one_or_two_digits(ErrorKind::BadHour),
            |h| (1..=12).contains(h),
        ),
        preceded(colon(), two_digits(ErrorKind::BadMinute, 59)),
        preceded(colon(), two_digits(ErrorKind::BadSecond, 60)),
        preceded(
            p(sep),
            expect(ErrorKind::BadMeridiem, terminated(p(meridiem), p(sep))),
        ),
    )
        .map(|(day, month, year, hour12, minute, second, pm)| Clock {
            day,
            month,
            year,
            hour12,
            minute,
            second,
            pm,
        })
        .parse(input)
}

/// The first line of an entry, with its one-line message:
/// `time zone [module] (sessionID) TYPE: message`.
fn entry_head(input: &[u8]) -> PResult<'_, CallLogEntry<'_>> {
    (
        p(call_log_time),
        terminated(p(module), p(sep)),
        terminated(p(session_id), p(sep)),
        p(level),
        preceded(p(blanks), p(rest_of_line)),
    )
        .map(
            |((timestamp, zone), module, session_id, level, message)| CallLogEntry {
                timestamp,
                zone: Cow::Borrowed(zone),
                module: Cow::Borrowed(module),
                session_id,
                level: Cow::Borrowed(level),
                message: Cow::Borrowed(message),
            },
        )
        .parse(input)
}

/// Parse the first line of one entry (no continuation lines).
///
/// ```
/// let entry = plumlogs::parse_call_log_line("Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: answered")?;
/// assert_eq!((entry.module.as_ref(), entry.level.as_ref()), ("tel", "EVENT"));
/// assert_eq!(entry.timestamp.to_string(), "2002-08-28T10:16:58-04:00");
/// # Ok::<(), plumlogs::LineError>(())
/// ```
pub fn parse_call_log_line<T: AsRef<[u8]> + ?Sized>(
    line: &T,
) -> Result<CallLogEntry<'_>, LineError> {
    let line = strip_line_end(line.as_ref());
    scan::run(line, p(entry_head))
}

/// The entries of a call-log text, in order. Each item is an entry (with its
/// continuation lines) or the error of one line that looked like an entry but was
/// malformed, or of a continuation line with no entry before it.
pub struct CallLogEntries<'a> {
    text: &'a [u8],
    lines: std::iter::Peekable<LineSplitter<'a>>,
    /// The next line is known to start an entry: the scan for continuation lines
    /// stopped at it.
    head_next: bool,
}

impl<'a> CallLogEntries<'a> {
    /// The entries of a whole text (a UTF-8 byte-order mark at its start is skipped).
    pub fn new<T: AsRef<[u8]> + ?Sized>(text: &'a T) -> Self {
        let text = text.as_ref();
        CallLogEntries {
            text,
            lines: LineSplitter::new(text).peekable(),
            head_next: false,
        }
    }

    /// The entries of a piece cut from a text before a line that starts an entry.
    pub fn piece(text: &'a [u8]) -> Self {
        CallLogEntries {
            text,
            lines: LineSplitter::piece(text).peekable(),
            head_next: false,
        }
    }

    /// Extend `entry`'s message over the continuation lines that follow.
    fn absorb_continuations(&mut self, entry: &mut CallLogEntry<'a>) -> Result<(), ParseError> {
        // The last continuation line with content: trailing blank lines carry nothing.
        let mut last: Option<RawLine<'a>> = None;
        while let Some(next) = self.lines.peek() {
            if starts_entry(next.bytes) {
                self.head_next = true;
                break;
            }
            let next = self.lines.next().expect("peeked");
            if !next.bytes.is_ascii()
                && let Err(e) = std::str::from_utf8(next.bytes)
            {
                return Err(ParseError::from_line(
                    LineError::new(ErrorKind::InvalidUtf8, e.valid_up_to()),
                    next.bytes,
                    next.number,
                    next.start,
                ));
            }
            if !next.bytes.iter().all(|&b| scan::is_blank(b)) {
                last = Some(next);
            }
        }
        let Some(last) = last else { return Ok(()) };
        let Cow::Borrowed(head) = entry.message else {
            unreachable!("a head's message borrows from the text")
        };
        let message_start = head.as_ptr() as usize - self.text.as_ptr() as usize;
        let span = &self.text[message_start..last.start + last.bytes.len()];
        // Every line of the span was checked to be UTF-8 and line ends are ASCII.
        let span = std::str::from_utf8(span).expect("checked line by line");
        entry.message = if !span.contains('\r') {
            // With plain `\n` line ends the joined message is the text itself.
            Cow::Borrowed(span)
        } else {
            let mut joined = String::with_capacity(span.len());
            for (i, line) in span.split('\n').enumerate() {
                if i > 0 {
                    joined.push('\n');
                }
                joined.push_str(line.strip_suffix('\r').unwrap_or(line));
            }
            Cow::Owned(joined)
        };
        Ok(())
    }
}

impl<'a> Iterator for CallLogEntries<'a> {
    type Item = Result<CallLogEntry<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = self.lines.next()?;
            if std::mem::take(&mut self.head_next) {
                debug_assert!(starts_entry(line.bytes));
            } else if line.bytes.iter().all(|&b| scan::is_blank(b)) {
                continue;
            } else if !starts_entry(line.bytes) {
                return Some(Err(ParseError::from_line(
                    LineError::new(ErrorKind::OrphanContinuation, 0),
                    line.bytes,
                    line.number,
                    line.start,
                )));
            }
            let mut entry = match scan::run(line.bytes, p(entry_head)) {
                Ok(e) => e,
                Err(e) => {
                    // Skip this entry's continuation lines: they belong to the bad entry.
                    while self.lines.peek().is_some_and(|l| !starts_entry(l.bytes)) {
                        self.lines.next();
                    }
                    self.head_next = self.lines.peek().is_some();
                    return Some(Err(ParseError::from_line(
                        e,
                        line.bytes,
                        line.number,
                        line.start,
                    )));
                }
            };
            return Some(self.absorb_continuations(&mut entry).map(|()| entry));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan::testing::each_one_byte_change;
    use super::*;

    const ENTRY: &str =
        "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered";

    /// Whenever the fixed-place reading of an entry's date and time takes a text,
    /// the field-by-field reading gives the same, on every one-byte change of
    /// entries at the edges of each field's range.
    #[test]
    fn clock_words_agree_with_the_field_reading() {
        let mut fast = 0;
        let bases: [&[u8]; 4] = [
            b"Wed 28 Aug 2002 10:16:58 AM EDT [tel]",
            b"Sun 31 Dec 1999 12:59:60 PM Z [x]",
            b"Mon 01 Jan 2000 01:00:00 AM [tel]",
            b"Tue 9 Feb 2016 9:05:07 PM EST [tel]",
        ];
        each_one_byte_change(&bases, |s| {
            if let Some(ok) = clock_fast(s) {
                let lossy = String::from_utf8_lossy(s);
                assert_eq!(clock_general(s), Ok(ok), "{lossy:?}");
                fast += 1;
            }
        });
        // Each digit of the three service-form entries takes ten values (one its
        // own), most letters and blanks one.
        assert!(fast > 3 * 14 * 5, "only {fast} clocks read at fixed places");
    }

    /// A `(sessionID)` in the service's form, checked at fixed places, reads as the
    /// scanned reading does, on every one-byte change.
    #[test]
    fn session_id_words_agree_with_the_scan() {
        let mut fast = 0;
        let bases: [&[u8]; 3] = [
            b"(100025;006;1479411625) EVENT:",
            b"(999999;999;9999999999)",
            b"(10002;006;1479411625) EVENT:",
        ];
        each_one_byte_change(&bases, |s| {
            let lossy = String::from_utf8_lossy(s);
            assert_eq!(session_id(s), session_id_scanned(s), "{lossy:?}");
            fast += usize::from(s.len() > 22 && s[22] == b')' && session_id(s).is_ok());
        });
        assert!(fast > 2 * 19 * 9, "only {fast} ids read at fixed places");
    }

    /// A known zone read at one lookup reads as the field reading does, on every
    /// one-byte change; and whatever time the grammar takes (having skipped the
    /// whole check for days up to 28) is one the whole check takes.
    #[test]
    fn zone_lookup_agrees_with_the_field_reading_and_times_are_valid() {
        let mut fast = 0;
        let bases: [&[u8]; 4] = [b"EDT [tel]", b"PST  [x]", b"AKST [x]", b"Z [x]"];
        each_one_byte_change(&bases, |s| {
            let general = zone(s).map(|(i, z)| (i, z, zone_offset(z)));
            if let Some((i, z, off)) = zone_fast(s) {
                let lossy = String::from_utf8_lossy(s);
                assert_eq!(general, Ok((i, z, Some(off))), "{lossy:?}");
                fast += 1;
            }
        });
        assert!(fast >= 9 * 4, "only {fast} zones read by lookup");
        let mut taken = 0;
        let heads: [&[u8]; 3] = [
            b"Wed 28 Feb 2001 10:16:58 AM EDT [tel]",
            b"Sun 29 Feb 2000 12:59:60 PM ChST [x]",
            b"Mon 1 Jan 2000 1:00:00 AM [tel]",
        ];
        each_one_byte_change(&heads, |s| {
            if let Ok((_, (ts, _))) = call_log_time(s) {
                assert_eq!(ts.validate(), Ok(()), "{:?}", String::from_utf8_lossy(s));
                taken += 1;
            }
        });
        assert!(taken > 3 * 20, "only {taken} times taken");
    }

    /// A `[module]` found by the field scan reads as the search for its `]` does,
    /// on every one-byte change (a blank, a tab, a second `]`, a high byte, the end).
    #[test]
    fn module_scan_agrees_with_the_bracket_search() {
        let mut scanned = 0;
        let bases: [&[u8]; 4] = [
            b"[tel] (1)",
            b"[prompt]",
            b"[a b] (x)",
            b"[a_module_name_past_sixteen_bytes] (100025;006;1479411625)",
        ];
        let general = delimited_text(b'[', b']', ErrorKind::BadModule);
        each_one_byte_change(&bases, |s| {
            let lossy = String::from_utf8_lossy(s);
            assert_eq!(module(s), general(s), "{lossy:?}");
            let body = s.get(1..).unwrap_or_default();
            let (n, _) = scan::blank_or_and_ascii(body, b']');
            scanned += usize::from(s[0] == b'[' && n > 0 && body.get(n) == Some(&b']'));
        });
        assert!(
            scanned > 4 * 200,
            "only {scanned} modules found by the scan"
        );
    }

    #[test]
    fn one_entry() {
        let e = parse_call_log_line(ENTRY).unwrap();
        assert_eq!(e.timestamp.to_string(), "2002-08-28T10:16:58-04:00");
        assert_eq!(e.zone, "EDT");
        assert_eq!(e.module, "tel");
        assert_eq!(e.session_id.as_str(), "100025;006;1479411625");
        assert_eq!(e.level, "EVENT");
        assert_eq!(e.message, "call answered");
        assert_eq!(e.to_string(), ENTRY);
    }

    #[test]
    fn twelve_hour_clock() {
        let at = |t: &str| {
            parse_call_log_line(&ENTRY.replace("10:16:58 AM", t))
                .unwrap()
                .timestamp
                .hour
        };
        assert_eq!(at("12:00:00 AM"), 0);
        assert_eq!(at("12:00:00 PM"), 12);
        assert_eq!(at("1:00:00 PM"), 13);
        assert_eq!(at("11:59:59 PM"), 23);
        assert_eq!(
            parse_call_log_line(&ENTRY.replace("10:16:58 AM", "13:00:00 PM"))
                .unwrap_err()
                .kind,
            ErrorKind::BadHour
        );
        assert_eq!(
            parse_call_log_line(&ENTRY.replace("10:16:58 AM", "0:00:00 AM"))
                .unwrap_err()
                .kind,
            ErrorKind::BadHour
        );
        assert_eq!(
            parse_call_log_line(&ENTRY.replace(" AM ", " XM "))
                .unwrap_err()
                .kind,
            ErrorKind::BadMeridiem
        );
    }

    #[test]
    fn unknown_zone_keeps_text_and_drops_offset() {
        let cest = ENTRY.replace("EDT", "CEST");
        let e = parse_call_log_line(&cest).unwrap();
        assert_eq!(e.zone, "CEST");
        assert_eq!(e.timestamp.offset_minutes, None);
        assert_eq!(e.timestamp.to_string(), "2002-08-28T10:16:58");
        let gmt = ENTRY.replace("EDT", "GMT");
        let utc = parse_call_log_line(&gmt).unwrap();
        assert_eq!(utc.timestamp.to_string(), "2002-08-28T10:16:58+00:00");
    }

    #[test]
    fn continuation_lines_join_with_newline() {
        let text = format!("{ENTRY}\n  second line\nthird: [x] (y)\n\n{ENTRY}\n");
        let entries: Vec<_> = CallLogEntries::new(&text)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0].message,
            "call answered\n  second line\nthird: [x] (y)"
        );
        assert!(matches!(entries[0].message, Cow::Borrowed(_)));
        let crlf = text.replace('\n', "\r\n");
        let entries: Vec<_> = CallLogEntries::new(&crlf)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            entries[0].message,
            "call answered\n  second line\nthird: [x] (y)"
        );
        assert_eq!(entries[1].message, "call answered");
    }

    #[test]
    fn empty_message_and_orphans() {
        let bare = ENTRY.replace(" call answered", "");
        let e = parse_call_log_line(&bare).unwrap();
        assert_eq!(e.message, "");
        let err = CallLogEntries::new("orphan\n").next().unwrap().unwrap_err();
        assert_eq!(err.kind, ErrorKind::OrphanContinuation);
        assert_eq!(err.line, 1);
    }
}
