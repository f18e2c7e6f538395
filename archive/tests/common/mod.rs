//! Shared by the archive's tests: an emulator with a fixed clock, a client pinned to
//! it, and the dataset read back.
#![allow(dead_code)]

use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use plumlogs::Client;
use plumlogs_emulator::{Emulator, EmulatorConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// 2026-05-28T20:26:40Z.
pub const T: i64 = 1_780_000_000;
pub const DAY: i64 = 86_400;

pub struct Env {
    pub emu: Emulator,
    pub clock: Arc<AtomicI64>,
}

impl Env {
    pub fn new(calls_per_day: u32, now: i64) -> Env {
        let emu = Emulator::start(EmulatorConfig {
            calls_per_day,
            clock: Some(now),
            ..Default::default()
        })
        .unwrap();
        Env {
            emu,
            clock: Arc::new(AtomicI64::new(now)),
        }
    }

    /// Move both clocks.
    pub fn set_now(&self, now: i64) {
        self.emu.set_clock(Some(now));
        self.clock.store(now, Ordering::SeqCst);
    }

    pub fn client(&self) -> Client {
        client_for(self.emu.base_url(), self.clock.clone())
    }
}

pub fn client_for(base_url: &str, clock: Arc<AtomicI64>) -> Client {
    Client::builder()
        .base_url(base_url)
        .username(plumlogs_emulator::DEFAULT_USERNAME)
        .password(plumlogs_emulator::DEFAULT_PASSWORD)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .max_retries(3)
        .timeout(Duration::from_secs(20))
        .clock(move || clock.load(Ordering::SeqCst))
        .build()
        .unwrap()
}

pub fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "plumlogs-archive-{name}-{}-{}",
        std::process::id(),
        fastrand_suffix()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fastrand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        % 1_000_000_007
}

/// Every file under `dir` (relative path → bytes), the lock file excepted.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                if rel != plumlogs_archive::LOCK_FILE {
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    out
}

/// Every parquet file read back: relative path → its batches.
pub fn tables(dir: &Path) -> BTreeMap<String, Vec<RecordBatch>> {
    files(dir)
        .into_iter()
        .filter(|(k, _)| k.ends_with(".parquet"))
        .map(|(k, _)| {
            let file = std::fs::File::open(dir.join(&k)).unwrap();
            let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                .unwrap_or_else(|e| panic!("{k}: {e}"))
                .build()
                .unwrap();
            let batches = reader.collect::<Result<Vec<_>, _>>().unwrap();
            (k, batches)
        })
        .collect()
}

pub fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(|b| b.num_rows()).sum()
}

/// No temporary file anywhere, and every data file reads back whole.
pub fn assert_clean_and_readable(dir: &Path) {
    for name in files(dir).keys() {
        assert!(!name.ends_with(".tmp"), "stray temporary file {name}");
    }
    tables(dir);
}

pub fn state(dir: &Path) -> plumlogs_archive::State {
    serde_json::from_slice(&std::fs::read(dir.join(plumlogs_archive::STATE_FILE)).unwrap()).unwrap()
}
