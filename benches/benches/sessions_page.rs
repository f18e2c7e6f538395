//! Decoding a 10,000-line `calls/sessions` page and parsing every record, JSON and
//! XML, against parsing the same lines as plain text (the baseline, same run).
//!
//! The page is realistic: calls of every kind, `local` lines (some with URLs, whose
//! `\/` outside the timestamp must be unescaped), e-mail DNIS, offsets -0500 and
//! -0400; built with the records' `Display` and encoded by `plumlogs::encode`.
//!
//! `cargo bench -p plumlogs-benches --bench sessions_page -- sessions_page`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plumlogs::encode::encode_lines;
use plumlogs::{Service, Wire, decode_lines, parse_sessions};
use plumlogs_benches::session_corpus;
use std::hint::black_box;

const LINES: usize = 10_000;

/// Touch every record so that nothing is optimised away.
#[inline(always)]
fn fold<'a, R: 'a>(records: impl Iterator<Item = Result<plumlogs::SessionRecord<'a>, R>>) -> u64 {
    let mut acc = 0u64;
    for rec in records {
        let Ok(rec) = rec else {
            panic!("the corpus is valid")
        };
        acc = acc
            .wrapping_add(rec.channel as u64 + rec.dnis.len() as u64 + rec.timestamp.second as u64);
    }
    acc
}

fn sessions_page(c: &mut Criterion) {
    let text = session_corpus(LINES, 42);
    let records = parse_sessions(&text).expect("the corpus is valid");
    assert_eq!(records.len(), LINES);
    let json = encode_lines(Wire::Json, Service::Sessions, LINES, &records);
    let xml = encode_lines(Wire::Xml, Service::Sessions, LINES, &records);

    let mut g = c.benchmark_group("sessions_page");
    g.throughput(Throughput::Elements(LINES as u64));
    g.bench_function("plain_lines", |b| {
        b.iter(|| fold(plumlogs::sessions(black_box(text.as_bytes()))))
    });
    g.bench_function("json", |b| {
        b.iter(|| {
            let page = decode_lines(black_box(&json), Service::Sessions).unwrap();
            fold(page.sessions())
        })
    });
    g.bench_function("xml", |b| {
        b.iter(|| {
            let page = decode_lines(black_box(&xml), Service::Sessions).unwrap();
            fold(page.sessions())
        })
    });
    g.finish();
}

criterion_group!(benches, sessions_page);
criterion_main!(benches);
