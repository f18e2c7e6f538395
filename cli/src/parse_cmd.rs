//! `plumlogs parse sessions|errors|calllog [FILE|-]...`: log text into records,
//! with core's parsers. Strict: all or nothing, the first bad line fails the run
//! (exit 2) and nothing is printed. Lenient: every good record is printed, every bad
//! line is reported on stderr, and the run goes on.

use crate::fail::Fail;
use crate::output::{Format, Sink};
use clap::ValueEnum;
use plumlogs::{Lenient, ParseError};
use serde::Serialize;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Session log lines (`inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] …`).
    Sessions,
    /// Error log lines (`error 2125551234 6 [17/Nov/2016:14:40:46 -0400] …`).
    Errors,
    /// The text of one call log (`Wed 28 Aug 2002 10:16:58 AM EDT [tel] (…) EVENT: …`).
    Calllog,
}

/// One input: a path, or `-` for standard input.
struct Input {
    name: String,
    bytes: Vec<u8>,
}

fn read_inputs(files: &[PathBuf]) -> Result<Vec<Input>, Fail> {
    if files.is_empty() {
        return Ok(vec![read_stdin()?]);
    }
    files
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                return read_stdin();
            }
            std::fs::read(p)
                .map(|bytes| Input {
                    name: p.display().to_string(),
                    bytes,
                })
                .map_err(|e| Fail::Usage(format!("cannot read {}: {e}", p.display())))
        })
        .collect()
}

fn read_stdin() -> Result<Input, Fail> {
    if io::stdin().is_terminal() {
        eprintln!("plumlogs parse: reading standard input (end it with Ctrl-D)");
    }
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| Fail::Usage(format!("cannot read standard input: {e}")))?;
    Ok(Input {
        name: "<stdin>".into(),
        bytes,
    })
}

fn report(err: &mut impl Write, name: &str, p: &ParseError) -> io::Result<()> {
    writeln!(
        err,
        "{name}:{}:{}: {} [{}]: {:?}",
        p.line,
        p.column,
        p.reason(),
        p.kind.code(),
        p.input
    )
}

pub fn run(kind: Kind, files: &[PathBuf], lenient: bool, format: Format) -> Result<(), Fail> {
    let inputs = read_inputs(files)?;
    let stdout = io::stdout().lock();
    let stderr = io::stderr();
    let mut err = stderr.lock();
    if lenient {
        let mut sink = Sink::new(format, io::BufWriter::new(stdout));
        let mut problems = 0usize;
        for input in &inputs {
            problems += match kind {
                Kind::Sessions => lenient_one(
                    &mut sink,
                    &mut err,
                    input,
                    plumlogs::parse_sessions_lenient(&input.bytes),
                )?,
                Kind::Errors => lenient_one(
                    &mut sink,
                    &mut err,
                    input,
                    plumlogs::parse_errors_lenient(&input.bytes),
                )?,
                Kind::Calllog => lenient_one(
                    &mut sink,
                    &mut err,
                    input,
                    plumlogs::parse_call_log_lenient(&input.bytes),
                )?,
            };
        }
        let records = sink.count();
        sink.finish()?;
        if problems > 0 {
            writeln!(
                err,
                "plumlogs parse: {records} record{} written, {problems} bad line{} reported above",
                plural(records),
                plural(problems)
            )?;
            // Bad input is exit 2 (the spec's status), lenient or not: a script sees
            // that lines were skipped even though every good record was written.
            return Err(Fail::Silent(2));
        }
        return Ok(());
    }
    // Strict: parse everything before printing anything.
    match kind {
        Kind::Sessions => strict(&inputs, format, stdout, &mut err, |b| {
            plumlogs::parse_sessions(b)
        }),
        Kind::Errors => strict(&inputs, format, stdout, &mut err, |b| {
            plumlogs::parse_errors(b)
        }),
        Kind::Calllog => strict(&inputs, format, stdout, &mut err, |b| {
            plumlogs::parse_call_log(b)
        }),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn lenient_one<R: Serialize, W: Write>(
    sink: &mut Sink<W>,
    err: &mut impl Write,
    input: &Input,
    parsed: Lenient<R>,
) -> Result<usize, Fail> {
    for p in &parsed.problems {
        report(err, &input.name, p)?;
    }
    for r in &parsed.records {
        sink.push(r)?;
    }
    Ok(parsed.problems.len())
}

fn strict<'a, R: Serialize + 'a>(
    inputs: &'a [Input],
    format: Format,
    out: impl Write,
    err: &mut impl Write,
    parse: impl Fn(&'a [u8]) -> Result<Vec<R>, ParseError>,
) -> Result<(), Fail> {
    let mut all = Vec::with_capacity(inputs.len());
    for input in inputs {
        match parse(&input.bytes) {
            Ok(records) => all.push(records),
            Err(p) => {
                report(err, &input.name, &p)?;
                writeln!(
                    err,
                    "plumlogs parse: stopped at the first bad line; --lenient skips bad lines and goes on"
                )?;
                return Err(Fail::Silent(2));
            }
        }
    }
    let mut sink = Sink::new(format, io::BufWriter::new(out));
    for r in all.iter().flatten() {
        sink.push(r)?;
    }
    sink.finish()?;
    Ok(())
}
