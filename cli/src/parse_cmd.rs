//! `plumlogs parse sessions|errors|calllog [FILE|-]...`: log text into records,
//! with core's parsers. Strict: all or nothing, the first bad line fails the run
//! (exit 2) and nothing is printed. Lenient: every good record is printed, every bad
//! line is reported on stderr, and the run goes on.

use crate::OutputArgs;
use crate::columns;
use crate::fail::Fail;
use crate::output::{Format, Layout, Sink};
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
    // Core keeps a bounded excerpt of the bad line: a 100 MB line gives one short
    // line of stderr, with the line's full length when it was cut.
    write!(
        err,
        "{name}:{}:{}: {} [{}]: {:?}",
        p.line,
        p.column,
        p.reason(),
        p.kind.code(),
        p.input
    )?;
    if p.is_excerpt() {
        write!(err, " ({} bytes)", p.input_len)?;
    }
    writeln!(err)
}

/// What `parse` refuses to read as log lines: JSON, which is what the CLI writes
/// with `-o jsonl`/`-o json` (records, not the lines they came from). `None` when the
/// first non-blank byte of the input is not `{` or `[` (a UTF-8 BOM is skipped).
fn json_instead_of_lines(input: &Input) -> Option<String> {
    let bytes = input
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&input.bytes);
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    if !matches!(bytes[first], b'{' | b'[') {
        return None;
    }
    let line = bytes[..first].iter().filter(|b| **b == b'\n').count() + 1;
    Some(format!(
        "{}:{line}: this is JSON (records as `plumlogs … -o jsonl` or `-o json` writes them), \
         not log lines: `parse` reads the lines themselves. The records are already parsed; \
         to get lines from the service use `plumlogs sessions --raw` or `plumlogs errors --raw`",
        input.name
    ))
}

pub fn run(kind: Kind, files: &[PathBuf], lenient: bool, out: &OutputArgs) -> Result<(), Fail> {
    let (format, layout) = out.layout(match kind {
        Kind::Sessions => columns::sessions(),
        Kind::Errors => columns::errors(),
        Kind::Calllog => columns::log_entries(),
    })?;
    let inputs = read_inputs(files)?;
    if let Some(m) = inputs.iter().find_map(json_instead_of_lines) {
        return Err(Fail::Usage(m));
    }
    let stdout = io::stdout().lock();
    // Buffered: a file of bad lines is one report line each.
    let mut err = io::BufWriter::new(io::stderr().lock());
    if lenient {
        let mut sink = Sink::new(format, layout, io::BufWriter::new(stdout));
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
        Kind::Sessions => strict(&inputs, format, layout, stdout, &mut err, |b| {
            plumlogs::parse_sessions(b)
        }),
        Kind::Errors => strict(&inputs, format, layout, stdout, &mut err, |b| {
            plumlogs::parse_errors(b)
        }),
        Kind::Calllog => strict(&inputs, format, layout, stdout, &mut err, |b| {
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
    layout: Layout,
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
    let mut sink = Sink::new(format, layout, io::BufWriter::new(out));
    for r in all.iter().flatten() {
        sink.push(r)?;
    }
    sink.finish()?;
    Ok(())
}
