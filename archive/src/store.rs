//! The dataset on disk: paths, atomic replacement, the lock, the state file, and
//! cleaning up after a killed run.

use crate::{SyncError, Table};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The state file in the dataset root (readers skip names starting with `_`).
pub const STATE_FILE: &str = "_plumlogs_sync.json";
/// The lock file in the dataset root, locked while a sync runs.
pub const LOCK_FILE: &str = ".plumlogs-sync.lock";
/// The file of one table and day inside `TABLE/date=YYYY-MM-DD/`.
pub const PART_FILE: &str = "part-0.parquet";
/// Temporary files end so; they start with `.` so no reader lists them.
const TMP_SUFFIX: &str = ".tmp";
/// zstd level of the data files.
const ZSTD_LEVEL: i32 = 9;

pub(crate) fn io_err(path: &Path, e: impl std::fmt::Display) -> SyncError {
    SyncError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// `YYYY-MM-DD` of a UTC day index (days since 1970-01-01).
pub fn date_of_day(day: i64) -> String {
    let t = plumlogs::Timestamp::from_unix(day * 86_400, 0);
    format!("{:04}-{:02}-{:02}", t.year, t.month, t.day)
}

/// The file of one table and day.
pub fn day_file(root: &Path, table: Table, day: i64) -> PathBuf {
    root.join(table.name())
        .join(format!("date={}", date_of_day(day)))
        .join(PART_FILE)
}

fn sync_dir(dir: &Path) -> Result<(), SyncError> {
    // Directories can be opened and fsynced on Unix; elsewhere the rename is what
    // the platform offers.
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_err(dir, e))?;
    let _ = dir;
    Ok(())
}

/// Write `bytes` through `write` into a temporary file beside `path`, fsync it,
/// rename it over `path`, fsync the directory. Nothing half-written is ever at `path`.
fn replace_atomically(
    path: &Path,
    write: impl FnOnce(File) -> Result<File, SyncError>,
) -> Result<u64, SyncError> {
    let dir = path.parent().expect("a file inside the dataset");
    fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let name = path.file_name().expect("a file name").to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}{TMP_SUFFIX}", std::process::id()));
    let file = File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
    let result = write(file).and_then(|f| {
        f.sync_all().map_err(|e| io_err(&tmp, e))?;
        f.metadata().map(|m| m.len()).map_err(|e| io_err(&tmp, e))
    });
    let bytes = match result {
        Ok(b) => b,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
    sync_dir(dir)?;
    Ok(bytes)
}

/// Write one day's batch as the table's file for that day; returns its size.
pub(crate) fn write_day(path: &Path, batch: &arrow_array::RecordBatch) -> Result<u64, SyncError> {
    replace_atomically(path, |file| {
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(ZSTD_LEVEL).expect("a valid zstd level"),
            ))
            .set_created_by(concat!("plumlogs-archive ", env!("CARGO_PKG_VERSION")).into())
            .build();
        let mut w =
            ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(|e| io_err(path, e))?;
        w.write(batch).map_err(|e| io_err(path, e))?;
        w.into_inner().map_err(|e| io_err(path, e))
    })
}

/// What the state file says about one day of one table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayState {
    /// Fetched completely at a time at least the seal lag after the day's end: never
    /// fetched again.
    pub sealed: bool,
    /// The clock (UNIX seconds) when the fetch that wrote the file started.
    pub fetched_at: i64,
    /// Rows in the file.
    pub records: u64,
    /// Size of the file.
    pub bytes: u64,
}

/// One table's state: where its range starts and its days (by `YYYY-MM-DD`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableState {
    /// The first day in range (UTC day index).
    pub origin: i64,
    /// Every day written so far.
    pub days: BTreeMap<String, DayState>,
}

/// The state file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Format version of this file.
    pub version: u32,
    /// By table name.
    pub tables: BTreeMap<String, TableState>,
}

/// The version this crate writes. Version 2: `raw` and `calls.text` are null where
/// core's formatting gives them back (see `schema`). A version-1 dataset (every
/// `raw` and `text` set) is read as it is and goes on as version 2: its files stay
/// valid, new files are written the new way.
const STATE_VERSION: u32 = 2;
/// The oldest version this crate reads.
const OLDEST_STATE_VERSION: u32 = 1;

impl State {
    pub(crate) fn load(root: &Path) -> Result<State, SyncError> {
        let path = root.join(STATE_FILE);
        let text = match fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(State {
                    version: STATE_VERSION,
                    tables: BTreeMap::new(),
                });
            }
            Err(e) => return Err(io_err(&path, e)),
        };
        let state: State = serde_json::from_slice(&text).map_err(|e| SyncError::State {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if !(OLDEST_STATE_VERSION..=STATE_VERSION).contains(&state.version) {
            return Err(SyncError::State {
                path,
                message: format!(
                    "version {} (this plumlogs reads versions {OLDEST_STATE_VERSION} to {STATE_VERSION})",
                    state.version
                ),
            });
        }
        Ok(State {
            version: STATE_VERSION,
            ..state
        })
    }

    pub(crate) fn save(&self, root: &Path) -> Result<(), SyncError> {
        let path = root.join(STATE_FILE);
        let mut text = serde_json::to_vec_pretty(self).expect("the state serialises");
        text.push(b'\n');
        replace_atomically(&path, |mut f| {
            f.write_all(&text).map_err(|e| io_err(&path, e))?;
            Ok(f)
        })
        .map(drop)
    }
}

/// The held lock of a dataset directory; released when dropped (and by the OS when
/// the process dies, however it dies).
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}

pub(crate) fn lock(root: &Path) -> Result<Lock, SyncError> {
    fs::create_dir_all(root).map_err(|e| io_err(root, e))?;
    let path = root.join(LOCK_FILE);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_err(&path, e))?;
    // Called through the trait: `File::try_lock` of std is newer than the MSRV.
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => Ok(Lock { _file: file }),
        Err(fs4::TryLockError::WouldBlock) => Err(SyncError::Locked {
            dir: root.to_path_buf(),
        }),
        Err(fs4::TryLockError::Error(e)) => Err(io_err(&path, e)),
    }
}

/// Remove what a killed run may have left: temporary files, and partition
/// directories that stayed empty. Runs under the lock, before anything is written.
pub(crate) fn clean(root: &Path) -> Result<usize, SyncError> {
    let mut removed = 0;
    let is_tmp = |name: &str| name.starts_with('.') && name.ends_with(TMP_SUFFIX);
    let remove = |p: &Path| fs::remove_file(p).map_err(|e| io_err(p, e));
    for entry in read_dir(root)? {
        if is_tmp(&entry.file_name().to_string_lossy()) {
            remove(&entry.path())?;
            removed += 1;
        }
    }
    for table in Table::ALL {
        let dir = root.join(table.name());
        if !dir.is_dir() {
            continue;
        }
        for part in read_dir(&dir)? {
            let part_dir = part.path();
            if !part.file_name().to_string_lossy().starts_with("date=") || !part_dir.is_dir() {
                continue;
            }
            let mut left = 0;
            for f in read_dir(&part_dir)? {
                if is_tmp(&f.file_name().to_string_lossy()) {
                    remove(&f.path())?;
                    removed += 1;
                } else {
                    left += 1;
                }
            }
            if left == 0 {
                fs::remove_dir(&part_dir).map_err(|e| io_err(&part_dir, e))?;
            }
        }
    }
    Ok(removed)
}

fn read_dir(dir: &Path) -> Result<Vec<fs::DirEntry>, SyncError> {
    fs::read_dir(dir)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| io_err(dir, e))
}
