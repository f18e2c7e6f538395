//! `plumlogs`: Plum Voice call, session and error logs from the command line.
//!
//! Every command is a thin layer over the `plumlogs` crate (parsers, client) and the
//! `plumlogs-emulator` crate; records are printed from their canonical JSON.

mod demo;
mod emulator_cmd;
mod fail;
mod output;
mod parse_cmd;
mod remote;
mod sync_cmd;
mod timearg;

use clap::{Args, Parser, Subcommand};
use fail::Fail;
use output::Format;
use plumlogs::client::options;
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
                  the service from PLUM_BASE_URL (default https://hosting.plumvoice.com).\n\
                  Exit status: 0 success, 1 API or transport failure, 2 bad usage or bad input.\n\
                  Try it with no account: plumlogs demo"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Session log lines (one per call, plus `local` lines) in a time window.
    Sessions(FetchArgs),
    /// Error log lines in a time window.
    Errors(FetchArgs),
    /// Calls that have a detailed log, in a time window (the last 5 days at most).
    Calls(FetchArgs),
    /// The detailed log of one call, by the `log_id` that `calls` lists.
    Log(LogArgs),
    /// Parse session, error or call-log text from files or standard input.
    Parse(ParseArgs),
    /// Run the Call Log API emulator on loopback until interrupted.
    Emulator(EmulatorArgs),
    /// Start an emulator, pull a day of logs through the client, print a report.
    Demo(DemoArgs),
    /// Keep every log in a Parquet dataset: fetch what is new, seal finished days.
    Sync(sync_cmd::SyncArgs),
}

#[derive(Args, Debug)]
struct OutputArgs {
    /// Output format [default: table on a terminal, jsonl otherwise].
    #[arg(short = 'o', long = "output", value_enum, value_name = "FORMAT")]
    output: Option<Format>,
}

#[derive(Args, Debug)]
pub struct ConnArgs {
    /// Base URL of the Call Log API.
    #[arg(
        long,
        env = "PLUM_BASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub base_url: Option<String>,
    /// Allow a plain http:// base URL that is not loopback (the password then travels in clear).
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Read the password from the first line of standard input instead of PLUM_PASSWORD.
    #[arg(long)]
    pub password_stdin: bool,
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
    #[arg(long, value_name = "T", default_value = "24h", value_parser = timearg::parse_time_arg,
          long_help = format!("Start of the window (inclusive): {}", timearg::HELP))]
    pub from: i64,
    /// End of the window (exclusive).
    #[arg(long, value_name = "T", default_value = "now", value_parser = timearg::parse_time_arg,
          long_help = format!("End of the window (exclusive): {}", timearg::HELP))]
    pub to: i64,
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
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Args, Debug)]
pub struct LogArgs {
    /// The call's `log_id`, as listed by `plumlogs calls`.
    pub log_id: u64,
    /// Print the log text exactly as the server sent it instead of records.
    #[arg(long, conflicts_with = "output")]
    pub raw: bool,
    /// Wire format asked of the server.
    #[arg(long, value_enum, default_value_t = remote::WireArg::Json)]
    pub wire: remote::WireArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    out: OutputArgs,
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
    #[arg(long, value_name = "T", value_parser = timearg::parse_time_arg)]
    pub clock: Option<i64>,
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
    match cli.command {
        Command::Sessions(a) => {
            let f = Format::resolve(a.out.output);
            remote::sessions(&a, f)
        }
        Command::Errors(a) => {
            let f = Format::resolve(a.out.output);
            remote::errors(&a, f)
        }
        Command::Calls(a) => {
            let f = Format::resolve(a.out.output);
            remote::calls(&a, f)
        }
        Command::Log(a) => {
            let f = Format::resolve(a.out.output);
            remote::log(&a, f)
        }
        Command::Parse(a) => {
            parse_cmd::run(a.kind, &a.files, a.lenient, Format::resolve(a.out.output))
        }
        Command::Emulator(a) => emulator_cmd::run(&a),
        Command::Demo(a) => demo::run(&a),
        Command::Sync(a) => sync_cmd::run(&a),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(fail) => {
            let text = fail.to_string();
            if !text.is_empty() {
                eprintln!("plumlogs: {text}");
            }
            ExitCode::from(fail.exit_code())
        }
    }
}
