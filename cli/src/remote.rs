//! `sessions`, `errors`, `calls`, `log`: the client's records, streamed to stdout.

use crate::columns::{self, Shape};
use crate::fail::Fail;
use crate::output::{Sink, escape_controls, stderr_line};
use crate::timearg;
use crate::{ConnArgs, FetchArgs, LogArgs};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use plumlogs::client::{Client, Query, WindowOptions, Windowed};
use plumlogs::{Service, Wire};
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
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
    let b = match &conn.profile {
        Some(name) => {
            // The profile's username and base URL, its password variable (or stdin).
            // Missing credentials are bad usage here, as without a profile.
            let mut b = plumlogs::ClientBuilder::from_profile(Some(name)).map_err(|e| match e {
                plumlogs::Error::Auth {
                    message,
                    http_status: None,
                } => Fail::Usage(message),
                other => Fail::from(other),
            })?;
            if conn.password_stdin {
                b = b.password(password_from_stdin()?);
            }
            b
        }
        None => credentials_from_env(conn)?,
    };
    configure(b, conn, wire)
}

/// PLUM_USERNAME and PLUM_PASSWORD (or --password-stdin), refused clearly when missing.
fn credentials_from_env(conn: &ConnArgs) -> Result<plumlogs::ClientBuilder, Fail> {
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
    Ok(Client::builder().username(username).password(password))
}

/// Everything but the credentials: flags over the environment.
fn configure(b: plumlogs::ClientBuilder, conn: &ConnArgs, wire: Wire) -> Result<Client, Fail> {
    let mut b = b
        .wire(wire)
        .max_retries(conn.max_retries)
        .user_agent(concat!("plumlogs-cli/", env!("CARGO_PKG_VERSION")));
    // PLUM_BASE_URL and the profile's come from the core builder, in its one order
    // (`ClientBuilder::from_profile`); an empty --base-url is refused there, as an
    // empty `base_url=` is in the bindings.
    if let Some(url) = &conn.base_url {
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
    if let Some(p) = &conn.proxy {
        b = b.proxy(p.clone());
    }
    if let Some(f) = &conn.ca_bundle {
        b = b.ca_bundle(f.clone());
    }
    if let Some(r) = conn.tls_roots {
        b = b.tls_roots(r);
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

/// The query of `--from`/`--to` and the rest, the window resolved by core against
/// the client's clock.
pub(crate) fn query(a: &FetchArgs, c: &Client, service: Service) -> Result<Query, Fail> {
    let (start, end) = timearg::window(a.from, a.to, service, c.now())?;
    let mut q = Query::new(start, end).page_size(a.page_size);
    if let Some(n) = &a.number {
        q = q.number(n.clone());
    }
    if let Some(l) = a.limit {
        q = q.limit(l);
    }
    Ok(q)
}

/// What a pull writes: records in the chosen format, or lines as the server sent them.
pub(crate) enum Out<W: Write> {
    Records(Box<Sink<W>>),
    Lines {
        out: W,
        count: usize,
        /// On a terminal, control characters are shown escaped even in raw lines.
        escape: bool,
    },
}

/// A listing item the CLI can print: as a record, or as the line it was sent as.
pub(crate) trait Item: Serialize + Send + 'static {
    fn line(&self) -> Option<&str> {
        None
    }
}
impl Item for plumlogs::SessionRecord<'static> {}
impl Item for plumlogs::ErrorRecord<'static> {}
impl Item for plumlogs::CallSummary<'static> {}
impl Item for String {
    fn line(&self) -> Option<&str> {
        Some(self)
    }
}

impl<W: Write> Out<W> {
    pub(crate) fn push<T: Item>(&mut self, item: &T) -> io::Result<()> {
        match self {
            Out::Records(sink) => sink.push(item),
            Out::Lines { out, count, escape } => {
                let line = item.line().unwrap_or_default();
                if *escape {
                    out.write_all(escape_controls(line, false).as_bytes())?;
                } else {
                    out.write_all(line.as_bytes())?;
                }
                *count += 1;
                out.write_all(b"\n")
            }
        }
    }
    pub(crate) fn count(&self) -> usize {
        match self {
            Out::Records(sink) => sink.count(),
            Out::Lines { count, .. } => *count,
        }
    }
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Records(sink) => sink.flush(),
            Out::Lines { out, .. } => out.flush(),
        }
    }
    /// Flush, and let a table show the rows it holds for sizing (`--follow`).
    pub(crate) fn release(&mut self) -> io::Result<()> {
        match self {
            Out::Records(sink) => sink.release(),
            Out::Lines { out, .. } => out.flush(),
        }
    }
    pub(crate) fn finish(self) -> io::Result<()> {
        match self {
            Out::Records(sink) => (*sink).finish().map(drop),
            Out::Lines { mut out, .. } => out.flush(),
        }
    }
}

/// A page as the fetching thread hands it over: records, count hint, new warnings.
type Fetched<T> = (Result<Vec<T>, plumlogs::Error>, Option<u64>, Vec<String>);

/// Set by Ctrl-C (and SIGTERM) during a pull.
pub(crate) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Catch Ctrl-C from now on: the pull stops between records instead of the process
/// dying mid-record. Only one handler per process; a second call keeps the first.
pub(crate) fn catch_interrupts() {
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// How often the printing thread looks at the interrupt flag while a request is out.
pub(crate) const INTERRUPT_POLL: Duration = Duration::from_millis(50);

/// Print records page by page as they arrive, flushing after each page. On a
/// failure part-way, what arrived is still written out (and a json array closed)
/// before the error is reported. On Ctrl-C the record being written is finished,
/// the output closed the same way, `interrupted after N records (window … to …)`
/// said on stderr, and the exit status is 130. The pages are fetched on a thread of
/// their own, so Ctrl-C is answered at once even while a request is out.
fn stream<T: Item>(
    mut pages: Windowed<T>,
    q: &Query,
    mut out: Out<impl Write>,
    what: &'static str,
) -> Result<(), Fail> {
    catch_interrupts();
    let pb = progress(what);
    // Each page travels with the count hint and the server warnings new since the last.
    let (tx, rx) = mpsc::sync_channel::<Fetched<T>>(1);
    std::thread::spawn(move || {
        let mut warned = 0;
        while let Some(page) = pages.next_page() {
            let new = pages.warnings()[warned..].to_vec();
            warned += new.len();
            if tx.send((page, pages.total_hint(), new)).is_err() {
                break;
            }
        }
    });
    let mut failure = None;
    let mut interrupted = false;
    'pull: loop {
        if INTERRUPTED.load(Ordering::SeqCst) {
            interrupted = true;
            break;
        }
        match rx.recv_timeout(INTERRUPT_POLL) {
            Ok((Ok(records), total, warnings)) => {
                warn(&pb, &warnings);
                for record in &records {
                    if INTERRUPTED.load(Ordering::SeqCst) {
                        interrupted = true;
                        break 'pull;
                    }
                    out.push(record)?;
                    pb.inc(1);
                }
                out.flush()?;
                if let Some(total) = total {
                    show_total(&pb, q.limit.map_or(total, |l| total.min(l)));
                }
            }
            Ok((Err(e), _, warnings)) => {
                warn(&pb, &warnings);
                failure = Some(e);
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    pb.finish_and_clear();
    let count = out.count();
    out.finish()?;
    if interrupted {
        stderr_line(&format!(
            "interrupted after {count} record{} (window {} to {})",
            if count == 1 { "" } else { "s" },
            timearg::iso_utc(q.start),
            timearg::iso_utc(q.end)
        ));
        return Err(Fail::Silent(130));
    }
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
/// text): one stderr line each, control characters escaped and bounded.
fn warn(pb: &ProgressBar, warnings: &[String]) {
    for w in warnings {
        pb.suspend(|| {
            stderr_line(&format!(
                "warning: server said: {}",
                escape_controls(w, false)
            ))
        });
    }
}

pub(crate) fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

/// Records in the format and layout asked for, or raw lines with `--raw`.
pub(crate) fn out(a: &FetchArgs, shape: Shape) -> Result<Out<impl Write>, Fail> {
    if a.raw {
        return Ok(Out::Lines {
            out: stdout(),
            count: 0,
            escape: io::stdout().is_terminal(),
        });
    }
    let (format, layout) = a.out.layout(shape)?;
    Ok(Out::Records(Box::new(Sink::new(format, layout, stdout()))))
}

/// How `--concurrency` splits a window: core's automatic pieces, that many at once.
fn windows(a: &FetchArgs) -> WindowOptions {
    WindowOptions::default().concurrency(a.concurrency)
}

pub fn sessions(a: &FetchArgs) -> Result<(), Fail> {
    let out = out(a, columns::sessions())?;
    let c = client(&a.conn, a.wire.into())?;
    if a.follow {
        return crate::follow_cmd::sessions(a, &c, out);
    }
    let q = query(a, &c, Service::Sessions)?;
    if a.raw {
        stream(
            c.session_lines_windowed(&q, windows(a))?,
            &q,
            out,
            "session lines",
        )
    } else {
        stream(
            c.sessions_windowed(&q, windows(a))?,
            &q,
            out,
            "session lines",
        )
    }
}

pub fn errors(a: &FetchArgs) -> Result<(), Fail> {
    let out = out(a, columns::errors())?;
    let c = client(&a.conn, a.wire.into())?;
    if a.follow {
        return crate::follow_cmd::errors(a, &c, out);
    }
    let q = query(a, &c, Service::Errors)?;
    if a.raw {
        stream(
            c.error_lines_windowed(&q, windows(a))?,
            &q,
            out,
            "error lines",
        )
    } else {
        stream(c.errors_windowed(&q, windows(a))?, &q, out, "error lines")
    }
}

pub fn calls(a: &FetchArgs) -> Result<(), Fail> {
    if a.raw {
        return Err(Fail::Usage(
            "--raw: calls/logs sends records, not lines; `plumlogs log LOG_ID --raw` prints \
             one call's log text as sent"
                .into(),
        ));
    }
    if a.follow {
        return Err(Fail::Usage(
            "--follow: only `sessions` and `errors` can be followed".into(),
        ));
    }
    let out = out(a, columns::calls())?;
    let c = client(&a.conn, a.wire.into())?;
    let q = query(a, &c, Service::Logs)?;
    stream(c.call_logs_windowed(&q, windows(a))?, &q, out, "calls")
}

pub fn log(a: &LogArgs) -> Result<(), Fail> {
    let layout = if a.raw {
        None
    } else {
        Some(a.out.layout(columns::log_entries())?)
    };
    let c = client(&a.conn, a.wire.into())?;
    let log = c.call_log(a.log_id)?;
    warn(&ProgressBar::hidden(), log.warning.as_slice());
    let Some((format, layout)) = layout else {
        let mut out = io::stdout().lock();
        let text = if out.is_terminal() {
            escape_controls(log.text(), true)
        } else {
            Cow::Borrowed(log.text())
        };
        out.write_all(text.as_bytes())?;
        if !text.is_empty() && !text.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()?;
        return Ok(());
    };
    let mut sink = Sink::new(format, layout, stdout());
    for entry in log.entries() {
        sink.push(&entry)?;
    }
    sink.finish()?;
    Ok(())
}
