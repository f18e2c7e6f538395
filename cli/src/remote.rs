//! `sessions`, `errors`, `calls`, `log`: the client's records, streamed to stdout.

use crate::fail::Fail;
use crate::output::{Format, Sink};
use crate::{ConnArgs, FetchArgs, LogArgs};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use plumlogs::Wire;
use plumlogs::client::{Client, Pages, Query};
use serde::Serialize;
use std::io::{self, IsTerminal, Read, Write};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WireArg {
    Json,
    Xml,
}

impl From<WireArg> for Wire {
    fn from(w: WireArg) -> Wire {
        match w {
            WireArg::Json => Wire::Json,
            WireArg::Xml => Wire::Xml,
        }
    }
}

/// An environment variable, treating set-but-empty as unset.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn password_from_stdin() -> Result<String, Fail> {
    let mut text = String::new();
    io::stdin()
        .lock()
        .read_to_string(&mut text)
        .map_err(|e| Fail::Usage(format!("cannot read the password from standard input: {e}")))?;
    let line = text.lines().next().unwrap_or("").to_owned();
    if line.is_empty() {
        return Err(Fail::Usage(
            "--password-stdin: standard input holds no password".into(),
        ));
    }
    Ok(line)
}

/// A client from the environment (and `--password-stdin`); credentials never come
/// from a flag, so they do not land in shell history.
pub fn client(conn: &ConnArgs, wire: Wire) -> Result<Client, Fail> {
    let username = env_var("PLUM_USERNAME");
    let password = if conn.password_stdin {
        Some(password_from_stdin()?)
    } else {
        env_var("PLUM_PASSWORD")
    };
    let (username, password) = match (username, password) {
        (Some(u), Some(p)) => (u, p),
        (u, p) => {
            let mut missing = Vec::new();
            if u.is_none() {
                missing.push("PLUM_USERNAME is not set");
            }
            if p.is_none() {
                missing.push("PLUM_PASSWORD is not set (or pass --password-stdin)");
            }
            return Err(Fail::Usage(format!(
                "missing credentials: {}.\n\
                 Set them to your Plum DEV login, e.g. `export PLUM_USERNAME=you@example.com`, \
                 or try `plumlogs emulator` for a local stand-in",
                missing.join("; ")
            )));
        }
    };
    let mut b = Client::builder()
        .username(username)
        .password(password)
        .wire(wire)
        .max_retries(conn.max_retries)
        .user_agent(concat!("plumlogs-cli/", env!("CARGO_PKG_VERSION")));
    // An empty PLUM_BASE_URL means "not set", as for the credentials.
    if let Some(url) = conn.base_url.as_ref().filter(|u| !u.is_empty()) {
        b = b.base_url(url.clone());
    }
    if let Some(t) = conn.timeout {
        b = b.timeout(t);
    }
    if let Some(d) = conn.deadline {
        b = b.deadline(d);
    }
    if conn.allow_insecure_http {
        b = b.allow_insecure_http(true);
    }
    Ok(b.build()?)
}

/// A counter on stderr while records arrive, only when a person is watching it;
/// it becomes a bar once the server says how many records there are.
fn progress(what: &'static str) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {human_pos} {msg} ({elapsed})")
            .expect("a valid template"),
    );
    pb.set_message(what);
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

fn show_total(pb: &ProgressBar, total: u64) {
    if pb.is_hidden() || pb.length() == Some(total) || total < pb.position() {
        return;
    }
    if pb.length().is_none() {
        pb.set_style(
            ProgressStyle::with_template(
                "{wide_bar} {human_pos}/{human_len} {msg} ({elapsed}, eta {eta})",
            )
            .expect("a valid template"),
        );
    }
    pb.set_length(total);
}

fn query(a: &FetchArgs) -> Query {
    let mut q = Query::new(a.from, a.to).page_size(a.page_size);
    if let Some(n) = &a.number {
        q = q.number(n.clone());
    }
    if let Some(l) = a.limit {
        q = q.limit(l);
    }
    q
}

/// Print records page by page as they arrive. On a failure part-way, what arrived
/// is still written out (and a json array closed) before the error is reported.
fn stream<T: Serialize>(
    mut pages: Pages<T>,
    limit: Option<u64>,
    format: Format,
    what: &'static str,
) -> Result<(), Fail> {
    let pb = progress(what);
    let mut sink = Sink::new(format, io::BufWriter::new(io::stdout().lock()));
    let mut failure = None;
    let mut warned = 0;
    while let Some(page) = pages.next_page() {
        warned = warn(&pb, &pages.warnings()[warned..]) + warned;
        match page {
            Ok(records) => {
                for record in &records {
                    sink.push(record)?;
                }
                pb.inc(records.len() as u64);
                if let Some(total) = pages.total_hint() {
                    show_total(&pb, limit.map_or(total, |l| total.min(l)));
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    pb.finish_and_clear();
    let count = sink.count();
    sink.finish()?;
    match failure {
        None => Ok(()),
        Some(e) => {
            let mut fail = Fail::from(e);
            if let (true, Fail::Service(m) | Fail::Usage(m)) = (count > 0, &mut fail) {
                m.push_str(&format!(" (after {count} {what} were written)"));
            }
            Err(fail)
        }
    }
}

/// A server's remark on a successful answer (`"status":"success"` with an `error`
/// text): one stderr line each, control characters escaped. Returns how many.
fn warn(pb: &ProgressBar, warnings: &[String]) -> usize {
    for w in warnings {
        pb.suspend(|| eprintln!("warning: server said: {}", crate::output::table_cell(w)));
    }
    warnings.len()
}

pub fn sessions(a: &FetchArgs, format: Format) -> Result<(), Fail> {
    let c = client(&a.conn, a.wire.into())?;
    stream(c.sessions(&query(a))?, a.limit, format, "session lines")
}

pub fn errors(a: &FetchArgs, format: Format) -> Result<(), Fail> {
    let c = client(&a.conn, a.wire.into())?;
    stream(c.errors(&query(a))?, a.limit, format, "error lines")
}

pub fn calls(a: &FetchArgs, format: Format) -> Result<(), Fail> {
    let c = client(&a.conn, a.wire.into())?;
    stream(c.call_logs(&query(a))?, a.limit, format, "calls")
}

pub fn log(a: &LogArgs, format: Format) -> Result<(), Fail> {
    let c = client(&a.conn, a.wire.into())?;
    let log = c.call_log(a.log_id)?;
    warn(&ProgressBar::hidden(), log.warning.as_slice());
    if a.raw {
        let mut out = io::stdout().lock();
        out.write_all(log.text.as_bytes())?;
        if !log.text.is_empty() && !log.text.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()?;
        return Ok(());
    }
    let mut sink = Sink::new(format, io::BufWriter::new(io::stdout().lock()));
    for entry in &log.entries {
        sink.push(entry)?;
    }
    sink.finish()?;
    Ok(())
}
