//! Time arguments (`--from`, `--to`): UNIX seconds, ISO 8601, or a span back from now.
//!
//! Calendar arithmetic is core's (`plumlogs::Timestamp`), so the CLI and the log
//! parsers agree on every date; only the ISO 8601 *syntax* is read here, because
//! core's grammar is the Plum log formats, not ISO 8601.

use plumlogs::Timestamp;
use std::time::{SystemTime, UNIX_EPOCH};

pub const HELP: &str = "UNIX seconds (1700000000), an ISO 8601 date (2026-11-26, midnight UTC) \
or date-time with an offset (2026-11-26T08:00:00Z, 2026-11-26T03:00-05:00), `now`, \
or a span back from now (90s, 90m, 24h, 7d, 2w)";

/// The system clock in UNIX seconds.
pub fn system_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// Parse a time argument against the system clock (clap `value_parser`).
pub fn parse_time_arg(s: &str) -> Result<i64, String> {
    parse_time(s, system_now())
}

/// Parse a time argument; spans count back from `now`.
pub fn parse_time(s: &str, now: i64) -> Result<i64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(format!("empty time; expected {HELP}"));
    }
    if t.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<i64>()
            .map_err(|_| format!("UNIX time {t:?} is too large"));
    }
    if let Some(span) = parse_span(t)? {
        return now
            .checked_sub(span)
            .ok_or_else(|| format!("span {t:?} reaches before the representable range"));
    }
    if t.as_bytes().get(4) == Some(&b'-') {
        return parse_iso(t);
    }
    Err(format!("cannot read {t:?} as a time; expected {HELP}"))
}

/// `90m` → Some(5400). `None` when `s` is not shaped like a span at all.
fn parse_span(s: &str) -> Result<Option<i64>, String> {
    let (digits, unit) = s.split_at(s.len() - 1);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let unit_seconds: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => {
            return Err(format!(
                "unknown unit {unit:?} in span {s:?}: use s, m, h, d or w (e.g. 90m, 24h, 7d)"
            ));
        }
    };
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("span {s:?} is too large"))?;
    n.checked_mul(unit_seconds)
        .map(Some)
        .ok_or_else(|| format!("span {s:?} is too large"))
}

/// A cursor over the ISO text, so each error can say which part is wrong.
struct Iso<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
}

impl<'a> Iso<'a> {
    fn err(&self, what: &str) -> String {
        format!(
            "bad ISO 8601 time {:?} at character {}: expected {what}",
            self.text,
            self.pos + 1
        )
    }
    fn digits(&mut self, n: usize, what: &str) -> Result<u32, String> {
        let end = self.pos + n;
        if end > self.b.len() || !self.b[self.pos..end].iter().all(u8::is_ascii_digit) {
            return Err(self.err(what));
        }
        let v = self.text[self.pos..end]
            .parse()
            .map_err(|_| self.err(what))?;
        self.pos = end;
        Ok(v)
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

fn parse_iso(text: &str) -> Result<i64, String> {
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
            if p.b.get(p.pos).is_some_and(|&c| c == b'.' || c == b',') {
                return Err(p.err("no fractional seconds (the API takes whole seconds)"));
            }
        }
        ts.offset_minutes = Some(if p.eat(b'Z') || p.eat(b'z') {
            0
        } else if p.done() {
            return Err(format!(
                "ISO 8601 time {text:?} has no UTC offset; add `Z` or one like `-05:00`"
            ));
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
                return Err(format!("UTC offset in {text:?} is out of range"));
            }
            sign * (hh * 60 + mm) as i16
        });
    }
    if !p.done() {
        return Err(p.err("the end of the time"));
    }
    ts.validate()
        .map_err(|kind| format!("bad ISO 8601 time {text:?}: {}", kind.description()))?;
    Ok(ts.unix_seconds().expect("the offset is always set here"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_200_000;

    #[test]
    fn unix_seconds_and_now() {
        assert_eq!(parse_time("1700000000", NOW), Ok(1_700_000_000));
        assert_eq!(parse_time("now", NOW), Ok(NOW));
        assert_eq!(parse_time(" NOW ", NOW), Ok(NOW));
    }

    #[test]
    fn spans() {
        assert_eq!(parse_time("90m", NOW), Ok(NOW - 5400));
        assert_eq!(parse_time("24h", NOW), Ok(NOW - 86_400));
        assert_eq!(parse_time("7d", NOW), Ok(NOW - 7 * 86_400));
        assert_eq!(parse_time("2w", NOW), Ok(NOW - 14 * 86_400));
        assert_eq!(parse_time("30s", NOW), Ok(NOW - 30));
        assert!(parse_time("5y", NOW).unwrap_err().contains("unknown unit"));
        assert!(
            parse_time("99999999999999999999d", NOW)
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn iso_dates_and_times() {
        assert_eq!(parse_time("2017-11-03", NOW), Ok(1_509_667_200));
        assert_eq!(
            parse_time("2017-11-03T00:10:42-05:00", NOW),
            Ok(1_509_685_842)
        );
        assert_eq!(parse_time("2017-11-03T05:10:42Z", NOW), Ok(1_509_685_842));
        assert_eq!(
            parse_time("2017-11-03 05:10:42+00:00", NOW),
            Ok(1_509_685_842)
        );
        assert_eq!(
            parse_time("2017-11-03T00:10:42-0500", NOW),
            Ok(1_509_685_842)
        );
        assert_eq!(parse_time("2017-11-03T10:40+05:30", NOW), Ok(1_509_685_800));
        assert_eq!(parse_time("2017-11-03T00:10-05", NOW), Ok(1_509_685_800));
    }

    #[test]
    fn iso_errors_say_what_and_where() {
        let e = parse_time("2017-11-03T00:10:42", NOW).unwrap_err();
        assert!(e.contains("no UTC offset"), "{e}");
        let e = parse_time("2017-02-30", NOW).unwrap_err();
        assert!(e.contains("day of month"), "{e}");
        let e = parse_time("2017-13-01", NOW).unwrap_err();
        assert!(e.contains("month"), "{e}");
        let e = parse_time("2017-11-03T25:00Z", NOW).unwrap_err();
        assert!(e.contains("hour"), "{e}");
        let e = parse_time("2017-11-03T00:10:42.5Z", NOW).unwrap_err();
        assert!(e.contains("fractional"), "{e}");
        let e = parse_time("2017-11-3", NOW).unwrap_err();
        assert!(e.contains("character 9"), "{e}");
        let e = parse_time("yesterday", NOW).unwrap_err();
        assert!(e.contains("cannot read"), "{e}");
        assert!(parse_time("", NOW).is_err());
    }
}
