//! The texts of a dataset read back exactly as the server sent them.
//!
//! Files keep `raw` (and `calls.text`) only where core's formatting of the row's
//! record would not give the line back; everywhere else this module formats the
//! record columns again with the same formatter the writer compared against
//! (`Display` of core's records), so every line and every log text comes back byte
//! for byte.

use crate::canonical;
use crate::rows::V;
use crate::store::io_err;
use crate::{SyncError, Table, day_file};
use arrow_array::{
    Array, Int16Array, RecordBatch, StringArray, TimestampMicrosecondArray, UInt32Array,
    UInt64Array,
};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

fn batches(path: &Path) -> Result<Vec<RecordBatch>, SyncError> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| io_err(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| io_err(path, e))
}

/// One cell as the writer had it (`None`: no such column, or a type this crate does
/// not write).
fn cell<'b>(batch: &'b RecordBatch, row: usize, name: &str) -> Option<V<'b>> {
    let col = batch.column_by_name(name)?;
    if col.is_null(row) {
        return Some(V::Null);
    }
    let any = col.as_any();
    Some(match col.data_type() {
        DataType::Utf8 => V::Str(any.downcast_ref::<StringArray>()?.value(row)),
        DataType::UInt32 => V::UInt(any.downcast_ref::<UInt32Array>()?.value(row) as u64),
        DataType::UInt64 => V::UInt(any.downcast_ref::<UInt64Array>()?.value(row)),
        DataType::Int16 => V::Int(any.downcast_ref::<Int16Array>()?.value(row) as i64),
        // Whole seconds stored as microseconds (see `schema`).
        DataType::Timestamp(TimeUnit::Microsecond, _) => V::Int(
            any.downcast_ref::<TimestampMicrosecondArray>()?
                .value(row)
                .div_euclid(1_000_000),
        ),
        _ => return None,
    })
}

fn text_of(batch: &RecordBatch, row: usize, name: &str) -> Option<Option<String>> {
    match cell(batch, row, name)? {
        V::Str(s) => Some(Some(s.to_owned())),
        V::Null => Some(None),
        _ => None,
    }
}

fn broken(path: &Path, row: usize, why: &str) -> SyncError {
    io_err(path, format!("row {row}: {why}"))
}

/// A line table row's text: `raw`, or the record formatted; `Err` says why not.
pub(crate) fn line_text(
    batch: &RecordBatch,
    row: usize,
    table: Table,
) -> Result<String, &'static str> {
    match text_of(batch, row, "raw") {
        Some(Some(raw)) => Ok(raw),
        Some(None) => canonical::formatted(table, &|name| cell(batch, row, name))
            .ok_or("raw is null and the record columns are incomplete"),
        None => Err("no text column raw"),
    }
}

/// Each row's text of a line file.
fn line_texts(path: &Path, table: Table) -> Result<Vec<String>, SyncError> {
    let mut out = Vec::new();
    for batch in batches(path)? {
        for row in 0..batch.num_rows() {
            let text = line_text(&batch, row, table).map_err(|why| broken(path, out.len(), why))?;
            out.push(text);
        }
    }
    Ok(out)
}

/// `(log_id, log text)` of every call of a day's `calls` file, in file order; a
/// null `text` is rebuilt from the day's `call_log_entries`.
pub fn log_texts(dir: &Path, day: i64) -> Result<Vec<(u64, String)>, SyncError> {
    let calls = day_file(dir, Table::Calls, day);
    let entries_path = day_file(dir, Table::CallLogEntries, day);
    let mut entries: Option<HashMap<u64, String>> = None;
    let mut out = Vec::new();
    for batch in batches(&calls)? {
        for row in 0..batch.num_rows() {
            let Some(V::UInt(log_id)) = cell(&batch, row, "log_id") else {
                return Err(broken(&calls, out.len(), "no log_id"));
            };
            let text = match text_of(&batch, row, "text") {
                Some(Some(t)) => t,
                Some(None) => {
                    if entries.is_none() {
                        entries = Some(assembled_logs(&entries_path)?);
                    }
                    entries
                        .as_ref()
                        .and_then(|e| e.get(&log_id))
                        .cloned()
                        .unwrap_or_default()
                }
                None => return Err(broken(&calls, out.len(), "no text column text")),
            };
            out.push((log_id, text));
        }
    }
    Ok(out)
}

/// Every log of an entries file: its entries' texts in order, each followed by `\n`.
fn assembled_logs(path: &Path) -> Result<HashMap<u64, String>, SyncError> {
    let texts = line_texts(path, Table::CallLogEntries)?;
    let mut ids = Vec::with_capacity(texts.len());
    for batch in batches(path)? {
        for row in 0..batch.num_rows() {
            match (cell(&batch, row, "log_id"), cell(&batch, row, "entry")) {
                (Some(V::UInt(id)), Some(V::UInt(n))) => ids.push((id, n)),
                _ => return Err(broken(path, ids.len(), "no log_id or entry")),
            }
        }
    }
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| ids[i]);
    let mut out: HashMap<u64, String> = HashMap::new();
    for i in order {
        let log = out.entry(ids[i].0).or_default();
        log.push_str(&texts[i]);
        log.push('\n');
    }
    Ok(out)
}

/// The texts of one table's file for one UTC day (days since 1970-01-01), exactly
/// as the server sent them: each line of `sessions` and `errors`, each entry's
/// lines (continuations included, line end excluded) of `call_log_entries`, each
/// call's whole log text of `calls`, in file order.
pub fn texts(dir: &Path, table: Table, day: i64) -> Result<Vec<String>, SyncError> {
    match table {
        Table::Calls => Ok(log_texts(dir, day)?.into_iter().map(|(_, t)| t).collect()),
        _ => line_texts(&day_file(dir, table, day), table),
    }
}

/// `log_id` → log text of a day's archived calls, when they read back; empty
/// otherwise (the texts are then all fetched again). Empty texts are left out too:
/// a null `text` whose entries are missing reads back empty, and fetching a log
/// again costs one request.
pub(crate) fn known_texts(dir: &Path, day: i64) -> HashMap<u64, String> {
    log_texts(dir, day)
        .map(|v| v.into_iter().filter(|(_, t)| !t.is_empty()).collect())
        .unwrap_or_default()
}
