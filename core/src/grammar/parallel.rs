//! Whole texts on several threads: the text is cut at line ends into chunks, one
//! worker per core parses them (taking the next chunk as it finishes one), and
//! each chunk's records go into a sink of the caller's own type — so the bindings
//! write their own column layouts directly, with no copy in between.
//!
//! Line numbers and offsets are rebased to the whole text, so problems read
//! exactly as in a sequential parse: strict mode reports the first bad line of the
//! text, lenient mode every bad line in order. A UTF-8 byte-order mark at the start
//! of the text is skipped (offsets still count it). Call-log texts are cut only
//! before a line that starts an entry, so no entry is split.

use super::call_log::{CallLogEntries, CallLogEntry, starts_entry};
use super::error::ParseError;
use super::error_line::ErrorRecord;
use super::lines::{LineSplitter, strip_bom};
use super::session::SessionRecord;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The three text formats of the line grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Session log lines (`calls/sessions`).
    Sessions,
    /// Error log lines (`calls/errors`).
    Errors,
    /// Call-log text (`calls/log`): entries with continuation lines.
    CallLog,
}

impl Format {
    /// The format's name: `sessions`, `errors` or `call_log`.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Sessions => "sessions",
            Format::Errors => "errors",
            Format::CallLog => "call_log",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A record type of one of the formats, as the chunked parse reads it.
pub trait TextRecord<'a>: Sized {
    /// The format whose records these are.
    const FORMAT: Format;
    /// The records of a piece of a text.
    type Records: Iterator<Item = Result<Self, ParseError>>;
    /// The records of `piece`, a stretch of a text starting at a line start (no
    /// byte-order mark is looked for); positions are relative to the piece.
    fn records(piece: &'a [u8]) -> Self::Records;
    /// Whether a chunk may start at a line that begins with `line`.
    fn may_start_chunk(line: &[u8]) -> bool;
}

impl<'a> TextRecord<'a> for SessionRecord<'a> {
    const FORMAT: Format = Format::Sessions;
    type Records = super::bulk::Records<'a, SessionRecord<'a>>;
    fn records(piece: &'a [u8]) -> Self::Records {
        super::bulk::Records::new(LineSplitter::piece(piece))
    }
    fn may_start_chunk(_: &[u8]) -> bool {
        true
    }
}

impl<'a> TextRecord<'a> for ErrorRecord<'a> {
    const FORMAT: Format = Format::Errors;
    type Records = super::bulk::Records<'a, ErrorRecord<'a>>;
    fn records(piece: &'a [u8]) -> Self::Records {
        super::bulk::Records::new(LineSplitter::piece(piece))
    }
    fn may_start_chunk(_: &[u8]) -> bool {
        true
    }
}

impl<'a> TextRecord<'a> for CallLogEntry<'a> {
    const FORMAT: Format = Format::CallLog;
    type Records = CallLogEntries<'a>;
    fn records(piece: &'a [u8]) -> Self::Records {
        CallLogEntries::piece(piece)
    }
    fn may_start_chunk(line: &[u8]) -> bool {
        starts_entry(line)
    }
}

/// How a text is cut and how many threads parse it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunking {
    /// Threads, the calling one included (1 = parse on the calling thread only).
    pub workers: usize,
    /// Texts shorter than this are parsed on the calling thread, as one chunk.
    pub min_bytes: usize,
    /// Chunks per worker: workers take the next chunk as they finish one, so on a
    /// shared machine a worker whose core is taken away holds the others up by one
    /// small chunk, not by a whole share of the text.
    pub chunks_per_worker: usize,
}

impl Default for Chunking {
    /// One worker per core (at most 8), texts of 4 MiB or more, 4 chunks per worker.
    fn default() -> Self {
        Chunking {
            workers: std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(8),
            min_bytes: 4 << 20,
            chunks_per_worker: 4,
        }
    }
}

impl Chunking {
    /// `workers` threads for any text of at least one byte (for tests and benches).
    pub fn with_workers(workers: usize) -> Self {
        Chunking {
            workers: workers.max(1),
            min_bytes: 1,
            chunks_per_worker: Chunking::default().chunks_per_worker,
        }
    }
}

/// A piece of the text as a sink is made for it.
#[derive(Clone, Copy, Debug)]
pub struct Piece<'a> {
    /// The piece's bytes (whole lines).
    pub text: &'a [u8],
    /// Byte offset of the piece in the whole text.
    pub start: usize,
    /// How many lines it holds at most (line ends + 1): room for that many records.
    pub lines: usize,
}

/// The outcome of a chunked parse: one sink per chunk in text order, and the
/// problems with whole-text positions (strict mode: at most one, the first).
#[derive(Debug)]
pub struct Chunked<S> {
    /// The sinks, in text order. In strict mode with a problem, only the chunks up
    /// to and including the one that holds it.
    pub parts: Vec<S>,
    /// Every problem (lenient), or the first one (strict), in text order.
    pub problems: Vec<ParseError>,
}

impl<S> Chunked<S> {
    /// The first problem, if any: the error of a strict parse.
    pub fn first_problem(&self) -> Option<&ParseError> {
        self.problems.first()
    }
}

/// What one worker made of one chunk.
struct Done<S> {
    index: usize,
    sink: S,
    problems: Vec<ParseError>,
}

/// Chunk boundaries: byte offsets, first the start of the text (past a BOM), last
/// its end, each other one just after a `\n` and before a line that may start a
/// chunk.
fn bounds(text: &[u8], pieces: usize, may_start: fn(&[u8]) -> bool) -> Vec<usize> {
    let first = text.len() - strip_bom(text).len();
    let mut bounds = vec![first];
    for k in 1..pieces {
        let mut at = (text.len() * k / pieces).max(*bounds.last().unwrap_or(&first));
        loop {
            match memchr::memchr(b'\n', &text[at..]) {
                Some(n) if at + n + 1 < text.len() => {
                    at += n + 1;
                    if may_start(&text[at..]) {
                        bounds.push(at);
                        break;
                    }
                }
                _ => {
                    at = text.len();
                    break;
                }
            }
        }
        if at >= text.len() {
            break;
        }
    }
    bounds.push(text.len());
    bounds.dedup();
    bounds
}

/// Parse `text` in chunks on `chunking.workers` threads: for each chunk, `new_sink`
/// makes a sink and `push` adds each good record to it. Strict mode stops at the
/// first bad line of the text (chunks after it are not parsed, or are dropped).
pub fn parse_chunked<'a, R, S, N, P>(
    text: &'a [u8],
    strict: bool,
    chunking: &Chunking,
    new_sink: N,
    push: P,
) -> Chunked<S>
where
    R: TextRecord<'a>,
    S: Send,
    N: Fn(Piece<'a>) -> S + Sync,
    P: Fn(&mut S, R) + Sync,
{
    let workers = if text.len() < chunking.min_bytes {
        1
    } else {
        chunking.workers.max(1)
    };
    let pieces = if workers == 1 {
        1
    } else {
        workers * chunking.chunks_per_worker.max(1)
    };
    let bounds = bounds(text, pieces, R::may_start_chunk);
    let chunks = bounds.len() - 1;
    let next = AtomicUsize::new(0);
    // Strict mode: chunks after one with a bad line cannot matter.
    let first_bad = AtomicUsize::new(usize::MAX);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= chunks || k > first_bad.load(Ordering::Relaxed) {
                return done;
            }
            let (start, end) = (bounds[k], bounds[k + 1]);
            let piece = &text[start..end];
            let lines = memchr::memchr_iter(b'\n', piece).count() + 1;
            let mut sink = new_sink(Piece {
                text: piece,
                start,
                lines,
            });
            let mut problems = Vec::new();
            for item in R::records(piece) {
                match item {
                    Ok(r) => push(&mut sink, r),
                    Err(e) => {
                        problems.push(e);
                        if strict {
                            first_bad.fetch_min(k, Ordering::Relaxed);
                            break;
                        }
                    }
                }
            }
            done.push(Done {
                index: k,
                sink,
                problems,
            });
        }
    };
    let mut done: Vec<Done<S>> = if workers == 1 || chunks == 1 {
        work()
    } else {
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..workers.min(chunks))
                .map(|_| scope.spawn(work))
                .collect();
            let mut done = work();
            for h in helpers {
                // A panic in a worker is one here, as it would be on one thread.
                done.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            }
            done
        })
    };
    done.sort_unstable_by_key(|d| d.index);
    let mut parts = Vec::with_capacity(done.len());
    let mut problems = Vec::new();
    // Line ends before the current chunk: its line 1 is line `line_base + 1`.
    let mut line_base = 0;
    let mut counted_to = 0;
    for (k, d) in done.into_iter().enumerate() {
        // In strict mode chunks after the first bad one may be missing: stop there.
        if d.index != k {
            break;
        }
        if !d.problems.is_empty() {
            line_base += memchr::memchr_iter(b'\n', &text[counted_to..bounds[k]]).count();
            counted_to = bounds[k];
        }
        parts.push(d.sink);
        for mut p in d.problems {
            p.line += line_base;
            p.offset += bounds[k];
            problems.push(p);
        }
        if strict && !problems.is_empty() {
            problems.truncate(1);
            break;
        }
    }
    Chunked { parts, problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_fall_after_line_ends_and_before_entries() {
        let text = b"a\nbb\nccc\ndddd\n";
        let b = bounds(text, 4, |_| true);
        assert_eq!(b.first(), Some(&0));
        assert_eq!(b.last(), Some(&text.len()));
        for w in b.windows(2) {
            assert!(w[0] < w[1]);
        }
        for &x in &b[1..b.len() - 1] {
            assert_eq!(text[x - 1], b'\n');
        }
        // A predicate no line meets: one chunk.
        assert_eq!(bounds(text, 4, |_| false), vec![0, text.len()]);
        // A BOM is skipped at the start.
        assert_eq!(bounds(b"\xEF\xBB\xBFa\n", 1, |_| true), vec![3, 5]);
    }
}
