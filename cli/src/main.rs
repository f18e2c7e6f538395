//! `plumlogs`: Plum Voice call, session and error logs from the command line.
//!
//! Every command is a thin layer over the `plumlogs` crate (parsers, client) and the
//! `plumlogs-emulator` crate; records are printed from their canonical JSON.

mod columns;
mod demo;
mod emulator_cmd;
mod fail;
mod follow_cmd;
mod logging;
mod output;
mod parse_cmd;
mod remote;
mod sync_cmd;
mod timearg;

use clap::{Args, CommandFactory, Parser, Subcommand};
use fail::Fail;
use output::Format;
use plumlogs::client::options;
use plumlogs::timearg::TimeArg;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "plumlogs",
    version,
    about = "Read Plum Voice call, session and error logs: fetch them from the Call Log API, \
             parse log files, or try everything against a local emulator.",
    after_help = "Credentials come from PLUM_USERNAME and PLUM_PASSWORD (or --password-stdin), \
                  the service from --base-url, else PLUM_BASE_URL, else the --profile's, \
                  else https://hosting.plumvoice.com.\n\
                  Exit status: 0 success, 1 API or transport failure, 2 bad usage or bad input.\n\
                  Try it with no account: plumlogs demo"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log each request on stderr (method, path, status, attempt, time, bytes);
    /// twice adds response headers. Same as PLUM_LOG=info / PLUM_LOG=debug.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Subcommand, Debug)]
enum Command {
    // Usage lines are spelled out: clap's own, after a usage error, lists the flags
    // that were given as if they were required (`plumlogs log --raw <LOG_ID>`).
    /// Session log lines (one per call, plus `local` lines) in a time window.
    #[command(override_usage = "plumlogs sessions [--from T] [--to T] [OPTIONS]")]
    Sessions(FetchArgs),
    /// Error log lines in a time window.
    #[command(override_usage = "plumlogs errors [--from T] [--to T] [OPTIONS]")]
    Errors(FetchArgs),
    /// Calls that have a detailed log, in a time window (the last 5 days at most).
    #[command(override_usage = "plumlogs calls [--from T] [--to T] [OPTIONS]")]
    Calls(FetchArgs),
    /// The detailed log of one call, by the `log_id` that `calls` lists.
    #[command(override_usage = "plumlogs log [OPTIONS] <LOG_ID>")]
    Log(LogArgs),
    /// Parse session, error or call-log text from files or standard input.
    #[command(override_usage = "plumlogs parse [OPTIONS] <KIND> [FILE|-]...")]
    Parse(ParseArgs),
    /// Run the Call Log API emulator on loopback until interrupted.
    #[command(override_usage = "plumlogs emulator [OPTIONS]")]
    Emulator(EmulatorArgs),
    /// Start an emulator, pull a day of logs through the client, print a report.
    #[command(override_usage = "plumlogs demo [OPTIONS]")]
    Demo(DemoArgs),
    /// Print a shell completion script: `plumlogs completions bash > /etc/bash_completion.d/plumlogs`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `plumlogs man > plumlogs.1`, `plumlogs man sessions`.
    Man {
        /// A subcommand's own page instead of the main one.
        subcommand: Option<String>,
    },
    /// Keep every log in a Parquet dataset: fetch what is new, seal finished days.
    Sync(sync_cmd::SyncArgs),
}

#[derive(Args, Debug)]
pub struct OutputArgs {
    /// Output format [default: table on a terminal, jsonl otherwise].
    #[arg(short = 'o', long = "output", value_enum, value_name = "FORMAT")]
    output: Option<Format>,
    /// Columns of table/csv output, in this order, comma-separated
    /// (e.g. `--fields timestamp,ani,duration`); an unknown name lists the valid ones.
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    fields: Option<Vec<String>>,
    /// How UNIX-second columns (sessions' call_start/call_end, calls' start/end) look
    /// in table/csv output [default: iso in a table, for reading next to the ISO
    /// timestamp; unix in csv, the canonical values that jsonl and json carry].
    #[arg(long, value_enum, value_name = "FORMAT")]
    time_format: Option<output::TimeFormat>,
}

impl OutputArgs {
    /// The format (explicit, or by where stdout goes) and the table/csv layout,
    /// checked against the record type's columns before any request.
    pub fn layout(&self, shape: columns::Shape) -> Result<(Format, output::Layout), Fail> {
        let format = Format::resolve(self.output);
        let layout = output::Layout::new(
            format,
            self.fields.as_deref(),
            self.time_format,
            &shape.columns,
            shape.unix_fields,
        )
        .map_err(Fail::Usage)?;
        Ok((format, layout))
    }
}

#[derive(Args, Debug)]
pub struct ConnArgs {
    /// Base URL of the Call Log API [default: PLUM_BASE_URL, else the profile's, else
    /// https://hosting.plumvoice.com] (the one order of the core's ClientBuilder).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Allow a plain http:// base URL that is not loopback (the password then travels in clear).
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Read the password from the first line of standard input instead of PLUM_PASSWORD.
    #[arg(long)]
    pub password_stdin: bool,
    /// Use this profile of the config file (username, base URL, password variable):
    /// $XDG_CONFIG_HOME/plumlogs/config.toml, or the file PLUM_CONFIG names.
    #[arg(long, env = "PLUM_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Seconds to wait for each request.
    #[arg(long, value_name = "SECONDS", value_parser = |s: &str| seconds_arg(s, "--timeout", options::timeout),
          help = format!("Seconds to wait for each request [default: {}]", options::DEFAULT_TIMEOUT.as_secs()))]
    pub timeout: Option<Duration>,
    /// Retries of a failed request (connection errors, 5xx, 429).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_retries: u32,
    /// Seconds one request may take with all its retries (the last attempt's
    /// timeout is cut to fit; no retry starts past it). No limit by default.
    #[arg(long, value_name = "SECONDS", value_parser = |s: &str| seconds_arg(s, "--deadline", options::deadline))]
    pub deadline: Option<Duration>,
    /// Send requests through this HTTP CONNECT proxy (http://host:port) instead of
    /// HTTPS_PROXY / HTTP_PROXY / ALL_PROXY (honoured with NO_PROXY when this is unset).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Trust only the certificates of this PEM file (a TLS-intercepting proxy's or a
    /// private CA) [default: PLUM_CA_BUNDLE, then SSL_CERT_FILE, then built-in roots].
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<PathBuf>,
    /// Trust the built-in roots or the operating system's trust store ("builtin" or
    /// "platform") when no CA bundle is given [default: PLUM_TLS_ROOTS, then builtin].
    #[arg(long, value_name = "ROOTS", value_parser = |s: &str| plumlogs::client::TlsRoots::parse(s, "--tls-roots").map_err(|e| e.to_string()))]
    pub tls_roots: Option<plumlogs::client::TlsRoots>,
}

/// A `--timeout`/`--deadline` value: a number of seconds, range-checked by the core
/// (an out-of-range number is its `InvalidArgument`, never a panic).
fn seconds_arg(
    s: &str,
    flag: &str,
    check: fn(&str, f64, options::TimeUnit) -> Result<Duration, plumlogs::Error>,
) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{flag} must be a number of seconds, got {s:?}"))?;
    check(flag, v, options::TimeUnit::Seconds).map_err(|e| e.to_string())
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Start of the window (inclusive).
    #[arg(long, value_name = "T", default_value = "24h", value_parser = timearg::parse,
          long_help = format!("Start of the window (inclusive): {}", timearg::HELP))]
    pub from: TimeArg,
    /// End of the window (exclusive).
    #[arg(long, value_name = "T", default_value = "now", value_parser = timearg::parse,
          long_help = format!("End of the window (exclusive): {}", timearg::HELP))]
    pub to: TimeArg,
    /// Only calls to this phone number.
    #[arg(long, value_name = "N")]
    pub number: Option<String>,
    /// Return at most this many records in total.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Records asked for per request (1..10000).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub page_size: u32,
    /// Wire format asked of the server.
    #[arg(long, value_enum, default_value_t = remote::WireArg::Json)]
    pub wire: remote::WireArg,
    /// Pieces of a window longer than a day fetched at once (1..64; 1 = one serial walk).
    #[arg(long, value_name = "N", default_value_t = plumlogs::client::DEFAULT_WINDOW_CONCURRENCY,
          value_parser = clap::value_parser!(usize))]
    pub concurrency: usize,
    /// Keep polling and print only new records, like `tail -f`, until Ctrl-C
    /// (sessions, errors). Starts at --from; each poll looks back --lookback.
    #[arg(long, conflicts_with_all = ["to", "limit"])]
    pub follow: bool,
    /// Seconds between polls with --follow.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10.0,
        requires = "follow"
    )]
    pub interval: f64,
    /// How far back each --follow poll looks, for lines that arrive late (a call's
    /// lines come when it ends): a span such as 30m or 2h.
    #[arg(long, value_name = "SPAN", default_value = "1h", requires = "follow",
          value_parser = timearg::parse)]
    pub lookback: TimeArg,
    /// Print the lines exactly as the server sent them (sessions, errors), one per
    /// line, instead of records.
    #[arg(long, conflicts_with_all = ["output", "fields", "time_format"])]
    pub raw: bool,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Args, Debug)]
pub struct LogArgs {
    /// The call's `log_id`, as listed by `plumlogs calls`.
    pub log_id: u64,
    /// Print the log text exactly as the server sent it instead of records.
    #[arg(long, conflicts_with_all = ["output", "fields", "time_format"])]
    pub raw: bool,
    /// Wire format asked of the server.
    #[arg(long, value_enum, default_value_t = remote::WireArg::Json)]
    pub wire: remote::WireArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Args, Debug)]
struct ParseArgs {
    /// What the text holds.
    #[arg(value_enum)]
    kind: parse_cmd::Kind,
    /// Files to read; `-` or none reads standard input.
    #[arg(value_name = "FILE|-")]
    files: Vec<PathBuf>,
    /// Report every bad line on stderr (file:line:column: reason) and go on,
    /// instead of stopping at the first one. Every good record is written; the exit
    /// status is still 2 if any line was bad.
    #[arg(long)]
    lenient: bool,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Args, Debug)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Basic-auth user name the emulator accepts [default: emulator@plumlogs.test].
    #[arg(long)]
    pub username: Option<String>,
    /// Basic-auth password the emulator accepts [default: plumlogs-emulator].
    #[arg(long)]
    pub password: Option<String>,
    /// Calls generated per day.
    #[arg(long, default_value_t = 2000)]
    pub calls_per_day: u32,
    /// Freeze the emulator's clock at this time instead of following the system clock.
    #[arg(long, value_name = "T", value_parser = timearg::parse)]
    pub clock: Option<TimeArg>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Seed of the emulator's synthetic data.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Calls the emulator generates per day.
    #[arg(long, default_value_t = 2000)]
    pub calls_per_day: u32,
}

fn run(cli: Cli) -> Result<(), Fail> {
    let level = logging::level(cli.verbose, std::env::var("PLUM_LOG").ok().as_deref())
        .map_err(Fail::Usage)?;
    logging::init(level);
    match cli.command {
        Command::Sessions(a) => remote::sessions(&a),
        Command::Errors(a) => remote::errors(&a),
        Command::Calls(a) => remote::calls(&a),
        Command::Log(a) => remote::log(&a),
        Command::Parse(a) => parse_cmd::run(a.kind, &a.files, a.lenient, &a.out),
        Command::Emulator(a) => emulator_cmd::run(&a),
        Command::Demo(a) => demo::run(&a),
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics when its writer fails
            // (`plumlogs completions bash | head`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "plumlogs", &mut script);
            let mut out = std::io::stdout().lock();
            out.write_all(&script)?;
            out.flush()?;
            Ok(())
        }
        Command::Man { subcommand } => man(subcommand.as_deref()),
        Command::Sync(a) => sync_cmd::run(&a),
    }
}

/// The man page of the command, or of one subcommand (`plumlogs-sessions(1)`), made
/// by clap_mangen from the same definitions as `--help`. A subcommand rather than a
/// build step: the page always matches the binary that prints it, and packagers run
/// `plumlogs man > plumlogs.1` with nothing else installed.
fn man(subcommand: Option<&str>) -> Result<(), Fail> {
    let cli = Cli::command();
    let cmd = match subcommand {
        None => cli,
        Some(name) => {
            let names: Vec<String> = cli
                .get_subcommands()
                .map(|c| c.get_name().to_owned())
                .collect();
            let Some(sub) = cli.find_subcommand(name) else {
                return Err(Fail::Usage(format!(
                    "no subcommand {name:?}; the subcommands are: {}",
                    names.join(", ")
                )));
            };
            let page = format!("plumlogs-{}", sub.get_name());
            sub.clone().name(page)
        }
    };
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    out.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(fail) => {
            let text = fail.to_string();
            if !text.is_empty() {
                // Escaped and bounded: the message may carry the server's text.
                output::stderr_line(&text);
            }
            ExitCode::from(fail.exit_code())
        }
    }
}
