//! Session-line parsing against two baselines measured in the same run:
//! a `regex` parser extracting the same fields, and a `memchr` newline count (the
//! floor: what merely finding the lines costs).
//!
//! `cargo bench --workspace -- session_lines`
//!
//! Also `error_lines`, `call_log_text` and `call_log_heads` (the call-log grammar on
//! entry heads alone); `parallel_parse`: core's chunked parse on one worker and on two
//! (interleaved in one process with `PLUMLOGS_PAR_ROUNDS=N`, see
//! `interleaved_parallel`); and single passes for instruction counts
//! (`PLUMLOGS_AB_ONLY=new|none`, see `single_pass`). To compare the grammar with an
//! older commit's, run both builds' binaries interleaved with `benches/ab/`.

use criterion::{Criterion, Throughput, criterion_group};
use plumlogs::lines::LineSplitter;
use plumlogs_benches::{call_log_corpus, error_corpus, session_corpus};
use regex::bytes::Regex;
use std::hint::black_box;

/// What a careful user would write with `regex`: same fields, numbers parsed,
/// month looked up, no allocation per field (captures borrow the input).
struct RegexBaseline {
    call: Regex,
    local: Regex,
}

/// What the regex baseline extracts: every field, as the real parser does; the bench
/// only `black_box`es the whole struct, so some fields are never read back.
#[derive(Default)]
#[allow(dead_code)]
struct Fields<'a> {
    kind: &'a [u8],
    ani: &'a [u8],
    channel: u32,
    ts: (u32, u32, u32, u32, u32, u32, i32),
    dnis: &'a [u8],
    sid: &'a [u8],
    start: i64,
    end: i64,
    duration: u64,
    label: &'a [u8],
    message: &'a [u8],
}

fn num<T: std::str::FromStr>(b: &[u8]) -> T
where
    T::Err: std::fmt::Debug,
{
    std::str::from_utf8(b).unwrap().parse().unwrap()
}

impl RegexBaseline {
    fn new() -> Self {
        let head = r"^([a-z]+)[ \t]+(\S+)[ \t]+(\d+)[ \t]+\[(\d{2})\\?/([A-Z][a-z]{2})\\?/(\d{4}):(\d{2}):(\d{2}):(\d{2})[ \t]+([+-]\d{4})\][ \t]+(\S+)[ \t]+(\S+;\d+;\d+)[ \t]+";
        RegexBaseline {
            call: Regex::new(&format!(
                r"{head}(\d+)[ \t]+(\d+)[ \t]+(\d+):(\d{{2}}):(\d{{2}})[ \t]*$"
            ))
            .unwrap(),
            local: Regex::new(&format!(r"{head}([^:\s]*):[ \t]*(.*)$")).unwrap(),
        }
    }

    fn parse<'a>(&self, line: &'a [u8]) -> Option<Fields<'a>> {
        let (c, is_call) = match self.call.captures(line) {
            Some(c) => (c, true),
            None => (self.local.captures(line)?, false),
        };
        let g = |i: usize| c.get(i).map(|m| m.as_bytes()).unwrap_or(b"");
        // The baseline's own month lookup (not core's: it stands for a parser
        // written without plumlogs).
        let month = b"JanFebMarAprMayJunJulAugSepOctNovDec"
            .chunks(3)
            .position(|m| m == g(5))? as u32
            + 1;
        let mut f = Fields {
            kind: g(1),
            ani: g(2),
            channel: num(g(3)),
            ts: (
                num(g(4)),
                month,
                num(g(6)),
                num(g(7)),
                num(g(8)),
                num(g(9)),
                num::<i32>(g(10)),
            ),
            dnis: g(11),
            sid: g(12),
            ..Default::default()
        };
        if is_call {
            f.start = num(g(13));
            f.end = num(g(14));
            f.duration = num::<u64>(g(15)) * 3600 + num::<u64>(g(16)) * 60 + num::<u64>(g(17));
        } else {
            f.label = g(13);
            f.message = g(14);
        }
        Some(f)
    }
}

fn session_lines(c: &mut Criterion) {
    let corpus = session_corpus(200_000, 7);
    let bytes = corpus.as_bytes();
    let baseline = RegexBaseline::new();
    // The baseline must read the same corpus the same way before it is worth timing.
    let parsed = plumlogs::parse_sessions(bytes).expect("corpus parses");
    assert_eq!(parsed.len(), 200_000);
    for (line, rec) in corpus.lines().zip(&parsed).take(2000) {
        let f = baseline
            .parse(line.as_bytes())
            .expect("baseline parses corpus");
        assert_eq!(f.kind, rec.kind.as_bytes());
        assert_eq!(f.sid, rec.session_id.as_str().as_bytes());
        assert_eq!(f.ts.1, u32::from(rec.timestamp.month));
        assert_eq!(f.duration, rec.duration().unwrap_or(0));
    }

    let mut g = c.benchmark_group("session_lines");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("plumlogs", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for rec in plumlogs::sessions(black_box(bytes)) {
                let rec = rec.unwrap();
                n += rec.channel as usize;
                black_box(&rec);
            }
            n
        })
    });
    g.bench_function("regex_baseline", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for line in memchr::memchr_iter(b'\n', black_box(bytes)).scan(0usize, |start, end| {
                let l = &bytes[*start..end];
                *start = end + 1;
                Some(l)
            }) {
                let f = baseline.parse(line).unwrap();
                n += f.channel as usize;
                black_box(&f);
            }
            n
        })
    });
    g.bench_function("memchr_newlines", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', black_box(bytes)).count())
    });
    g.finish();
}

fn error_lines(c: &mut Criterion) {
    let corpus = error_corpus(100_000, 11);
    let bytes = corpus.as_bytes();
    assert_eq!(plumlogs::parse_errors(bytes).unwrap().len(), 100_000);
    let mut g = c.benchmark_group("error_lines");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("plumlogs", |b| {
        b.iter(|| {
            plumlogs::errors(black_box(bytes))
                .map(|r| r.unwrap().channel as usize)
                .sum::<usize>()
        })
    });
    g.finish();
}

/// Every non-blank line of `text` parsed by `parse` (a line grammar), over core's
/// line splitter; returns the count, each record `black_box`ed. Never inlined, so a
/// profile can collect just this (`valgrind --tool=callgrind
/// --toggle-collect='*parse_lines*'` on a single pass).
#[inline(never)]
fn parse_lines<'a, T>(
    text: &'a [u8],
    parse: fn(&'a [u8]) -> Result<T, plumlogs::LineError>,
) -> usize {
    let mut n = 0usize;
    for line in LineSplitter::new(black_box(text)) {
        if line.bytes.is_empty() {
            continue;
        }
        black_box(parse(line.bytes).unwrap());
        n += 1;
    }
    n
}

/// The call-log corpus's entry heads alone (continuation lines dropped), one per
/// entry: where the call-log grammar works.
fn call_log_heads(corpus: &str) -> String {
    let heads: String = corpus
        .lines()
        .filter(|l| plumlogs::parse_call_log_line(l.as_bytes()).is_ok())
        .flat_map(|l| [l, "\n"])
        .collect();
    let entries = plumlogs::parse_call_log(corpus.as_bytes()).unwrap().len();
    assert_eq!(heads.lines().count(), entries, "one head per entry");
    heads
}

fn call_log_text(c: &mut Criterion) {
    let corpus = call_log_corpus(100_000, 13);
    let bytes = corpus.as_bytes();
    assert_eq!(plumlogs::parse_call_log(bytes).unwrap().len(), 100_000);
    let mut g = c.benchmark_group("call_log_text");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("plumlogs", |b| {
        b.iter(|| {
            plumlogs::CallLogEntries::new(black_box(bytes))
                .map(|r| r.unwrap().message.len())
                .sum::<usize>()
        })
    });
    g.finish();
    let heads = call_log_heads(&corpus);
    let mut g = c.benchmark_group("call_log_heads");
    g.throughput(Throughput::Bytes(heads.len() as u64));
    g.bench_function("plumlogs", |b| {
        b.iter(|| parse_lines(heads.as_bytes(), plumlogs::parse_call_log_line))
    });
    g.finish();
}

/// Core's chunked parse of `bytes` on `workers` threads (default chunking); the sink
/// sums a field, as a column writer touches every record.
fn chunked_parse(bytes: &[u8], workers: usize) -> usize {
    let chunking = plumlogs::Chunking {
        workers,
        ..plumlogs::Chunking::default()
    };
    let done = plumlogs::parse_chunked::<plumlogs::SessionRecord<'_>, usize, _, _>(
        bytes,
        true,
        &chunking,
        |_| 0,
        |n, r| *n += r.channel as usize + r.kind.len(),
    );
    assert!(done.problems.is_empty());
    done.parts.iter().sum::<usize>()
}

/// Core's chunked parse with one worker and with two, in the same run: what a second
/// core buys (issue 18 wants >= 1.8x). The sink sums a field, as a column writer
/// touches every record; `taskset -c 0,1` keeps it to two cores.
fn parallel_parse(c: &mut Criterion) {
    let corpus = session_corpus(400_000, 17);
    let bytes = corpus.as_bytes();
    let mut g = c.benchmark_group("parallel_parse");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    for workers in [1, 2] {
        g.bench_function(format!("workers_{workers}"), |b| {
            b.iter(|| chunked_parse(black_box(bytes), workers))
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    session_lines,
    error_lines,
    call_log_text,
    parallel_parse
);

/// One pass of core's line grammar over one corpus, for instruction counts under
/// `valgrind --tool=cachegrind`: `PLUMLOGS_AB_ONLY=new` parses, `PLUMLOGS_AB_ONLY=none`
/// only builds the corpora (subtract its count); `PLUMLOGS_AB_CASE=session_lines|
/// error_lines|call_log_heads` picks one corpus (default: all three). The old side of
/// this A/B (a copy of an earlier grammar) is gone: run an old commit's binary
/// against this one with `benches/ab/` instead.
fn single_pass() -> bool {
    let removed = "the in-tree copy of the old grammar was removed: \
                   A/B an old commit's build against this one with benches/ab/";
    if std::env::var_os("PLUMLOGS_AB_ROUNDS").is_some() {
        eprintln!("PLUMLOGS_AB_ROUNDS: {removed}");
        std::process::exit(2);
    }
    let Ok(only) = std::env::var("PLUMLOGS_AB_ONLY") else {
        return false;
    };
    let parse = match only.as_str() {
        "new" => true,
        "none" => false,
        "old" => {
            eprintln!("PLUMLOGS_AB_ONLY=old: {removed}");
            std::process::exit(2);
        }
        other => {
            eprintln!("PLUMLOGS_AB_ONLY={other:?}: expected new or none");
            std::process::exit(2);
        }
    };
    let case = std::env::var("PLUMLOGS_AB_CASE").ok();
    let names = ["session_lines", "error_lines", "call_log_heads"];
    if let Some(c) = case.as_deref().filter(|c| !names.contains(c)) {
        eprintln!("PLUMLOGS_AB_CASE={c:?}: expected one of {names:?}");
        std::process::exit(2);
    }
    let sessions = session_corpus(200_000, 7);
    let errors = error_corpus(100_000, 11);
    let heads = call_log_heads(&call_log_corpus(100_000, 13));
    for name in names {
        if case.as_deref().is_some_and(|c| c != name) {
            continue;
        }
        let n = match (parse, name) {
            (false, _) => 0, // the corpora only: what both counts share
            (true, "session_lines") => {
                parse_lines(sessions.as_bytes(), plumlogs::parse_session_line)
            }
            (true, "error_lines") => parse_lines(errors.as_bytes(), plumlogs::parse_error_line),
            (true, _) => parse_lines(heads.as_bytes(), plumlogs::parse_call_log_line),
        };
        println!("{name}: {only} parsed {n} lines");
    }
    true
}

/// One worker against two, interleaved: `PLUMLOGS_PAR_ROUNDS=N` rounds, each timing
/// core's chunked parse of the same 400,000 session lines with one worker and then
/// with two; prints the median of the per-round speed-ups (one worker's time over
/// two workers'), with quartiles, so a change of load on a shared machine hits both
/// sides of a round alike. `taskset -c 0,1` keeps it to two cores.
fn interleaved_parallel() -> bool {
    let rounds: usize = match std::env::var("PLUMLOGS_PAR_ROUNDS") {
        Ok(n) => n.parse().expect("PLUMLOGS_PAR_ROUNDS is a count"),
        Err(_) => return false,
    };
    assert!(
        (1..=1000).contains(&rounds),
        "PLUMLOGS_PAR_ROUNDS: 1..=1000"
    );
    let corpus = session_corpus(400_000, 17);
    let bytes = corpus.as_bytes();
    let parse = |workers: usize| {
        let cpu = cpu_seconds();
        let t = std::time::Instant::now();
        black_box(chunked_parse(black_box(bytes), workers));
        let wall = t.elapsed().as_secs_f64();
        (wall, cpu.zip(cpu_seconds()).map(|(a, b)| b - a))
    };
    let mut speedups = Vec::with_capacity(rounds);
    let (mut cpu_one, mut cpu_two) = (0.0, 0.0);
    for _ in 0..rounds {
        let (one, c1) = parse(1);
        let (two, c2) = parse(2);
        speedups.push(one / two);
        cpu_one += c1.unwrap_or(f64::NAN);
        cpu_two += c2.unwrap_or(f64::NAN);
    }
    speedups.sort_by(f64::total_cmp);
    // The work the split adds: CPU time of every thread, two workers over one
    // (1.00 = none; a wall-clock speed-up below 2 with this near 1 means the second
    // core was not free, not that the parse did extra work).
    println!(
        "parallel_parse: CPU time of the process, workers_2 / workers_1, summed over the rounds: {:.3}",
        cpu_two / cpu_one
    );
    println!(
        "parallel_parse: workers_1 / workers_2 time, median of {rounds} interleaved rounds: {:.3} (quartiles {:.3}..{:.3}, min {:.3}, max {:.3})",
        speedups[rounds / 2],
        speedups[rounds / 4],
        speedups[rounds * 3 / 4],
        speedups[0],
        speedups[rounds - 1]
    );
    true
}

/// CPU time of the whole process (every thread), from `/proc/self/stat` (Linux; clock
/// ticks of 10 ms: sum enough work); `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the `(comm)`: state is field 3, utime and stime fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    if single_pass() || interleaved_parallel() {
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
