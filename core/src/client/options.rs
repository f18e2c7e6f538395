//! Every option's default and range, and the one checked conversion of a caller's
//! number into it.
//!
//! The bindings and the CLI pass the user's number as they got it (a float of
//! seconds or milliseconds, an integer of any size) with the name the user knows
//! (`timeout`, `options.timeoutMs`, `--deadline`); these functions check the range
//! and convert, so an out-of-range number is an [`Error::InvalidArgument`] naming
//! the argument in every language, and never a panic (`Duration::from_secs_f64` of
//! `1e300`) or a wrap (`-1 as u64`). [`ClientBuilder::build`](super::ClientBuilder)
//! and [`Query`](super::Query) check the Rust API's own values against the same
//! ranges.

use crate::error::Error;
use std::time::Duration;

/// Per-attempt timeout by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest per-attempt timeout: one day.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);
/// The longest deadline of one call with its retries: seven days.
pub const MAX_DEADLINE: Duration = Duration::from_secs(7 * 86_400);
/// Retries after the first attempt, by default.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// The most retries after the first attempt.
pub const MAX_RETRIES: u32 = 100;
/// First backoff step and its ceiling, by default.
pub const DEFAULT_BACKOFF: (Duration, Duration) =
    (Duration::from_millis(500), Duration::from_secs(30));
/// The longest backoff base or cap: one hour.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3_600);
/// Worker threads of `call_logs_with_text` by default, in every language.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Records asked for per request, by default.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
pub use super::call_logs::MAX_CONCURRENCY;
pub use super::query::MAX_PAGE_SIZE;

/// The unit a caller's number of time is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds (Rust, Python, the CLI).
    Seconds,
    /// Milliseconds (Node's `…Ms` options).
    Milliseconds,
}

impl TimeUnit {
    const fn per_second(self) -> f64 {
        match self {
            TimeUnit::Seconds => 1.0,
            TimeUnit::Milliseconds => 1000.0,
        }
    }
    const fn name(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "seconds",
            TimeUnit::Milliseconds => "milliseconds",
        }
    }
}

/// A number as a message shows it: integral values without a fraction, others as
/// Rust's shortest round-trip form (`1e300`, `0.5`, `NaN`, `inf`).
fn show(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

/// The range a length of time may take: above zero (or from zero) up to `max`.
#[derive(Clone, Copy, Debug)]
struct Span {
    zero_ok: bool,
    max: Duration,
}

const TIMEOUT: Span = Span {
    zero_ok: false,
    max: MAX_TIMEOUT,
};
const DEADLINE: Span = Span {
    zero_ok: false,
    max: MAX_DEADLINE,
};
const BACKOFF: Span = Span {
    zero_ok: true,
    max: MAX_BACKOFF,
};

impl Span {
    fn reason(self, unit: TimeUnit, got: String) -> String {
        let max = show(self.max.as_secs_f64() * unit.per_second());
        let unit = unit.name();
        if self.zero_ok {
            format!("must be from 0 to {max} {unit}, got {got}")
        } else {
            format!("must be more than 0 and at most {max} {unit}, got {got}")
        }
    }

    fn convert(self, field: &str, value: f64, unit: TimeUnit) -> Result<Duration, Error> {
        let seconds = value / unit.per_second();
        let ok = seconds.is_finite()
            && seconds >= 0.0
            && (self.zero_ok || seconds > 0.0)
            && seconds <= self.max.as_secs_f64();
        if !ok {
            return Err(Error::invalid_argument(
                field,
                self.reason(unit, show(value)),
            ));
        }
        // In range, so the conversion cannot panic; a positive value too small for a
        // nanosecond is still more than zero.
        let d = Duration::from_secs_f64(seconds);
        Ok(if d.is_zero() && seconds > 0.0 {
            Duration::from_nanos(1)
        } else {
            d
        })
    }

    fn check(self, field: &str, d: Duration) -> Result<Duration, Error> {
        if (d.is_zero() && !self.zero_ok) || d > self.max {
            return Err(Error::invalid_argument(
                field,
                self.reason(TimeUnit::Seconds, show(d.as_secs_f64())),
            ));
        }
        Ok(d)
    }
}

/// A per-attempt timeout of `value` `unit`s: more than 0, at most [`MAX_TIMEOUT`].
pub fn timeout(field: &str, value: f64, unit: TimeUnit) -> Result<Duration, Error> {
    TIMEOUT.convert(field, value, unit)
}

/// A deadline of `value` `unit`s: more than 0, at most [`MAX_DEADLINE`].
pub fn deadline(field: &str, value: f64, unit: TimeUnit) -> Result<Duration, Error> {
    DEADLINE.convert(field, value, unit)
}

/// Backoff base and cap: each from 0 to [`MAX_BACKOFF`], and `base <= cap`.
/// `fields` name the two (`("backoff[0]", "backoff[1]")`, or Node's option names).
pub fn backoff(
    fields: (&str, &str),
    base: f64,
    cap: f64,
    unit: TimeUnit,
) -> Result<(Duration, Duration), Error> {
    let b = BACKOFF.convert(fields.0, base, unit)?;
    let c = BACKOFF.convert(fields.1, cap, unit)?;
    check_backoff(fields, b, c)
}

fn check_backoff(
    fields: (&str, &str),
    base: Duration,
    cap: Duration,
) -> Result<(Duration, Duration), Error> {
    if cap < base {
        return Err(Error::invalid_argument(
            fields.1,
            format!(
                "the backoff cap ({cap:?}) must not be below its base {} ({base:?})",
                fields.0
            ),
        ));
    }
    Ok((base, cap))
}

/// An integer from `min` to `max`.
fn int_in<T: TryFrom<i128>>(field: &str, value: i128, min: i128, max: i128) -> Result<T, Error> {
    if value < min || value > max {
        let reason = if max == u64::MAX as i128 {
            format!("must be at least {min}, got {value}")
        } else {
            format!("must be an integer from {min} to {max}, got {value}")
        };
        return Err(Error::invalid_argument(field, reason));
    }
    // In range, so it fits.
    T::try_from(value).map_err(|_| Error::invalid_argument(field, format!("got {value}")))
}

/// A JavaScript number that must be an integer (finite, no fraction, at most 2^53
/// in size, where every integer is exact).
pub fn whole(field: &str, value: f64) -> Result<i128, Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.is_finite() && value.fract() == 0.0 && value.abs() <= EXACT {
        Ok(value as i128)
    } else {
        Err(Error::invalid_argument(
            field,
            format!("must be an integer, got {}", show(value)),
        ))
    }
}

/// Retries after the first attempt: 0 to [`MAX_RETRIES`].
pub fn max_retries(field: &str, value: i128) -> Result<u32, Error> {
    int_in(field, value, 0, MAX_RETRIES as i128)
}

/// Worker threads of `call_logs_with_text`: 1 to [`MAX_CONCURRENCY`].
pub fn concurrency(field: &str, value: i128) -> Result<usize, Error> {
    int_in(field, value, 1, MAX_CONCURRENCY as i128)
}

/// Records per request: 1 to [`MAX_PAGE_SIZE`].
pub fn page_size(field: &str, value: i128) -> Result<u32, Error> {
    int_in(field, value, 1, MAX_PAGE_SIZE as i128)
}

/// A cap on the records of a listing: at least 1.
pub fn limit(field: &str, value: i128) -> Result<u64, Error> {
    int_in(field, value, 1, u64::MAX as i128)
}

/// A `log_id` from `calls/logs`: at least 1.
pub fn log_id(field: &str, value: i128) -> Result<u64, Error> {
    int_in(field, value, 1, u64::MAX as i128)
}

/// The defaults, for the bindings to show (`plumlogs._native._defaults()`, Node's
/// `native.defaults()`): `(name, value)`, times in seconds.
pub const DEFAULTS: [(&str, f64); 6] = [
    ("timeout", DEFAULT_TIMEOUT.as_secs_f64()),
    ("max_retries", DEFAULT_MAX_RETRIES as f64),
    ("backoff_base", DEFAULT_BACKOFF.0.as_secs_f64()),
    ("backoff_cap", DEFAULT_BACKOFF.1.as_secs_f64()),
    ("concurrency", DEFAULT_CONCURRENCY as f64),
    ("page_size", DEFAULT_PAGE_SIZE as f64),
];

/// The Rust API's own values against the same ranges (`ClientBuilder::build`).
pub(crate) fn check_timeout(d: Duration) -> Result<Duration, Error> {
    TIMEOUT.check("timeout", d)
}

pub(crate) fn check_deadline(d: Duration) -> Result<Duration, Error> {
    DEADLINE.check("deadline", d)
}

pub(crate) fn check_backoff_durations(
    base: Duration,
    cap: Duration,
) -> Result<(Duration, Duration), Error> {
    let fields = ("backoff base", "backoff cap");
    BACKOFF.check(fields.0, base)?;
    BACKOFF.check(fields.1, cap)?;
    check_backoff(fields, base, cap)
}

pub(crate) fn check_max_retries(n: u32) -> Result<u32, Error> {
    max_retries("max_retries", n as i128)
}

pub(crate) fn check_page_size(n: u32) -> Result<u32, Error> {
    page_size("page_size", n as i128)
}

pub(crate) fn check_limit(n: u64) -> Result<u64, Error> {
    limit("limit", n as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(r: Result<impl std::fmt::Debug, Error>) -> (String, String) {
        match r {
            Err(Error::InvalidArgument { field, reason }) => (field, reason),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn huge_zero_negative_and_nan_times_are_invalid_arguments_never_panics() {
        for v in [
            1e300,
            1e20,
            f64::INFINITY,
            f64::NAN,
            -1.0,
            0.0,
            86_400.5,
            -0.0,
        ] {
            let (field, why) = reason(timeout("timeout", v, TimeUnit::Seconds));
            assert_eq!(field, "timeout");
            assert!(why.starts_with("must be more than 0 and at most 86400 seconds, got "));
        }
        assert_eq!(
            reason(timeout("timeout", 1e300, TimeUnit::Seconds)).1,
            "must be more than 0 and at most 86400 seconds, got 1e300"
        );
        assert_eq!(
            reason(timeout("options.timeoutMs", 1e300, TimeUnit::Milliseconds)).1,
            "must be more than 0 and at most 86400000 milliseconds, got 1e300"
        );
        assert_eq!(
            reason(deadline("--deadline", 1e20, TimeUnit::Seconds)).1,
            "must be more than 0 and at most 604800 seconds, got 1e20"
        );
        assert_eq!(
            timeout("t", 86_400.0, TimeUnit::Seconds).unwrap(),
            MAX_TIMEOUT
        );
        assert_eq!(
            timeout("t", 1500.0, TimeUnit::Milliseconds).unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(
            timeout("t", 1e-12, TimeUnit::Seconds).unwrap(),
            Duration::from_nanos(1)
        );
    }

    #[test]
    fn backoff_is_checked_once_base_then_cap_then_order() {
        let s = TimeUnit::Seconds;
        let f = ("backoff[0]", "backoff[1]");
        assert_eq!(
            backoff(f, 0.0, 0.0, s).unwrap(),
            (Duration::ZERO, Duration::ZERO)
        );
        let (field, why) = reason(backoff(f, 0.0, 1e300, s));
        assert_eq!(field, "backoff[1]");
        assert_eq!(why, "must be from 0 to 3600 seconds, got 1e300");
        let (field, why) = reason(backoff(f, 2.0, 1.0, s));
        assert_eq!(field, "backoff[1]");
        assert!(
            why.contains("must not be below its base backoff[0]"),
            "{why}"
        );
        assert_eq!(reason(backoff(f, -1.0, 1.0, s)).0, "backoff[0]");
    }

    #[test]
    fn integers_are_range_checked_naming_the_argument() {
        assert_eq!(
            reason(limit("limit", -1)),
            ("limit".into(), "must be at least 1, got -1".into())
        );
        assert_eq!(limit("limit", u64::MAX as i128).unwrap(), u64::MAX);
        assert!(limit("limit", u64::MAX as i128 + 1).is_err());
        assert_eq!(
            reason(page_size("page_size", 0)).1,
            "must be an integer from 1 to 10000, got 0"
        );
        assert_eq!(
            reason(concurrency("concurrency", 65)).1,
            "must be an integer from 1 to 64, got 65"
        );
        assert_eq!(concurrency("c", 64).unwrap(), 64);
        assert_eq!(reason(max_retries("max_retries", -1)).0, "max_retries");
        assert_eq!(reason(log_id("log_id", 0)).0, "log_id");
        assert_eq!(whole("n", 3.0).unwrap(), 3);
        for v in [0.5, f64::NAN, 1e300, -f64::INFINITY] {
            assert_eq!(reason(whole("options.limit", v)).0, "options.limit");
        }
    }
}
