//! The line grammar as it was before it became nom combinators (start commit of the
//! `grammar` branch): hand-written parsers of nom's `IResult` shape. Kept only here,
//! as the "old" side of the A/B in `session_lines.rs`; the primitives are copied as
//! they were (core's are crate-private).
#![allow(dead_code, clippy::all)]

use nom::IResult;
use plumlogs::session::{SessionDetail, SessionRecord};
use plumlogs::timestamp::{Timestamp, zone_offset};
use plumlogs::{CallLogEntry, ErrorKind, ErrorRecord, LineError, SessionId};
use std::borrow::Cow;

const fn line_error(kind: ErrorKind, offset: usize) -> LineError {
    LineError { kind, offset }
}

/// A grammar failure: what, and how many bytes of the line were still unread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fail {
    kind: ErrorKind,
    remaining: usize,
}

impl Fail {
    #[inline]
    fn at(kind: ErrorKind, input: &[u8]) -> nom::Err<Fail> {
        nom::Err::Error(Fail {
            kind,
            remaining: input.len(),
        })
    }

    /// Turn into a [`LineError`] for a line of `line_len` bytes.
    #[inline]
    fn into_line_error(self, line_len: usize) -> LineError {
        line_error(self.kind, line_len.saturating_sub(self.remaining))
    }
}

impl<'a> nom::error::ParseError<&'a [u8]> for Fail {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        Fail {
            kind: ErrorKind::Truncated,
            remaining: input.len(),
        }
    }
    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type PResult<'a, T> = IResult<&'a [u8], T, Fail>;

/// Run a line parser and map its failure to a [`LineError`].
#[inline]
fn run<'a, T>(
    line: &'a [u8],
    parser: impl FnOnce(&'a [u8]) -> PResult<'a, T>,
) -> Result<T, LineError> {
    match parser(line) {
        Ok((_, value)) => Ok(value),
        Err(nom::Err::Error(f) | nom::Err::Failure(f)) => Err(f.into_line_error(line.len())),
        Err(nom::Err::Incomplete(_)) => Err(line_error(ErrorKind::Truncated, line.len())),
    }
}

#[inline(always)]
const fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Strip one trailing `\r` (of a `\r\n` line end) and a trailing `\n`.
#[inline]
fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = match line.last() {
        Some(b'\n') => &line[..line.len() - 1],
        _ => line,
    };
    match line.last() {
        Some(b'\r') => &line[..line.len() - 1],
        _ => line,
    }
}

/// Index of the first blank (space or tab) in `s`, or `s.len()`.
#[inline(always)]
fn find_blank(s: &[u8]) -> usize {
    blank_and_ascii(s).0
}

/// Index of the first blank (space or tab) in `s` (or `s.len()`), and whether every
/// byte before it is ASCII.
///
/// Eight bytes at a time (SWAR): fields are 2–20 bytes long, so this takes one to
/// three word steps where a byte loop takes up to twenty compare-and-branch rounds,
/// and the ASCII check rides along instead of taking a second pass.
#[inline(always)]
fn blank_and_ascii(s: &[u8]) -> (usize, bool) {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut seen = 0u64; // OR of every byte before the blank: its high bits say non-ASCII
    let mut i = 0;
    while i + 8 <= s.len() {
        let w = u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
        let space = w ^ (b' ' as u64 * LO);
        let tab = w ^ (b'\t' as u64 * LO);
        // A zero byte in `space`/`tab` marks a blank. The lowest flagged byte is
        // exact (borrows only propagate upwards), which is the one we want.
        let hits = (space.wrapping_sub(LO) & !space & HI) | (tab.wrapping_sub(LO) & !tab & HI);
        if hits != 0 {
            let k = hits.trailing_zeros() / 8;
            let before = if k == 0 {
                0
            } else {
                w & (u64::MAX >> (64 - 8 * k))
            };
            return (i + k as usize, (seen | before) & HI == 0);
        }
        seen |= w;
        i += 8;
    }
    let mut high = (seen & HI) != 0;
    while i < s.len() {
        if is_blank(s[i]) {
            return (i, !high);
        }
        high |= s[i] >= 0x80;
        i += 1;
    }
    (s.len(), !high)
}

/// Skip a run of zero or more blanks.
#[inline(always)]
fn blanks0(input: &[u8]) -> &[u8] {
    let n = input
        .iter()
        .position(|&b| !is_blank(b))
        .unwrap_or(input.len());
    &input[n..]
}

/// One or more blanks: the field separator.
#[inline(always)]
fn sep(input: &[u8]) -> PResult<'_, ()> {
    match input.first() {
        Some(&b) if is_blank(b) => Ok((blanks0(&input[1..]), ())),
        None => Err(Fail::at(ErrorKind::Truncated, input)),
        Some(_) => Err(Fail::at(ErrorKind::TrailingInput, input)),
    }
}

/// Bytes to `&str`, with a fast path for ASCII (the common case).
#[inline(always)]
fn utf8<'a>(bytes: &'a [u8], at: &'a [u8]) -> Result<&'a str, nom::Err<Fail>> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => Err(Fail::at(ErrorKind::InvalidUtf8, &at[e.valid_up_to()..])),
    }
}

/// A run of one or more non-blank bytes, as text.
#[inline(always)]
fn token(input: &[u8]) -> PResult<'_, &str> {
    let (n, ascii) = blank_and_ascii(input);
    if n == 0 {
        return Err(Fail::at(ErrorKind::Truncated, input));
    }
    let (field, rest) = input.split_at(n);
    // Only a field with a high bit set needs the full UTF-8 check.
    let text = if ascii {
        // SAFETY: every byte is ASCII, hence valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(field) }
    } else {
        utf8(field, input)?
    };
    Ok((rest, text))
}

/// A run of one or more non-blank bytes as raw bytes.
#[inline(always)]
fn raw_token(input: &[u8]) -> (&[u8], &[u8]) {
    let n = find_blank(input);
    let (field, rest) = input.split_at(n);
    (rest, field)
}

/// Decimal digits into a `u64`; `None` on empty, a non-digit, or overflow.
#[inline(always)]
fn digits_u64(field: &[u8]) -> Option<u64> {
    if field.is_empty() || field.len() > 20 {
        return None;
    }
    if field.len() <= 19 {
        // 19 digits cannot overflow a u64: skip the checked arithmetic.
        let mut value: u64 = 0;
        for &b in field {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            value = value * 10 + d as u64;
        }
        return Some(value);
    }
    let mut value: u64 = 0;
    for &b in field {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(d as u64)?;
    }
    Some(value)
}

/// Exactly `N` digits at the start of `input`.
#[inline(always)]
fn fixed_digits<const N: usize>(input: &[u8]) -> Option<u32> {
    if input.len() < N {
        return None;
    }
    let mut value = 0u32;
    for &b in &input[..N] {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        value = value * 10 + d as u32;
    }
    Some(value)
}

/// The run of ASCII digits at the start of `input`: its length, and its value
/// (`None` when it does not fit in a u64). One pass, no separate field split.
#[inline(always)]
fn leading_digits(input: &[u8]) -> (usize, Option<u64>) {
    let mut value: u64 = 0;
    let mut n = 0;
    // Up to 19 digits cannot overflow: no checked arithmetic on the common path.
    while n < input.len() && n < 19 {
        let d = input[n].wrapping_sub(b'0');
        if d > 9 {
            return (n, Some(value));
        }
        value = value * 10 + d as u64;
        n += 1;
    }
    let mut fits = Some(value);
    while n < input.len() {
        let d = input[n].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        fits = fits.and_then(|v| v.checked_mul(10)?.checked_add(d as u64));
        n += 1;
    }
    (n, fits)
}

/// A whole field of digits (ending at a blank or the end of the line).
#[inline(always)]
fn number_field(
    input: &[u8],
    not_digits: ErrorKind,
) -> Result<(&[u8], Option<u64>), nom::Err<Fail>> {
    let (n, value) = leading_digits(input);
    match input.get(n) {
        _ if n == 0 && input.is_empty() => Err(Fail::at(ErrorKind::Truncated, input)),
        Some(&b) if !is_blank(b) => Err(Fail::at(not_digits, input)),
        _ if n == 0 => Err(Fail::at(not_digits, input)),
        _ => Ok((&input[n..], value)),
    }
}

/// Non-blank field of digits as a channel number.
#[inline(always)]
fn channel(input: &[u8]) -> PResult<'_, u32> {
    let (rest, value) = number_field(input, ErrorKind::BadChannel)?;
    match value.and_then(|v| u32::try_from(v).ok()) {
        Some(v) => Ok((rest, v)),
        None => Err(Fail::at(ErrorKind::ChannelOverflow, input)),
    }
}

/// Non-blank field of digits as UNIX seconds.
#[inline(always)]
fn unix_seconds(input: &[u8]) -> PResult<'_, i64> {
    let (rest, value) = number_field(input, ErrorKind::BadUnixTime)?;
    match value.and_then(|v| i64::try_from(v).ok()) {
        Some(v) => Ok((rest, v)),
        None => Err(Fail::at(ErrorKind::BadUnixTime, input)),
    }
}

/// The month abbreviation `Jan` … `Dec` as 1..=12.
#[inline(always)]
fn month_number(name: &[u8]) -> Option<u8> {
    Some(match name {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const WEEKDAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The rest of the line as text (a message: may be empty, spaces kept as written).
#[inline(always)]
fn rest_text(input: &[u8]) -> Result<&str, nom::Err<Fail>> {
    if input.is_ascii() {
        // SAFETY: ASCII is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(input) })
    } else {
        utf8(input, input)
    }
}

const fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A date separator: `/`, or `\/` as JSON-escaped text carries it.
#[inline(always)]
fn slash(input: &[u8]) -> PResult<'_, ()> {
    match input {
        [b'/', rest @ ..] => Ok((rest, ())),
        [b'\\', b'/', rest @ ..] => Ok((rest, ())),
        _ => Err(Fail::at(ErrorKind::BadTimestampSeparator, input)),
    }
}

#[inline(always)]
fn colon(input: &[u8]) -> PResult<'_, ()> {
    match input {
        [b':', rest @ ..] => Ok((rest, ())),
        [] => Err(Fail::at(ErrorKind::Truncated, input)),
        _ => Err(Fail::at(ErrorKind::BadTimestampSeparator, input)),
    }
}

#[inline(always)]
fn two_digits(input: &[u8], kind: ErrorKind, max: u32) -> PResult<'_, u8> {
    match fixed_digits::<2>(input) {
        Some(v) if v <= max => Ok((&input[2..], v as u8)),
        _ if input.len() < 2 => Err(Fail::at(ErrorKind::Truncated, input)),
        _ => Err(Fail::at(kind, input)),
    }
}

/// `+hhmm` / `-hhmm` as minutes east of UTC.
#[inline(always)]
fn utc_offset(input: &[u8]) -> PResult<'_, i16> {
    let sign: i16 = match input.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        None => return Err(Fail::at(ErrorKind::Truncated, input)),
        _ => return Err(Fail::at(ErrorKind::BadUtcOffset, input)),
    };
    let hh = fixed_digits::<2>(&input[1..]);
    let mm = fixed_digits::<2>(input.get(3..).unwrap_or(&[]));
    match (hh, mm) {
        (Some(h), Some(m)) if h <= 14 && m <= 59 => {
            Ok((&input[5..], sign * (h as i16 * 60 + m as i16)))
        }
        _ if input.len() < 5 => Err(Fail::at(ErrorKind::Truncated, input)),
        _ => Err(Fail::at(ErrorKind::BadUtcOffset, input)),
    }
}

/// The fixed-width fast path: `[dd/Mon/yyyy:hh:mm:ss +hhmm]` with plain slashes.
#[inline(always)]
fn bracketed_fast(input: &[u8]) -> Option<(&[u8], Timestamp)> {
    let b: &[u8; 28] = input.get(..28)?.try_into().ok()?;
    if b[0] != b'['
        || b[3] != b'/'
        || b[7] != b'/'
        || b[12] != b':'
        || b[15] != b':'
        || b[18] != b':'
        || b[21] != b' '
        || b[27] != b']'
    {
        return None;
    }
    let day = fixed_digits::<2>(&b[1..])?;
    let month = month_number(&b[4..7])?;
    let year = fixed_digits::<4>(&b[8..])?;
    let hour = fixed_digits::<2>(&b[13..])?;
    let minute = fixed_digits::<2>(&b[16..])?;
    let second = fixed_digits::<2>(&b[19..])?;
    let sign: i16 = match b[22] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let oh = fixed_digits::<2>(&b[23..])?;
    let om = fixed_digits::<2>(&b[25..])?;
    if oh > 14 || om > 59 || hour > 23 || minute > 59 || second > 60 || day == 0 {
        return None;
    }
    let ts = Timestamp {
        year: year as u16,
        month,
        day: day as u8,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        offset_minutes: Some(sign * (oh as i16 * 60 + om as i16)),
    };
    // Month, hour, minute, second and offset are checked above; only the day's upper
    // bound depends on the month (and year).
    if ts.day > 28 && ts.day > days_in_month(ts.year, ts.month) {
        return None;
    }
    Some((&input[28..], ts))
}

/// `[03/Nov/2017:00:10:42 -0500]`, slashes possibly escaped as `\/`, any run of
/// blanks before the offset. Every field is range-checked.
#[inline]
fn bracketed_timestamp(input: &[u8]) -> PResult<'_, Timestamp> {
    if let Some(ok) = bracketed_fast(input) {
        return Ok(ok);
    }
    if let Some(ok) = bracketed_fast_escaped(input) {
        return Ok(ok);
    }
    bracketed_slow(input)
}

/// The fixed-width form as JSON bodies carry it, `[03\/Nov\/2017:00:10:42 -0500]`
/// (decode lends such items out unescaped): the fast path on the slashes put back.
#[inline(always)]
fn bracketed_fast_escaped(input: &[u8]) -> Option<(&[u8], Timestamp)> {
    let b: &[u8; 30] = input.get(..30)?.try_into().ok()?;
    if b[3] != b'\\' || b[8] != b'\\' {
        return None;
    }
    let mut plain = [0u8; 28];
    plain[..3].copy_from_slice(&b[..3]);
    plain[3..7].copy_from_slice(&b[4..8]);
    plain[7..].copy_from_slice(&b[9..]);
    let (_, ts) = bracketed_fast(&plain)?;
    Some((&input[30..], ts))
}

#[cold]
fn bracketed_slow(input: &[u8]) -> PResult<'_, Timestamp> {
    let i = match input.first() {
        Some(b'[') => &input[1..],
        None => return Err(Fail::at(ErrorKind::Truncated, input)),
        _ => return Err(Fail::at(ErrorKind::MissingOpenBracket, input)),
    };
    let (i, day) = two_digits(i, ErrorKind::BadDay, 31)?;
    let (i, ()) = slash(i)?;
    let month = match i.get(..3) {
        Some(name) => month_number(name).ok_or_else(|| Fail::at(ErrorKind::BadMonth, i))?,
        None => return Err(Fail::at(ErrorKind::Truncated, i)),
    };
    let at_day = i;
    let i = &i[3..];
    let (i, ()) = slash(i)?;
    let year = match fixed_digits::<4>(i) {
        Some(y) => y as u16,
        None if i.len() < 4 => return Err(Fail::at(ErrorKind::Truncated, i)),
        None => return Err(Fail::at(ErrorKind::BadYear, i)),
    };
    let i = &i[4..];
    let (i, ()) = colon(i)?;
    let (i, hour) = two_digits(i, ErrorKind::BadHour, 23)?;
    let (i, ()) = colon(i)?;
    let (i, minute) = two_digits(i, ErrorKind::BadMinute, 59)?;
    let (i, ()) = colon(i)?;
    let (i, second) = two_digits(i, ErrorKind::BadSecond, 60)?;
    let (i, ()) = sep(i).map_err(|_| Fail::at(ErrorKind::BadUtcOffset, i))?;
    let (i, offset) = utc_offset(i)?;
    let i = match i.first() {
        Some(b']') => &i[1..],
        None => return Err(Fail::at(ErrorKind::Truncated, i)),
        _ => return Err(Fail::at(ErrorKind::MissingCloseBracket, i)),
    };
    let ts = Timestamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
        offset_minutes: Some(offset),
    };
    if let Err(kind) = ts.validate() {
        // Only the day can still be out of range here (e.g. 31 Apr, 29 Feb 2017).
        let at = if kind == ErrorKind::BadDay {
            &input[1..]
        } else {
            at_day
        };
        return Err(Fail::at(kind, at));
    }
    Ok((i, ts))
}

/// The offset of a US time-zone abbreviation (or UTC/GMT), in minutes east of UTC.

fn weekday_number(name: &[u8]) -> Option<u8> {
    WEEKDAY_NAMES
        .iter()
        .position(|w| w.as_bytes() == name)
        .map(|p| p as u8)
}

/// A session id at the start of `input`, ending at a blank or the end: its length
/// and parts, or `None` if malformed. One pass; the one rule for every caller.
#[inline(always)]
fn scan_id(input: &[u8]) -> Option<(usize, &[u8], u32, i64)> {
    let server_len = input
        .iter()
        .position(|&b| b == b';' || is_blank(b))
        .filter(|&n| n > 0 && input[n] == b';')?;
    let after_server = &input[server_len + 1..];
    let (channel_len, channel) = leading_digits(after_server);
    if channel_len == 0 || after_server.get(channel_len) != Some(&b';') {
        return None;
    }
    let channel = u32::try_from(channel?).ok()?;
    let after_channel = &after_server[channel_len + 1..];
    let (start_len, start) = leading_digits(after_channel);
    if start_len == 0 || after_channel.get(start_len).is_some_and(|&b| !is_blank(b)) {
        return None;
    }
    let start = i64::try_from(start?).ok()?;
    Some((
        server_len + 1 + channel_len + 1 + start_len,
        &input[..server_len],
        channel,
        start,
    ))
}

/// `server;channel;start` as a whole → its parts, or `None` if malformed.
fn split(raw: &[u8]) -> Option<(&[u8], u32, i64)> {
    match scan_id(raw)? {
        (len, server, channel, start) if len == raw.len() => Some((server, channel, start)),
        _ => None,
    }
}

/// A session-id field of a line (a non-blank token, validated).
#[inline(always)]
fn session_id_field(input: &[u8]) -> PResult<'_, SessionId<'_>> {
    if input.is_empty() {
        return Err(Fail::at(ErrorKind::Truncated, input));
    }
    let (len, server, _, _) =
        scan_id(input).ok_or_else(|| Fail::at(ErrorKind::BadSessionId, input))?;
    let raw = &input[..len];
    // Past the server part there are only digits and `;`, so only the server part
    // can hold non-ASCII text needing a UTF-8 check.
    let text = if server.is_ascii() {
        // SAFETY: the server part is ASCII and the rest is digits and ';'.
        unsafe { std::str::from_utf8_unchecked(raw) }
    } else {
        utf8(raw, input)?
    };
    Ok((&input[len..], SessionId(Cow::Borrowed(text))))
}

/// The call type: a lowercase ASCII word.
#[inline(always)]
fn kind(input: &[u8]) -> PResult<'_, &str> {
    let n = input
        .iter()
        .position(|b| !b.is_ascii_lowercase())
        .unwrap_or(input.len());
    if n == 0 {
        return Err(Fail::at(
            if input.is_empty() {
                ErrorKind::Truncated
            } else {
                ErrorKind::BadKind
            },
            input,
        ));
    }
    match input.get(n) {
        None => Err(Fail::at(ErrorKind::Truncated, &input[n..])),
        Some(&b) if is_blank(b) => {
            // SAFETY: lowercase ASCII letters.
            Ok((&input[n..], unsafe {
                std::str::from_utf8_unchecked(&input[..n])
            }))
        }
        Some(_) => Err(Fail::at(ErrorKind::BadKind, input)),
    }
}

/// The fields every line shape shares: `ANI channum [timestamp] DNIS sessionID`,
/// each preceded by a separator. Also used by the error-line grammar.
#[inline(always)]
fn common_fields(i: &[u8]) -> PResult<'_, (&str, u32, Timestamp, &str, SessionId<'_>)> {
    let (i, ()) = sep(i)?;
    let (i, ani) = token(i)?;
    let (i, ()) = sep(i)?;
    let (i, channel) = channel(i)?;
    let (i, ()) = sep(i)?;
    let (i, timestamp) = bracketed_timestamp(i)?;
    let (i, ()) = sep(i)?;
    let (i, dnis) = token(i)?;
    let (i, ()) = sep(i)?;
    let (i, session_id) = session_id_field(i)?;
    Ok((i, (ani, channel, timestamp, dnis, session_id)))
}

/// `H:MM:SS` (hours may exceed 24 and have any number of digits) in seconds.
#[inline(always)]
fn call_length(input: &[u8]) -> PResult<'_, u64> {
    let (rest, field) = raw_token(input);
    if field.is_empty() {
        return Err(Fail::at(ErrorKind::Truncated, input));
    }
    let bad = || Fail::at(ErrorKind::BadDuration, input);
    let n = field.len();
    if n < 7 || field[n - 3] != b':' || field[n - 6] != b':' {
        return Err(bad());
    }
    let hours = digits_u64(&field[..n - 6]).ok_or_else(bad)?;
    let minutes = fixed_digits::<2>(&field[n - 5..]).ok_or_else(bad)?;
    let seconds = fixed_digits::<2>(&field[n - 2..]).ok_or_else(bad)?;
    if minutes > 59 || seconds > 59 {
        return Err(bad());
    }
    let total = hours
        .checked_mul(3600)
        .and_then(|h| h.checked_add(minutes as u64 * 60 + seconds as u64))
        .ok_or_else(bad)?;
    Ok((rest, total))
}

#[inline(always)]
fn call_detail(i: &[u8]) -> PResult<'_, SessionDetail<'_>> {
    let (i, start) = unix_seconds(i)?;
    let (i, ()) = sep(i)?;
    let (i, end) = unix_seconds(i)?;
    let (i, ()) = sep(i)?;
    let (i, duration) = call_length(i)?;
    let i = blanks0(i);
    if !i.is_empty() {
        return Err(Fail::at(ErrorKind::TrailingInput, i));
    }
    Ok((
        i,
        SessionDetail::Call {
            start,
            end,
            duration,
        },
    ))
}

/// `label: message` — the label runs to the first `:` of the field; the message is
/// the rest of the line after the separating blanks, as written.
#[inline]
fn tag_detail(i: &[u8]) -> PResult<'_, SessionDetail<'_>> {
    let n = i
        .iter()
        .position(|&b| b == b':' || is_blank(b))
        .unwrap_or(i.len());
    if i.get(n) != Some(&b':') {
        return Err(Fail::at(ErrorKind::MissingLabel, i));
    }
    let label = rest_text(&i[..n])?;
    let after = blanks0(&i[n + 1..]);
    let message = rest_text(after)?;
    Ok((
        &after[after.len()..],
        SessionDetail::Tag {
            label: Cow::Borrowed(label),
            message: Cow::Borrowed(message),
        },
    ))
}

#[inline(always)]
fn session_line(input: &[u8]) -> PResult<'_, SessionRecord<'_>> {
    let i = blanks0(input);
    let (i, kind) = kind(i)?;
    let (i, (ani, channel, timestamp, dnis, session_id)) = common_fields(i)?;
    let (i, ()) = sep(i)?;
    let (i, detail) = match kind {
        "inbound" | "outbound" | "transfer" => call_detail(i)?,
        "local" => tag_detail(i)?,
        // An unknown kind is read in whichever shape its next field suggests.
        _ if i.first().is_some_and(u8::is_ascii_digit) => call_detail(i)?,
        _ => tag_detail(i)?,
    };
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
#[inline]
pub fn parse_session_line<T: AsRef<[u8]> + ?Sized>(
    line: &T,
) -> Result<SessionRecord<'_>, LineError> {
    let line = strip_line_end(line.as_ref());
    run(line, session_line)
}

fn error_line(input: &[u8]) -> PResult<'_, ErrorRecord<'_>> {
    let i = blanks0(input);
    let i = match i.strip_prefix(b"error") {
        Some(rest) => rest,
        None if i.is_empty() => return Err(Fail::at(ErrorKind::Truncated, i)),
        None => return Err(Fail::at(ErrorKind::NotAnErrorLine, i)),
    };
    let (i, (ani, channel, timestamp, dnis, session_id)) = common_fields(i)?;
    // The session id ran to a blank or the end, so what is left is blanks and then
    // the message (possibly empty).
    let i = blanks0(i);
    let message = rest_text(i)?;
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
#[inline]
pub fn parse_error_line<T: AsRef<[u8]> + ?Sized>(line: &T) -> Result<ErrorRecord<'_>, LineError> {
    let line = strip_line_end(line.as_ref());
    run(line, error_line)
}

pub fn starts_entry(line: &[u8]) -> bool {
    line.len() > 3 && is_blank(line[3]) && weekday_number(&line[..3]).is_some()
}

fn one_or_two_digits(input: &[u8], kind: ErrorKind) -> PResult<'_, u8> {
    let n = input
        .iter()
        .take(3)
        .take_while(|b| b.is_ascii_digit())
        .count();
    match n {
        0 if input.is_empty() => Err(Fail::at(ErrorKind::Truncated, input)),
        1 | 2 => Ok((&input[n..], digits_u64(&input[..n]).unwrap_or(0) as u8)),
        _ => Err(Fail::at(kind, input)),
    }
}

/// `[module]`, `(sessionID)`: text up to the closing delimiter.
fn delimited(input: &[u8], open: u8, close: u8, kind: ErrorKind) -> PResult<'_, &str> {
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
    Ok((&body[n + 1..], utf8(&body[..n], body)?))
}

/// The first line of an entry. Returns the entry with its one-line message.
fn entry_head(input: &[u8]) -> PResult<'_, CallLogEntry<'_>> {
    let i = input;
    // The weekday is checked for form only, not against the date: Plum's text is kept
    // as written, and the date fields are what the timestamp is built from.
    weekday_number(&i[..3.min(i.len())]).ok_or_else(|| Fail::at(ErrorKind::BadWeekday, i))?;
    let (i, ()) = sep(&i[3..])?;
    let (i, day) = one_or_two_digits(i, ErrorKind::BadDay)?;
    let (i, ()) = sep(i)?;
    let month = i
        .get(..3)
        .and_then(month_number)
        .ok_or_else(|| Fail::at(ErrorKind::BadMonth, i))?;
    let (i, ()) = sep(&i[3..]).map_err(|_| Fail::at(ErrorKind::BadMonth, i))?;
    let year = fixed_digits::<4>(i).ok_or_else(|| Fail::at(ErrorKind::BadYear, i))? as u16;
    let (i, ()) = sep(&i[4..]).map_err(|_| Fail::at(ErrorKind::BadYear, i))?;
    let at_hour = i;
    let (i, hour12) = one_or_two_digits(i, ErrorKind::BadHour)?;
    if !(1..=12).contains(&hour12) {
        return Err(Fail::at(ErrorKind::BadHour, at_hour));
    }
    let i = i
        .strip_prefix(b":")
        .ok_or_else(|| Fail::at(ErrorKind::BadTimestampSeparator, i))?;
    let minute = fixed_digits::<2>(i)
        .filter(|&m| m <= 59)
        .ok_or_else(|| Fail::at(ErrorKind::BadMinute, i))? as u8;
    let i = &i[2..];
    let i = i
        .strip_prefix(b":")
        .ok_or_else(|| Fail::at(ErrorKind::BadTimestampSeparator, i))?;
    let second = fixed_digits::<2>(i)
        .filter(|&s| s <= 60)
        .ok_or_else(|| Fail::at(ErrorKind::BadSecond, i))? as u8;
    let i = &i[2..];
    let (i, ()) = sep(i)?;
    let (hour, i) = match i.get(..2) {
        Some(b"AM") => (hour12 % 12, &i[2..]),
        Some(b"PM") => (hour12 % 12 + 12, &i[2..]),
        _ => return Err(Fail::at(ErrorKind::BadMeridiem, i)),
    };
    let (i, ()) = sep(i).map_err(|_| Fail::at(ErrorKind::BadMeridiem, i))?;
    // The zone is optional: a `[` means the module follows at once.
    let (i, zone) = if i.first() == Some(&b'[') {
        (i, "")
    } else {
        let (i, zone) = token(i)?;
        let (i, ()) = sep(i)?;
        (i, zone)
    };
    let timestamp = Timestamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
        offset_minutes: zone_offset(zone),
    };
    if let Err(kind) = timestamp.validate() {
        return Err(Fail::at(kind, &input[4..]));
    }
    let (i, module) = delimited(i, b'[', b']', ErrorKind::BadModule)?;
    let (i, ()) = sep(i)?;
    let at_sid = i;
    let (i, sid) = delimited(i, b'(', b')', ErrorKind::MissingSessionId)?;
    let session_id =
        SessionId::parse(sid).map_err(|_| Fail::at(ErrorKind::BadSessionId, at_sid))?;
    let (i, ()) = sep(i)?;
    let n = i
        .iter()
        .position(|&b| b == b':' || is_blank(b))
        .unwrap_or(i.len());
    if n == 0 || i.get(n) != Some(&b':') {
        return Err(Fail::at(ErrorKind::BadEntryType, i));
    }
    let level = utf8(&i[..n], i)?;
    let after = blanks0(&i[n + 1..]);
    let message = rest_text(after)?;
    Ok((
        &after[after.len()..],
        CallLogEntry {
            timestamp,
            zone: Cow::Borrowed(zone),
            module: Cow::Borrowed(module),
            session_id,
            level: Cow::Borrowed(level),
            message: Cow::Borrowed(message),
        },
    ))
}

/// Parse the first line of one entry (no continuation lines).
pub fn parse_call_log_line<T: AsRef<[u8]> + ?Sized>(
    line: &T,
) -> Result<CallLogEntry<'_>, LineError> {
    let line = strip_line_end(line.as_ref());
    run(line, entry_head)
}
