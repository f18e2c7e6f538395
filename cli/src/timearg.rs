//! `--from`/`--to`/`--clock`: core's time arguments ([`plumlogs::timearg`]), named
//! as the CLI names them. No rule lives here.

use crate::fail::Fail;
use plumlogs::Service;
use plumlogs::timearg::{Bound, TimeArg, TimeArgError, resolve_window};
use std::time::{SystemTime, UNIX_EPOCH};

pub use plumlogs::timearg::{HELP, iso_utc};

/// The system clock in UNIX seconds.
pub fn system_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// clap `value_parser` of a time argument: the syntax only; the clock is read when
/// the window is resolved.
pub fn parse(s: &str) -> Result<TimeArg, String> {
    TimeArg::parse_str(s).map_err(|e| e.message().to_owned())
}

/// The CLI's name of one end of a window.
fn flag(bound: Option<Bound>) -> &'static str {
    match bound {
        Some(Bound::Start) | None => "--from",
        Some(Bound::End) => "--to",
    }
}

fn usage(e: TimeArgError) -> Fail {
    Fail::Usage(format!("{}: {}", flag(e.bound), e.message()))
}

/// `--from`/`--to` of `service` as UNIX seconds against the clock `now`.
pub fn window(from: TimeArg, to: TimeArg, service: Service, now: i64) -> Result<(i64, i64), Fail> {
    resolve_window(from, to, service, now).map_err(usage)
}

/// `--clock`: one instant (spans count back from the system clock).
pub fn clock(arg: TimeArg) -> Result<i64, Fail> {
    arg.instant(system_now(), Bound::Start)
        .map_err(|e| Fail::Usage(format!("--clock: {}", e.message())))
}

/// `sync --since`: one instant against the system clock; `max` is no bound at all
/// (the sync starts as far back as each service keeps anyway).
pub fn since(arg: TimeArg) -> Result<Option<i64>, Fail> {
    if arg == TimeArg::Max {
        return Ok(None);
    }
    arg.instant(system_now(), Bound::Start)
        .map(Some)
        .map_err(|e| Fail::Usage(format!("--since: {}", e.message())))
}
