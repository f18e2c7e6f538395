//! `sessions --follow`, `errors --follow`: core's `Client::follow_*`, printed as it
//! comes until Ctrl-C. Polling, repeats and backoff are core's; this file prints.

use crate::FetchArgs;
use crate::fail::Fail;
use crate::output::stderr_line;
use crate::remote::{INTERRUPT_POLL, INTERRUPTED, Item, Out, catch_interrupts};
use crate::timearg;
use plumlogs::client::{Client, Follow, FollowEvent, FollowOptions};
use plumlogs::timearg::TimeArg;
use plumlogs::{Error, Service};
use std::fmt::Display;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::mpsc;

/// `--from` (where following starts), `--interval`, `--lookback` and the rest.
fn options(a: &FetchArgs, c: &Client, service: Service) -> Result<FollowOptions, Fail> {
    let (since, _) = timearg::window(a.from, TimeArg::Now, service, c.now())?;
    let lookback = match a.lookback {
        TimeArg::Ago(s) if s > 0 => s,
        _ => {
            return Err(Fail::Usage(
                "--lookback must be a span such as 30m or 2h".into(),
            ));
        }
    };
    // Core checks the range (more than zero, at most MAX_FOLLOW_INTERVAL); here only
    // that the number is a duration at all (not negative, NaN or astronomically big).
    let interval = std::time::Duration::try_from_secs_f64(a.interval).map_err(|_| {
        Fail::Usage(format!(
            "--interval must be a positive number of seconds, not {}",
            a.interval
        ))
    })?;
    let mut o = FollowOptions::default()
        .interval(interval)
        .lookback_seconds(lookback)
        .since(since)
        .page_size(a.page_size);
    if let Some(n) = &a.number {
        o = o.number(n.clone());
    }
    Ok(o)
}

pub fn sessions(a: &FetchArgs, c: &Client, out: Out<impl Write>) -> Result<(), Fail> {
    let o = options(a, c, Service::Sessions)?;
    if a.raw {
        run(c.follow_session_lines(&o)?, out, o.since)
    } else {
        run(c.follow_sessions(&o)?, out, o.since)
    }
}

pub fn errors(a: &FetchArgs, c: &Client, out: Out<impl Write>) -> Result<(), Fail> {
    let o = options(a, c, Service::Errors)?;
    if a.raw {
        run(c.follow_error_lines(&o)?, out, o.since)
    } else {
        run(c.follow_errors(&o)?, out, o.since)
    }
}

/// Print each new batch, a note on stderr for each failed poll, until Ctrl-C
/// (exit 130, output closed) or a failure that is not transient (exit 1 or 2).
fn run<T: Item + Display>(
    follow: Follow<T>,
    mut out: Out<impl Write>,
    since: Option<i64>,
) -> Result<(), Fail> {
    catch_interrupts();
    let stop = follow.stop_handle();
    let (tx, rx) = mpsc::sync_channel::<Result<FollowEvent<T>, Error>>(1);
    std::thread::spawn(move || {
        for event in follow {
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    let mut failure = None;
    loop {
        if INTERRUPTED.load(Ordering::SeqCst) {
            stop.stop();
            break;
        }
        match rx.recv_timeout(INTERRUPT_POLL) {
            Ok(Ok(FollowEvent::Records(records))) => {
                for r in &records {
                    out.push(r)?;
                }
                out.release()?;
            }
            Ok(Ok(FollowEvent::Retrying {
                error,
                failures,
                wait,
            })) => stderr_line(&format!(
                "poll failed ({failures} in a row): {error}; next poll in {:.0?}",
                wait
            )),
            Ok(Err(e)) => {
                failure = Some(e);
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let count = out.count();
    out.finish()?;
    if let Some(e) = failure {
        return Err(Fail::from(e));
    }
    stderr_line(&format!(
        "interrupted after {count} record{} (following since {})",
        if count == 1 { "" } else { "s" },
        since.map_or_else(|| "now".to_owned(), timearg::iso_utc)
    ));
    Err(Fail::Silent(130))
}
