//! The borrowed path allocates nothing per record: counted with a global allocator.
//! (A `#[global_allocator]` is per binary, hence a test file of its own.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

// Per thread: the test harness runs other tests (which allocate) on other threads.
thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: the allocator can be called while a thread's locals are torn down.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System`, which upholds `GlobalAlloc`'s contract;
// the counting beside it never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's layout and pointer are passed to `System` unchanged, under the same contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's layout and pointer are passed to `System` unchanged, under the same contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: the caller's layout and pointer are passed to `System` unchanged, under the same contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (out, ALLOCATIONS.with(Cell::get) - before)
}

/// Ten thousand lines of every shape, built before counting starts.
fn corpus() -> String {
    let lines = [
        "outbound 12125551234 26 [03/Nov/2017:00:10:42 -0500] test@login.com 300024;026;1509673023 1509682242 1509682255 00:00:13",
        "inbound 7185551234 3 [03\\/Nov\\/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
        "local 6175551234 1 [03/Nov/2017:18:11:07 -0400] 8009957586 400050;001;1509747051 fetchurl: http://apps.example.com/start.vxml",
        "local 6175551234 1 [03/Nov/2017:18:11:09 -0400] 8009957586 400050;001;1509747051 menu:  caller chose [2]",
        "transfer 6175551234\t2 [03/Nov/2017:18:11:07 -0400]  8009957586 400050;002;1509747051 1509747067 1509747180 100:01:53\r",
    ];
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(lines[i % lines.len()]);
        text.push('\n');
    }
    text
}

#[test]
fn strict_bulk_parse_of_10k_session_lines_allocates_nothing_per_record() {
    let text = corpus();
    let (count, allocations) = allocations_during(|| {
        let mut count = 0usize;
        for record in plumlogs::sessions(&text) {
            let record = record.expect("corpus is valid");
            std::hint::black_box(&record);
            count += 1;
        }
        count
    });
    assert_eq!(count, 10_000);
    assert_eq!(allocations, 0, "the borrowed path allocated");

    // Collecting into a Vec allocates for the Vec only: a few doublings, not one per record.
    let (records, allocations) = allocations_during(|| plumlogs::parse_sessions(&text).unwrap());
    assert_eq!(records.len(), 10_000);
    assert!(
        allocations <= 20,
        "{allocations} allocations for 10k records"
    );
}

#[test]
fn error_lines_and_call_logs_allocate_nothing_per_record() {
    let line = "error 7185551234 1 [20/Nov/2016:21:28:46 -0400] 8009957586 100037;001;1479692314 errno: 210 message Maximum loop count exceeded\n";
    let text = line.repeat(10_000);
    let (count, allocations) = allocations_during(|| {
        plumlogs::errors(&text)
            .map(|r| r.unwrap().channel as usize)
            .sum::<usize>()
    });
    assert_eq!(count, 10_000);
    assert_eq!(allocations, 0);

    let entry = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: answered\n  with a second line\n";
    let text = entry.repeat(10_000);
    let (count, allocations) = allocations_during(|| {
        let mut count = 0;
        for entry in plumlogs::CallLogEntries::new(&text) {
            assert_eq!(entry.unwrap().message, "answered\n  with a second line");
            count += 1;
        }
        count
    });
    assert_eq!(count, 10_000);
    // With `\n` line ends even a multi-line message is a slice of the text.
    assert_eq!(allocations, 0);
}
