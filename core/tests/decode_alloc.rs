//! Zero copy, measured: a counting global allocator (its own test binary, since a
//! `#[global_allocator]` is per binary) shows that decoding a 10,000-item sessions
//! page and parsing every record allocates a constant number of times per page,
//! none per record, when the JSON items' only escapes are the timestamps' `\/`.

use plumlogs::encode::encode_lines;
use plumlogs::{Service, SessionDetail, SessionId, SessionRecord, Timestamp, Wire, decode_lines};
use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Only the measuring thread counts: the test harness may allocate elsewhere.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System`, which upholds `GlobalAlloc`'s contract;
// the counting beside it never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's layout and pointer are passed to `System` unchanged, under the same contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's layout and pointer are passed to `System` unchanged, under the same contract.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: the caller's layout and pointer are passed to `System` unchanged, under the same contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's layout and pointer are passed to `System` unchanged, under the same contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (ALLOCATIONS.load(Ordering::Relaxed), r)
}

/// `n` records of every shape, without `/`, `"` or `\` outside the timestamp, so that
/// the JSON body's only escapes are the timestamps' `\/`: calls of every kind,
/// e-mail DNIS, `local` tag lines, offsets -0500 and -0400.
fn records(n: usize) -> Vec<SessionRecord<'static>> {
    let kinds = ["inbound", "outbound", "transfer", "local"];
    (0..n)
        .map(|i| {
            let kind = kinds[i % 4];
            let t = 1_509_673_023 + i as i64 * 7;
            let offset = if i % 3 == 0 { -300 } else { -240 };
            let channel = (i % 48) as u32;
            SessionRecord {
                kind: Cow::Borrowed(kind),
                ani: Cow::Owned(format!("{}", 2_125_550_000 + i)),
                channel,
                timestamp: Timestamp::from_unix(t, offset),
                dnis: if kind == "outbound" {
                    Cow::Borrowed("test@login.com")
                } else {
                    Cow::Borrowed("6177123000")
                },
                session_id: SessionId(Cow::Owned(format!(
                    "{:06};{channel:03};{t}",
                    300_000 + i % 1000
                ))),
                detail: if kind == "local" {
                    SessionDetail::Tag {
                        label: Cow::Borrowed("menu"),
                        message: Cow::Owned(format!("caller chose option {} [attempt 1]", i % 9)),
                    }
                } else {
                    SessionDetail::Call {
                        start: t + 3,
                        end: t + 3 + (i % 600) as i64,
                        duration: (i % 600) as u64,
                    }
                },
            }
        })
        .collect()
}

#[test]
fn a_json_sessions_page_allocates_per_page_not_per_record() {
    const N: usize = 10_000;
    let recs = records(N);
    let json = encode_lines(Wire::Json, Service::Sessions, N, &recs);
    assert!(
        json.windows(2).any(|w| w == b"\\/"),
        "the page has `\\/` escapes"
    );
    let xml = encode_lines(Wire::Xml, Service::Sessions, N, &recs);

    for (wire, body, limit) in [(Wire::Json, &json, 20), (Wire::Xml, &xml, 20)] {
        let (count, (parsed, minutes)) = allocations(|| {
            let page = decode_lines(body, Service::Sessions).expect("decodes");
            let mut parsed = 0usize;
            let mut minutes = 0i64;
            for rec in page.sessions() {
                let rec = rec.expect("parses");
                minutes += rec.timestamp.minute as i64 + rec.dnis.len() as i64;
                parsed += 1;
            }
            (parsed, minutes)
        });
        assert_eq!(parsed, N);
        assert!(minutes > 0);
        eprintln!("{wire:?}: {count} allocations for {N} records");
        assert!(
            count < limit,
            "{wire:?}: {count} allocations for a page of {N}"
        );
    }

    // The records are equal to the ones encoded (checked outside the count).
    let page = decode_lines(&json, Service::Sessions).unwrap();
    assert!(page.items.iter().all(|i| matches!(i, Cow::Borrowed(_))));
    let back: Vec<_> = page.sessions().collect::<Result<_, _>>().unwrap();
    assert_eq!(back, recs);

    // Whole-page records (what decode_response returns): one more Vec, still O(1).
    let (count, records) = allocations(|| {
        decode_lines(&json, Service::Sessions)
            .unwrap()
            .into_sessions()
            .unwrap()
    });
    assert_eq!(records.len(), N);
    eprintln!("Json into_sessions: {count} allocations for {N} records");
    assert!(count < 20, "{count}");
}
