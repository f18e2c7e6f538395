//! Wall-clock timestamps as the logs write them, kept with their own UTC offset.
//!
//! Session and error lines carry `[03/Nov/2017:00:10:42 -0500]`; call logs carry
//! `Wed 28 Aug 2002 10:16:58 AM EDT`. Both become a [`Timestamp`]: the fields as
//! written plus the offset in minutes, or no offset when a call-log zone is unknown.
//! Nothing is converted or "corrected": Plum's offsets do not always agree with the
//! UNIX times on the same line, and users need to see exactly what the server wrote.

use super::error::ErrorKind;
use super::scan::{
    Fail, MONTH_NAMES, NameTable, PResult, byte_at, byte_mask, digit_pairs, fixed_digits,
    limit_word, month_number, pairs_over, text_word, word_shape,
};
use std::fmt;

/// A calendar date and time with the UTC offset it was written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    /// The year, as written.
    pub year: u16,
    /// The month, 1–12.
    pub month: u8,
    /// The day of the month, 1–31 (valid for the month and year).
    pub day: u8,
    /// The hour on a 24-hour clock, 0–23.
    pub hour: u8,
    /// The minute, 0–59.
    pub minute: u8,
    /// The second, 0–60 (60 for a leap second).
    pub second: u8,
    /// Minutes east of UTC (`-0500` is `-300`); `None` when the zone is unknown.
    pub offset_minutes: Option<i16>,
}

pub(crate) const fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

pub(crate) const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

impl Timestamp {
    /// Check that every field is in range (day valid for its month and year).
    pub fn validate(&self) -> Result<(), ErrorKind> {
        if !(1..=12).contains(&self.month) {
            return Err(ErrorKind::BadMonth);
        }
        if self.day == 0 || self.day > days_in_month(self.year, self.month) {
            return Err(ErrorKind::BadDay);
        }
        if self.hour > 23 {
            return Err(ErrorKind::BadHour);
        }
        if self.minute > 59 {
            return Err(ErrorKind::BadMinute);
        }
        if self.second > 60 {
            return Err(ErrorKind::BadSecond);
        }
        if let Some(off) = self.offset_minutes
            && off.unsigned_abs() > MAX_OFFSET_MINUTES
        {
            return Err(ErrorKind::BadUtcOffset);
        }
        Ok(())
    }

    /// Seconds since the UNIX epoch, when the offset is known.
    pub fn unix_seconds(&self) -> Option<i64> {
        let offset = self.offset_minutes? as i64;
        Some(self.local_seconds() - offset * 60)
    }

    /// Seconds since 1970-01-01T00:00:00 of the wall-clock reading, ignoring the offset.
    pub fn local_seconds(&self) -> i64 {
        let days = days_from_civil(self.year as i64, self.month as i64, self.day as i64);
        days * 86_400 + self.hour as i64 * 3600 + self.minute as i64 * 60 + self.second as i64
    }

    /// The wall-clock reading of `unix` seconds at `offset_minutes` east of UTC.
    pub fn from_unix(unix: i64, offset_minutes: i16) -> Timestamp {
        let local = unix + offset_minutes as i64 * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        // Inverse of days_from_civil.
        let z = days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + if month <= 2 { 1 } else { 0 }) as u16;
        Timestamp {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs % 3600 / 60) as u8,
            second: (secs % 60) as u8,
            offset_minutes: Some(offset_minutes),
        }
    }

    /// Day of week, 0 = Monday.
    pub fn weekday(&self) -> u8 {
        let days = days_from_civil(self.year as i64, self.month as i64, self.day as i64);
        // 1970-01-01 was a Thursday (3).
        ((days + 3).rem_euclid(7)) as u8
    }

    /// The session/error-line form, without brackets: `03/Nov/2017:00:10:42 -0500`.
    pub fn bracketed(&self) -> Bracketed {
        Bracketed(*self)
    }

    /// ISO 8601 with the line's own offset: `2017-11-03T00:10:42-05:00`, or without
    /// an offset when it is unknown. Same as `Display`.
    pub fn iso8601(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 25];
        let n = self.write_iso(&mut buf);
        // write_iso writes ASCII only: the check cannot fail.
        f.write_str(std::str::from_utf8(&buf[..n]).map_err(|_| fmt::Error)?)
    }
}

#[inline(always)]
fn put2(buf: &mut [u8], at: usize, v: u8) {
    buf[at] = b'0' + v / 10;
    buf[at + 1] = b'0' + v % 10;
}

impl Timestamp {
    /// Write the ISO 8601 form into `buf` and return its length (19 or 25 bytes).
    pub fn write_iso(&self, buf: &mut [u8; 25]) -> usize {
        let y = self.year;
        buf[0] = b'0' + (y / 1000 % 10) as u8;
        buf[1] = b'0' + (y / 100 % 10) as u8;
        buf[2] = b'0' + (y / 10 % 10) as u8;
        buf[3] = b'0' + (y % 10) as u8;
        buf[4] = b'-';
        put2(buf, 5, self.month);
        buf[7] = b'-';
        put2(buf, 8, self.day);
        buf[10] = b'T';
        put2(buf, 11, self.hour);
        buf[13] = b':';
        put2(buf, 14, self.minute);
        buf[16] = b':';
        put2(buf, 17, self.second);
        match self.offset_minutes {
            None => 19,
            Some(off) => {
                buf[19] = if off < 0 { b'-' } else { b'+' };
                let abs = off.unsigned_abs();
                put2(buf, 20, (abs / 60) as u8);
                buf[22] = b':';
                put2(buf, 23, (abs % 60) as u8);
                25
            }
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Display adapter for the session/error-line timestamp form.
pub struct Bracketed(Timestamp);

impl fmt::Display for Bracketed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.0;
        let off = t.offset_minutes.unwrap_or(0);
        let abs = off.unsigned_abs();
        write!(
            f,
            "{:02}/{}/{:04}:{:02}:{:02}:{:02} {}{:02}{:02}",
            t.day,
            MONTH_NAMES[(t.month.clamp(1, 12) - 1) as usize],
            t.year,
            t.hour,
            t.minute,
            t.second,
            if off < 0 { '-' } else { '+' },
            abs / 60,
            abs % 60
        )
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
pub(crate) fn utc_offset(input: &[u8]) -> PResult<'_, i16> {
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

/// Eight bytes of a stamp from `at`, first byte lowest.
#[inline(always)]
fn stamp_word(b: &[u8; 28], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// The fixed-width fast path: `[dd/Mon/yyyy:hh:mm:ss +hhmm]` with plain slashes,
/// read as four overlapping 8-byte words (`[dd/Mon/`, `yyyy:hh:`, `mm:ss +h`,
/// `s +hhmm]`) whose digits and separators are checked a word at a time. `None`
/// whenever anything differs from that shape or a field is out of range: the
/// field-by-field parser then says what.
#[inline(always)]
fn bracketed_fast(input: &[u8]) -> Option<(&[u8], Timestamp)> {
    let b: &[u8; 28] = input.get(..28)?.try_into().ok()?;
    let (a, year_hour, min_sec, offset) = (
        stamp_word(b, 0),
        stamp_word(b, 8),
        stamp_word(b, 16),
        stamp_word(b, 20),
    );
    let (da, bad_a) = word_shape(
        a,
        byte_mask(&[1, 2]),
        byte_mask(&[0, 3, 7]),
        text_word(b"[00/Mon/"),
    );
    let (db, bad_b) = word_shape(
        year_hour,
        byte_mask(&[0, 1, 2, 3, 5, 6]),
        byte_mask(&[4, 7]),
        text_word(b"0000:00:"),
    );
    let (dc, bad_c) = word_shape(
        min_sec,
        byte_mask(&[0, 1, 3, 4, 7]),
        byte_mask(&[2, 5]),
        text_word(b"00:00 +0"),
    );
    let (dd, bad_d) = word_shape(
        offset,
        byte_mask(&[3, 4, 5, 6]),
        byte_mask(&[7]),
        text_word(b"0 +0000]"),
    );
    if bad_a | bad_b | bad_c | bad_d != 0 {
        return None;
    }
    let sign: i16 = match b[22] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let month = month_number(&b[4..7])?;
    let (pa, pb, pc, pd) = (
        digit_pairs(da),
        digit_pairs(db),
        digit_pairs(dc),
        digit_pairs(dd),
    );
    let day = byte_at(pa, 1);
    let year = byte_at(pb, 0) * 100 + byte_at(pb, 2);
    let (hour, minute, second) = (byte_at(pb, 5), byte_at(pc, 0), byte_at(pc, 3));
    let (oh, om) = (byte_at(pd, 3), byte_at(pd, 5));
    let over = pairs_over(pb, limit_word(&[(5, 23)]))
        | pairs_over(pc, limit_word(&[(0, 59), (3, 60)]))
        | pairs_over(pd, limit_word(&[(3, 14), (5, 59)]));
    if over != 0 || day == 0 {
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
pub fn bracketed_timestamp(input: &[u8]) -> PResult<'_, Timestamp> {
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
    let (i, ()) = super::scan::sep(i).map_err(|_| Fail::at(ErrorKind::BadUtcOffset, i))?;
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

/// The zone abbreviations [`zone_offset`] knows (the US zones, UTC and GMT), with
/// their offsets in minutes east of UTC.
pub const ZONE_OFFSETS: [(&str, i16); 22] = [
    ("UTC", 0),
    ("GMT", 0),
    ("UT", 0),
    ("Z", 0),
    ("EST", -5 * 60),
    ("EDT", -4 * 60),
    ("CST", -6 * 60),
    ("CDT", -5 * 60),
    ("MST", -7 * 60),
    ("MDT", -6 * 60),
    ("PST", -8 * 60),
    ("PDT", -7 * 60),
    ("AKST", -9 * 60),
    ("AKDT", -8 * 60),
    ("HST", -10 * 60),
    ("HDT", -9 * 60),
    ("AST", -4 * 60),
    ("ADT", -3 * 60),
    ("NST", -(3 * 60 + 30)),
    ("NDT", -(2 * 60 + 30)),
    ("SST", -11 * 60),
    ("ChST", 10 * 60),
];

/// [`ZONE_OFFSETS`] by name (the multiplier found by search). Building it also
/// checks that every offset is one [`Timestamp::validate`] takes, which lets the
/// call-log grammar skip that check.
const ZONES: NameTable<32> = {
    let mut names = [""; ZONE_OFFSETS.len()];
    let mut k = 0;
    while k < names.len() {
        names[k] = ZONE_OFFSETS[k].0;
        assert!(ZONE_OFFSETS[k].1.unsigned_abs() <= MAX_OFFSET_MINUTES);
        k += 1;
    }
    NameTable::new(&names, 0x4b7f_e9b1)
};

/// The largest offset from UTC a timestamp may have, in minutes (14:59).
const MAX_OFFSET_MINUTES: u16 = 14 * 60 + 59;

/// The offset of a US time-zone abbreviation (or UTC/GMT), in minutes east of UTC.
#[inline]
pub fn zone_offset(zone: &str) -> Option<i16> {
    known_zone(zone.as_bytes())
}

/// [`zone_offset`] of a name's bytes (`None` for any bytes that are not a known
/// zone's name, which are all ASCII).
#[inline(always)]
pub(crate) fn known_zone(name: &[u8]) -> Option<i16> {
    ZONES.find(name).map(|k| ZONE_OFFSETS[k as usize].1)
}

/// The abbreviation this crate writes for an offset, when it has one: the first of
/// UTC, EST, EDT, CST, MST and PST with that offset in [`ZONE_OFFSETS`].
pub fn zone_for_offset(offset_minutes: i16) -> Option<&'static str> {
    const WRITTEN: [&str; 6] = ["UTC", "EST", "EDT", "CST", "MST", "PST"];
    WRITTEN
        .into_iter()
        .find(|&zone| zone_offset(zone) == Some(offset_minutes))
}

/// For a session or error line as a JSON string spells it (its `/` possibly
/// escaped `\/`; no tab, which JSON escapes), with its first backslash at
/// `first`: the index just past the `]` of its timestamp, if every backslash up to
/// there starts a `\/` inside the timestamp that opens the line's fourth field
/// (`kind ANI channel [timestamp] …`). [`bracketed_timestamp`] reads that `\/` as
/// `/`, so such a line can be parsed as written. Only the form is checked here
/// (the parser checks the fields). `line` may run past the line: a byte no
/// timestamp holds (a JSON string's closing `"`) ends the search.
#[inline]
pub fn escaped_timestamp_end(line: &[u8], first: usize) -> Option<usize> {
    /// Bytes a bracketed timestamp may hold between its brackets.
    const IN_TS: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] =
                b.is_ascii_alphanumeric() || matches!(b, b'/' | b'\\' | b':' | b' ' | b'+' | b'-');
            c += 1;
        }
        t
    };
    let open = memchr::memchr(b'[', &line[..first])?;
    // The fixed-width form every Plum line has, `[03\/Nov\/2017:00:10:42 -0500]`,
    // checked without branching per byte. Its one blank cannot sit inside a field,
    // so if such a span began before the fourth field it would end inside the
    // channel number, and the line parser rejects the line.
    if first == open + 3
        && let Some(span) = line
            .get(open..open + 30)
            .and_then(|t| <&[u8; 30]>::try_from(t).ok())
        && span[29] == b']'
        && span[4] == b'/'
        && span[8] == b'\\'
        && span[9] == b'/'
        && span[23] == b' '
    {
        let (mut slashes, mut blanks, mut ok) = (0u8, 0u8, true);
        for &c in &span[1..29] {
            slashes += u8::from(c == b'\\');
            blanks += u8::from(c == b' ');
            ok &= IN_TS[c as usize];
        }
        if slashes == 2 && blanks == 1 && ok {
            return Some(open + 30);
        }
    }
    // Otherwise the `[` must open the fourth field, and is walked to its `]`.
    let mut fields = 0u32;
    let mut after_blank = true;
    for &c in &line[..open] {
        let blank = c == b' ';
        fields += u32::from(!blank && after_blank);
        after_blank = blank;
    }
    if fields != 3 || !after_blank || memchr::memchr(b']', &line[open..first]).is_some() {
        return None;
    }
    let mut k = first;
    loop {
        match *line.get(k)? {
            b']' => return Some(k + 1),
            b'\\' if line.get(k + 1) == Some(&b'/') => k += 2,
            b'\\' => return None,
            c if !IN_TS[c as usize] => return None,
            _ => k += 1,
        }
        if k - open > 64 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The zone table finds exactly the names of [`ZONE_OFFSETS`]: every text of one
    /// to three bytes below 129, and every four of letters, a zero byte or a blank.
    #[test]
    fn zone_hash_finds_exactly_the_names() {
        let want = |name: &[u8]| {
            ZONE_OFFSETS
                .iter()
                .find(|(z, _)| z.as_bytes() == name)
                .map(|&(_, off)| off)
        };
        let mut found = 0;
        let mut check = |name: &[u8]| {
            assert_eq!(known_zone(name), want(name), "{name:?}");
            found += usize::from(want(name).is_some());
        };
        for a in 0..=128u8 {
            check(&[a]);
            for b in 0..=128u8 {
                check(&[a, b]);
                for c in 0..=128u8 {
                    check(&[a, b, c]);
                }
            }
        }
        let four: Vec<u8> = (b'A'..=b'Z').chain(b'a'..=b'z').chain([0, b' ']).collect();
        for &a in &four {
            for &b in &four {
                for &c in &four {
                    for &d in &four {
                        check(&[a, b, c, d]);
                    }
                }
            }
        }
        assert_eq!(found, ZONE_OFFSETS.len());
        assert_eq!(known_zone(b""), None);
        assert_eq!(known_zone(b"AKSTX"), None);
        assert_eq!(zone_offset("EDT"), Some(-240));
        assert_eq!(zone_offset("ChST"), Some(600));
    }

    /// The name written for an offset is one the reader knows, with that offset.
    #[test]
    fn written_zones_read_back() {
        let mut written = 0;
        for offset in -(MAX_OFFSET_MINUTES as i16)..=MAX_OFFSET_MINUTES as i16 {
            if let Some(name) = zone_for_offset(offset) {
                assert_eq!(zone_offset(name), Some(offset), "{name}");
                written += 1;
            }
        }
        assert_eq!(written, 6);
    }

    /// The fixed-width fast path accepts only what the field-by-field parser
    /// accepts, with the same value: every byte of a valid stamp replaced by every
    /// byte value, and two at once on the digits.
    #[test]
    fn fast_path_agrees_with_the_field_parser() {
        let good = *b"[29/Feb/2016:23:59:60 -1459] rest";
        let mut accepted = 0;
        let mut check = |s: &[u8]| {
            if let Some((rest, ts)) = bracketed_fast(s) {
                accepted += 1;
                assert_eq!(
                    bracketed_slow(s),
                    Ok((rest, ts)),
                    "{:?}",
                    String::from_utf8_lossy(s)
                );
            }
        };
        check(&good);
        for i in 0..28 {
            for b in 0..=255u8 {
                let mut s = good;
                s[i] = b;
                check(&s);
                for j in [1, 2, 9, 11, 14, 17, 20, 24, 26] {
                    let mut t = s;
                    t[j] = b'0' + (b % 10);
                    check(&t);
                }
            }
        }
        assert!(
            accepted > 28 * 10,
            "the fast path took only {accepted} stamps"
        );
    }

    fn parse(s: &str) -> Result<Timestamp, ErrorKind> {
        bracketed_timestamp(s.as_bytes())
            .map(|(_, t)| t)
            .map_err(|e| match e {
                nom::Err::Error(f) | nom::Err::Failure(f) => f.kind,
                nom::Err::Incomplete(_) => ErrorKind::Truncated,
            })
    }

    #[test]
    fn fast_and_escaped_forms_agree() {
        let a = parse("[03/Nov/2017:00:10:42 -0500]").unwrap();
        let b = parse("[03\\/Nov\\/2017:00:10:42 -0500]").unwrap();
        let c = parse("[03/Nov/2017:00:10:42 \t -0500]").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.to_string(), "2017-11-03T00:10:42-05:00");
        assert_eq!(a.bracketed().to_string(), "03/Nov/2017:00:10:42 -0500");
    }

    #[test]
    fn ranges_are_checked() {
        assert_eq!(
            parse("[03/Nox/2017:00:10:42 -0500]"),
            Err(ErrorKind::BadMonth)
        );
        assert_eq!(
            parse("[03/Nov/2017:25:10:42 -0500]"),
            Err(ErrorKind::BadHour)
        );
        assert_eq!(
            parse("[03/Nov/2017:23:60:42 -0500]"),
            Err(ErrorKind::BadMinute)
        );
        assert_eq!(
            parse("[03/Nov/2017:23:59:61 -0500]"),
            Err(ErrorKind::BadSecond)
        );
        assert_eq!(
            parse("[31/Apr/2017:23:59:59 -0500]"),
            Err(ErrorKind::BadDay)
        );
        assert_eq!(
            parse("[29/Feb/2017:23:59:59 -0500]"),
            Err(ErrorKind::BadDay)
        );
        assert!(parse("[29/Feb/2016:23:59:59 -0500]").is_ok());
        assert_eq!(
            parse("[00/Feb/2016:23:59:59 -0500]"),
            Err(ErrorKind::BadDay)
        );
        assert_eq!(
            parse("[01/Feb/2016:23:59:59 -1500]"),
            Err(ErrorKind::BadUtcOffset)
        );
        assert_eq!(
            parse("[01/Feb/2016:23:59:59 -0500"),
            Err(ErrorKind::Truncated)
        );
        assert_eq!(
            parse("[01/Feb/2016:23:59:59 -0500x"),
            Err(ErrorKind::MissingCloseBracket)
        );
        assert_eq!(
            parse("01/Feb/2016:23:59:59 -0500]"),
            Err(ErrorKind::MissingOpenBracket)
        );
        assert_eq!(
            parse("[01-Feb/2016:23:59:59 -0500]"),
            Err(ErrorKind::BadTimestampSeparator)
        );
        assert_eq!(parse("[01/Feb/16:23:59:59 -0500]"), Err(ErrorKind::BadYear));
    }

    #[test]
    fn unix_round_trip_and_weekday() {
        let t = parse("[03/Nov/2017:00:10:42 -0500]").unwrap();
        assert_eq!(t.unix_seconds(), Some(1_509_685_842));
        assert_eq!(Timestamp::from_unix(1_509_685_842, -300), t);
        // 28 Aug 2002 was a Wednesday.
        let w = Timestamp {
            year: 2002,
            month: 8,
            day: 28,
            hour: 0,
            minute: 0,
            second: 0,
            offset_minutes: None,
        };
        assert_eq!(
            super::super::scan::WEEKDAY_NAMES[w.weekday() as usize],
            "Wed"
        );
        assert_eq!(w.to_string(), "2002-08-28T00:00:00");
    }
}
