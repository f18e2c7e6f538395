//! Session log lines (the `calls/sessions` service).
//!
//! ```text
//! calltype ANI channum [timestamp] DNIS sessionID callStart callEnd callLength
//! local    ANI channum [timestamp] DNIS sessionID label: message
//! ```

use super::error::{ErrorKind, LineError};
use super::lines::strip_line_end;
use super::scan::{
    self, Fail, PResult, blanks, channel, digits_u64, end_of_line, p, rest_of_line, sep, token,
    unix_seconds,
};
use super::session_id::{SessionId, session_id_field};
use super::timestamp::{Timestamp, bracketed_timestamp};
use nom::Parser;
use nom::sequence::{preceded, terminated};
use serde::Serialize;
use serde::ser::SerializeMap;
use std::borrow::Cow;
use std::fmt;

/// One session log line. Text fields borrow from the input (`Cow::Borrowed`);
/// [`SessionRecord::into_owned`] gives a `'static` copy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionRecord<'a> {
    /// `inbound`, `outbound`, `transfer`, `local`, or another lowercase word as written.
    pub kind: Cow<'a, str>,
    /// The calling number (ANI), as written; for outbound calls the server writes
    /// the dialled number here.
    pub ani: Cow<'a, str>,
    /// The hardware channel the call used.
    pub channel: u32,
    /// When the line was logged, with the offset it was written with.
    pub timestamp: Timestamp,
    /// The called number (DNIS), as written; for outbound calls the server writes
    /// the login here.
    pub dnis: Cow<'a, str>,
    /// The session the line belongs to.
    pub session_id: SessionId<'a>,
    /// Call times, or a tag's label and message.
    pub detail: SessionDetail<'a>,
}

/// What follows the session id: call times, or a `<log>` tag's label and message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SessionDetail<'a> {
    /// A call line (`inbound`, `outbound`, `transfer`, ...): its start, end and length.
    Call {
        /// UNIX seconds.
        start: i64,
        /// UNIX seconds.
        end: i64,
        /// The call length as written (`H:MM:SS`), in seconds.
        duration: u64,
    },
    /// A `local` line: a `<log>` tag or the start URL.
    Tag {
        /// The `<log>` label, or `fetchurl` for the start-URL line.
        label: Cow<'a, str>,
        /// The rest of the line, as written; may be empty.
        message: Cow<'a, str>,
    },
}

impl<'a> SessionRecord<'a> {
    /// The call's start (UNIX seconds); `None` for a tag line.
    pub fn call_start(&self) -> Option<i64> {
        match self.detail {
            SessionDetail::Call { start, .. } => Some(start),
            SessionDetail::Tag { .. } => None,
        }
    }
    /// The call's end (UNIX seconds); `None` for a tag line.
    pub fn call_end(&self) -> Option<i64> {
        match self.detail {
            SessionDetail::Call { end, .. } => Some(end),
            SessionDetail::Tag { .. } => None,
        }
    }
    /// The call's length as written, in seconds; `None` for a tag line.
    pub fn duration(&self) -> Option<u64> {
        match self.detail {
            SessionDetail::Call { duration, .. } => Some(duration),
            SessionDetail::Tag { .. } => None,
        }
    }
    /// The tag's label (`fetchurl` for the start-URL line); `None` for a call line.
    pub fn label(&self) -> Option<&str> {
        match &self.detail {
            SessionDetail::Tag { label, .. } => Some(label),
            SessionDetail::Call { .. } => None,
        }
    }
    /// The tag's message, as written; `None` for a call line.
    pub fn message(&self) -> Option<&str> {
        match &self.detail {
            SessionDetail::Tag { message, .. } => Some(message),
            SessionDetail::Call { .. } => None,
        }
    }

    /// A copy that owns all of its text.
    pub fn into_owned(self) -> SessionRecord<'static> {
        SessionRecord {
            kind: Cow::Owned(self.kind.into_owned()),
            ani: Cow::Owned(self.ani.into_owned()),
            channel: self.channel,
            timestamp: self.timestamp,
            dnis: Cow::Owned(self.dnis.into_owned()),
            session_id: self.session_id.into_owned(),
            detail: match self.detail {
                SessionDetail::Call {
                    start,
                    end,
                    duration,
                } => SessionDetail::Call {
                    start,
                    end,
                    duration,
                },
                SessionDetail::Tag { label, message } => SessionDetail::Tag {
                    label: Cow::Owned(label.into_owned()),
                    message: Cow::Owned(message.into_owned()),
                },
            },
        }
    }
}

/// Writes the line in the format the service uses (single spaces between fields).
impl fmt::Display for SessionRecord<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} [{}] {} {} ",
            self.kind,
            self.ani,
            self.channel,
            self.timestamp.bracketed(),
            self.dnis,
            self.session_id
        )?;
        match &self.detail {
            SessionDetail::Call {
                start,
                end,
                duration,
            } => {
                write!(f, "{start} {end} ")?;
                write_call_length(f, *duration)
            }
            SessionDetail::Tag { label, message } => write!(f, "{label}: {message}"),
        }
    }
}

/// `H:MM:SS` with at least two hour digits, as the service writes it (`00:01:53`).
pub fn write_call_length(f: &mut impl fmt::Write, seconds: u64) -> fmt::Result {
    write!(
        f,
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// The canonical JSON (`crate::schema`): a flat object with `null` for absent fields.
impl Serialize for SessionRecord<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(11))?;
        m.serialize_entry("kind", &self.kind)?;
        m.serialize_entry("ani", &self.ani)?;
        m.serialize_entry("channel", &self.channel)?;
        m.serialize_entry("timestamp", &self.timestamp)?;
        m.serialize_entry("dnis", &self.dnis)?;
        m.serialize_entry("session_id", &self.session_id)?;
        m.serialize_entry("call_start", &self.call_start())?;
        m.serialize_entry("call_end", &self.call_end())?;
        m.serialize_entry("duration", &self.duration())?;
        m.serialize_entry("label", &self.label())?;
        m.serialize_entry("message", &self.message())?;
        m.end()
    }
}

/// The fields every line shape shares: `ANI channum [timestamp] DNIS sessionID`,
/// each preceded by a separator. Also used by the error-line grammar.
///
/// A rule used twice in one grammar is written `p(|i| rule(i))`: a closure per
/// use, which LLVM inlines into its one caller, where `p(rule)` would call both
/// uses through one shared function (the fn item's `FnMut` shim) that it does not
/// inline (measured: 47 instructions per session line for the two tokens).
#[inline(always)]
pub(crate) fn common_fields(i: &[u8]) -> PResult<'_, (&str, u32, Timestamp, &str, SessionId<'_>)> {
    (
        preceded(p(sep), p(|i| token(i))),
        preceded(p(sep), p(channel)),
        preceded(p(sep), p(bracketed_timestamp)),
        preceded(p(sep), p(|i| token(i))),
        preceded(p(sep), p(session_id_field)),
    )
        .parse(i)
}

/// `H:MM:SS` (hours may exceed 24 and have any number of digits) in seconds.
#[inline(always)]
fn call_length(input: &[u8]) -> PResult<'_, u64> {
    // The form the service writes, `HH:MM:SS`, read as one word; anything else
    // (more hour digits, a bad byte) takes the general reading below.
    if let Some(word) = input.get(..8)
        && input.get(8).is_none_or(|&b| scan::is_blank(b))
    {
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        let (d, bad) = scan::word_shape(
            w,
            scan::byte_mask(&[0, 1, 3, 4, 6, 7]),
            scan::byte_mask(&[2, 5]),
            scan::text_word(b"00:00:00"),
        );
        let pairs = scan::digit_pairs(d);
        let (h, m, s) = (
            scan::byte_at(pairs, 0),
            scan::byte_at(pairs, 3),
            scan::byte_at(pairs, 6),
        );
        if bad == 0 && m <= 59 && s <= 59 {
            return Ok((&input[8..], u64::from(h * 3600 + m * 60 + s)));
        }
    }
    call_length_general(input)
}

/// [`call_length`] of any form: one field split, then fixed positions from its end.
#[inline]
fn call_length_general(input: &[u8]) -> PResult<'_, u64> {
    let (rest, field) = scan::raw_token(input);
    if field.is_empty() {
        return Err(Fail::at(ErrorKind::Truncated, input));
    }
    let bad = || Fail::at(ErrorKind::BadDuration, input);
    let n = field.len();
    if n < 7 || field[n - 3] != b':' || field[n - 6] != b':' {
        return Err(bad());
    }
    let hours = digits_u64(&field[..n - 6]).ok_or_else(bad)?;
    let minutes = scan::fixed_digits::<2>(&field[n - 5..]).ok_or_else(bad)?;
    let seconds = scan::fixed_digits::<2>(&field[n - 2..]).ok_or_else(bad)?;
    if minutes > 59 || seconds > 59 {
        return Err(bad());
    }
    let total = hours
        .checked_mul(3600)
        .and_then(|h| h.checked_add(minutes as u64 * 60 + seconds as u64))
        .ok_or_else(bad)?;
    Ok((rest, total))
}

/// `callStart callEnd callLength`, and nothing after it.
#[inline(always)]
fn call_detail(i: &[u8]) -> PResult<'_, SessionDetail<'_>> {
    match call_detail_fast(i) {
        Some(detail) => Ok((&i[i.len()..], detail)),
        None => call_detail_general(i),
    }
}

/// A word of `b` at byte `at`, first byte lowest.
#[inline(always)]
fn word_at(b: &[u8; 30], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// The form the service writes, `SSSSSSSSSS EEEEEEEEEE HH:MM:SS` and the end of
/// the line (two ten-digit UNIX times: every time from 2001-09-09 to 2286),
/// checked and read as five 8-byte words at fixed places (`SSSSSSSS`,
/// `SS EEEEE`, `EEEEEEEE`, `EE HH:MM`, `HH:MM:SS`) with no scan for where a
/// field ends. `None` for anything else, which [`call_detail_general`] reads
/// (and says what is wrong with).
#[inline(always)]
fn call_detail_fast(i: &[u8]) -> Option<SessionDetail<'_>> {
    let b: &[u8; 30] = i.try_into().ok()?;
    const ALL: u64 = u64::MAX;
    let (start_hi, bad_a) = scan::word_shape(word_at(b, 0), ALL, 0, 0);
    let (start_lo, bad_b) = scan::word_shape(
        word_at(b, 8),
        scan::byte_mask(&[0, 1, 3, 4, 5, 6, 7]),
        scan::byte_mask(&[2]),
        scan::text_word(b"00 "),
    );
    let (end_hi, bad_c) = scan::word_shape(word_at(b, 11), ALL, 0, 0);
    let (end_lo, bad_d) = scan::word_shape(
        word_at(b, 19),
        scan::byte_mask(&[0, 1]),
        scan::byte_mask(&[2]),
        scan::text_word(b"00 "),
    );
    let (length, bad_e) = scan::word_shape(
        word_at(b, 22),
        scan::byte_mask(&[0, 1, 3, 4, 6, 7]),
        scan::byte_mask(&[2, 5]),
        scan::text_word(b"00:00:00"),
    );
    let pairs = scan::digit_pairs(length);
    let (h, m, s) = (
        scan::byte_at(pairs, 0),
        scan::byte_at(pairs, 3),
        scan::byte_at(pairs, 6),
    );
    if bad_a | bad_b | bad_c | bad_d | bad_e != 0 || m > 59 || s > 59 {
        return None;
    }
    let ten_digits = |hi: u64, lo: u64| {
        (scan::eight_digits(hi) * 100) as i64 + scan::byte_at(scan::digit_pairs(lo), 0) as i64
    };
    Some(SessionDetail::Call {
        start: ten_digits(start_hi, start_lo),
        end: ten_digits(end_hi, end_lo),
        duration: u64::from(h * 3600 + m * 60 + s),
    })
}

/// [`call_detail`] in any form: field by field.
#[inline]
fn call_detail_general(i: &[u8]) -> PResult<'_, SessionDetail<'_>> {
    (
        terminated(p(|i| unix_seconds(i)), p(sep)),
        terminated(p(|i| unix_seconds(i)), p(sep)),
        terminated(p(call_length), p(end_of_line)),
    )
        .map(|(start, end, duration)| SessionDetail::Call {
            start,
            end,
            duration,
        })
        .parse(i)
}

/// `label:` — the label runs to the first `:` of the field (a blank first, or the
/// end of the line, means there is no p(label)).
#[inline(always)]
fn label(i: &[u8]) -> PResult<'_, &str> {
    let (n, ascii) = scan::blank_or_and_ascii(i, b':');
    if i.get(n) != Some(&b':') {
        return Err(Fail::at(ErrorKind::MissingLabel, i));
    }
    Ok((&i[n + 1..], scan::scanned_text(&i[..n], ascii, i)?))
}

/// `label: message` — the message is the rest of the line after the separating
/// p(blanks), as written.
#[inline]
pub(crate) fn tag_detail(i: &[u8]) -> PResult<'_, SessionDetail<'_>> {
    (p(label), preceded(p(blanks), p(rest_of_line)))
        .map(|(label, message)| SessionDetail::Tag {
            label: Cow::Borrowed(label),
            message: Cow::Borrowed(message),
        })
        .parse(i)
}

/// What follows a line's session id: call times, or a tag's label and message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Shape {
    Call,
    Tag,
}

/// The kinds the service writes, and the shape of the rest of their lines. Any
/// other lowercase word is read in whichever shape its next field suggests.
const KINDS: [(&str, Shape); 4] = [
    ("inbound", Shape::Call),
    ("outbound", Shape::Call),
    ("transfer", Shape::Call),
    ("local", Shape::Tag),
];

/// The call type and, for the kinds in [`KINDS`], its shape: a lowercase word, but
/// not `error` (an error-log line, which gets its own kind of failure so the user
/// learns which parser to use).
///
/// One of [`KINDS`] and a blank is found by comparing the line's first word with
/// each (no scan for where the word ends, one branch for all four); anything else
/// takes the letter-by-letter reading.
#[inline(always)]
fn kind(i: &[u8]) -> PResult<'_, (&str, Option<Shape>)> {
    if let Some(b) = i.get(..9) {
        let w = u64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
        let mut found = None;
        for (name, shape) in KINDS {
            let n = name.len();
            let mask = u64::MAX >> (64 - 8 * n);
            if (w & mask == scan::text_word(name.as_bytes())) & scan::is_blank(b[n]) {
                found = Some((n, shape));
            }
        }
        if let Some((n, shape)) = found {
            // The first `n` bytes equal a kind's name: ASCII.
            let name = scan::scanned_text(&i[..n], true, i)?;
            return Ok((&i[n..], (name, Some(shape))));
        }
    }
    kind_general(i)
}

/// [`kind`] of any word, letter by letter.
#[inline]
fn kind_general(i: &[u8]) -> PResult<'_, (&str, Option<Shape>)> {
    match scan::lowercase_word(i)? {
        (_, "error") => Err(Fail::at(ErrorKind::ErrorLineInSessions, i)),
        (rest, name) => Ok((rest, (name, shape_of(name)))),
    }
}

/// The shape [`KINDS`] gives `kind`, if it is one of them.
#[inline(always)]
fn shape_of(kind: &str) -> Option<Shape> {
    KINDS
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|&(_, s)| s)
}

/// What follows the session id, in the shape the kind calls for.
#[inline(always)]
fn detail<'a>(
    shape: Option<Shape>,
) -> impl Parser<&'a [u8], Output = SessionDetail<'a>, Error = Fail> {
    p(move |i: &'a [u8]| match shape {
        Some(Shape::Call) => call_detail(i),
        Some(Shape::Tag) => tag_detail(i),
        // An unknown kind is read in whichever shape its next field suggests.
        None if i.first().is_some_and(u8::is_ascii_digit) => call_detail(i),
        None => tag_detail(i),
    })
}

#[inline(always)]
fn session_line(input: &[u8]) -> PResult<'_, SessionRecord<'_>> {
    let (i, ((kind, shape), (ani, channel, timestamp, dnis, session_id))) =
        (preceded(p(blanks), p(kind)), p(common_fields)).parse(input)?;
    let (i, detail) = preceded(p(sep), detail(shape)).parse(i)?;
    Ok((
        i,
        SessionRecord {
            kind: Cow::Borrowed(kind),
            ani: Cow::Borrowed(ani),
            channel,
            timestamp,
            dnis: Cow::Borrowed(dnis),
            session_id,
            detail,
        },
    ))
}

/// Parse one session log line (a trailing `\r\n` or `\n` is ignored).
///
/// ```
/// let rec = plumlogs::parse_session_line(
///     "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
/// )?;
/// assert_eq!((rec.kind.as_ref(), rec.ani.as_ref(), rec.channel), ("inbound", "7185551234", 3));
/// assert_eq!(rec.duration(), Some(29));
/// let err = plumlogs::parse_session_line("inbound 7185551234 three").unwrap_err();
/// assert_eq!(err.offset, 19); // the byte where the channel number should be
/// # Ok::<(), plumlogs::LineError>(())
/// ```
#[inline]
pub fn parse_session_line<T: AsRef<[u8]> + ?Sized>(
    line: &T,
) -> Result<SessionRecord<'_>, LineError> {
    let line = strip_line_end(line.as_ref());
    scan::run(line, p(session_line))
}

#[cfg(test)]
mod tests {
    use super::super::scan::testing::each_one_byte_change;
    use super::*;

    /// The one-word reading of `HH:MM:SS` gives what the general reading gives, for
    /// every byte value at every position of a call length (and of what follows it).
    #[test]
    fn call_length_word_agrees_with_the_general_reading() {
        let mut fast = 0;
        let bases: [&[u8]; 4] = [b"12:34:56 x", b"00:00:29", b"99:59:59\t", b"1:00:00 x"];
        each_one_byte_change(&bases, |s| {
            let got = call_length(s);
            assert_eq!(got, call_length_general(s), "{s:?}");
            fast += usize::from(got.is_ok());
        });
        assert!(fast > 100, "only {fast} lengths read");
    }

    /// The one-word reading of a kind gives what the letter-by-letter reading gives,
    /// for every byte value at every position of each kind the service writes (and
    /// of words one letter short or long, and `error`), with what follows.
    #[test]
    fn kind_word_agrees_with_the_letter_reading() {
        let mut fast = 0;
        let mut shapes = std::collections::HashSet::new();
        let mut bases = Vec::new();
        for word in [
            "inbound", "outbound", "transfer", "local", "inboun", "locall", "error",
        ] {
            for tail in [" 7185551234", "\t7", "x 7185551234", ""] {
                bases.push(format!("{word}{tail}").into_bytes());
            }
        }
        let bases: Vec<&[u8]> = bases.iter().map(Vec::as_slice).collect();
        each_one_byte_change(&bases, |s| {
            let got = kind(s);
            assert_eq!(got, kind_general(s), "{:?}", String::from_utf8_lossy(s));
            if let Ok((_, (name, shape))) = got {
                fast += usize::from(s.len() >= 9 && shape.is_some());
                shapes.insert((name.to_string(), shape));
            }
        });
        assert!(fast > 100, "only {fast} kinds read as one word");
        for (name, shape) in KINDS {
            assert!(shapes.contains(&(name.to_string(), Some(shape))), "{name}");
        }
    }

    /// The fixed-place reading of a call line's tail gives what the field-by-field
    /// reading gives, for every byte value at every position of tails of the
    /// service's form (and of tails a byte shorter or longer).
    #[test]
    fn call_detail_words_agree_with_the_field_reading() {
        let mut fast = 0;
        let bases: [&[u8]; 5] = [
            b"1509734310 1509734339 00:00:29",
            b"9999999999 0000000000 99:59:59",
            b"1509734310 1509734339 00:00:29 ",
            b"150973431 1509734339 00:00:29",
            b"1509734310 1509734339 100:00:29",
        ];
        each_one_byte_change(&bases, |s| {
            let lossy = String::from_utf8_lossy(s);
            assert_eq!(call_detail(s), call_detail_general(s), "{lossy:?}");
            fast += usize::from(call_detail_fast(s).is_some());
        });
        // Each digit of the two canonical tails takes ten values (one of them its
        // own), each blank or colon one.
        assert!(fast > 2 * 26 * 9, "only {fast} tails read at fixed places");
    }
}
