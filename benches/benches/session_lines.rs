//! Session-line parsing against two baselines measured in the same run:
//! a `regex` parser extracting the same fields, and a `memchr` newline count (the
//! floor: what merely finding the lines costs).
//!
//! `cargo bench --workspace -- session_lines`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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
        let month = match g(5) {
            b"Jan" => 1,
            b"Feb" => 2,
            b"Mar" => 3,
            b"Apr" => 4,
            b"May" => 5,
            b"Jun" => 6,
            b"Jul" => 7,
            b"Aug" => 8,
            b"Sep" => 9,
            b"Oct" => 10,
            b"Nov" => 11,
            b"Dec" => 12,
            _ => return None,
        };
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
}

criterion_group!(benches, session_lines, error_lines, call_log_text);
criterion_main!(benches);
