//! The columns of the four tables.
//!
//! The record columns are those of the records' one schema (the same names, types and
//! nullability the bindings' Arrow tables use); this module adds what the archive
//! keeps beside them (the raw line and its parse error, the call's `log_id`) and turns
//! the list into an Arrow schema.
//!
//! Stand-in: the crate-wide descriptor is to live in `plumlogs::schema`; until it
//! does, the record columns are listed here, in the bindings' order.

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::sync::Arc;

/// The type of one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    Text,
    /// Unsigned 32-bit integer.
    U32,
    /// Unsigned 64-bit integer.
    U64,
    /// Signed 16-bit integer (UTC offsets in minutes).
    I16,
    /// An instant: seconds since the epoch, UTC.
    Timestamp,
    /// A wall-clock reading without a zone (seconds, no time zone).
    LocalTimestamp,
}

/// One column: name, type, and whether a record may lack it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column's name (the record's serde field name, or the bindings' name).
    pub name: &'static str,
    /// Its type.
    pub ty: ColumnType,
    /// Whether a well-formed record may have no value here.
    pub nullable: bool,
}

const fn col(name: &'static str, ty: ColumnType, nullable: bool) -> Column {
    Column { name, ty, nullable }
}

use ColumnType::*;

/// A session line's columns.
pub const SESSION: &[Column] = &[
    col("kind", Text, false),
    col("ani", Text, false),
    col("channel", U32, false),
    col("timestamp", Timestamp, false),
    col("utc_offset_minutes", I16, false),
    col("dnis", Text, false),
    col("session_id", Text, false),
    col("call_start", Timestamp, true),
    col("call_end", Timestamp, true),
    col("duration", U64, true),
    col("label", Text, true),
    col("message", Text, true),
];

/// An error line's columns.
pub const ERROR: &[Column] = &[
    col("ani", Text, false),
    col("channel", U32, false),
    col("timestamp", Timestamp, false),
    col("utc_offset_minutes", I16, false),
    col("dnis", Text, false),
    col("session_id", Text, false),
    col("message", Text, false),
];

/// A call-log entry's columns. The instant is null when the zone abbreviation is
/// unknown; the wall-clock reading is always there.
pub const CALL_LOG_ENTRY: &[Column] = &[
    col("timestamp", Timestamp, true),
    col("utc_offset_minutes", I16, true),
    col("local_timestamp", LocalTimestamp, false),
    col("zone", Text, false),
    col("module", Text, false),
    col("session_id", Text, false),
    col("level", Text, false),
    col("message", Text, false),
];

/// A call summary's columns (`calls/logs`).
pub const CALL_SUMMARY: &[Column] = &[
    col("log_id", U64, false),
    col("session_id", Text, false),
    col("dest", Text, false),
    col("type", Text, false),
    col("src", Text, false),
    col("start", Timestamp, false),
    col("end", Timestamp, false),
];

/// The line as the server sent it (every row of `sessions`, `errors`,
/// `call_log_entries`).
pub const RAW: Column = col("raw", Text, false);
/// Why the raw line did not parse; null when it did.
pub const PARSE_ERROR: Column = col("parse_error", Text, true);
/// The call a log entry belongs to.
pub const LOG_ID: Column = col("log_id", U64, false);
/// The entry's position in its call's log, from 0.
pub const ENTRY_INDEX: Column = col("entry", U32, false);
/// The call's log text as the server sent it.
pub const TEXT: Column = col("text", Text, false);

fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        Text => DataType::Utf8,
        U32 => DataType::UInt32,
        U64 => DataType::UInt64,
        I16 => DataType::Int16,
        Timestamp => DataType::Timestamp(TimeUnit::Second, Some("UTC".into())),
        LocalTimestamp => DataType::Timestamp(TimeUnit::Second, None),
    }
}

/// The archive's columns of a table: for line tables, the record's columns made
/// nullable (a line that does not parse has none of them) followed by the raw line and
/// its parse error.
pub fn columns(table: crate::Table) -> Vec<Column> {
    let lenient = |c: &Column| Column {
        nullable: true,
        ..*c
    };
    match table {
        crate::Table::Sessions => SESSION
            .iter()
            .map(lenient)
            .chain([RAW, PARSE_ERROR])
            .collect(),
        crate::Table::Errors => ERROR
            .iter()
            .map(lenient)
            .chain([RAW, PARSE_ERROR])
            .collect(),
        crate::Table::Calls => CALL_SUMMARY.iter().copied().chain([TEXT]).collect(),
        crate::Table::CallLogEntries => [LOG_ID, ENTRY_INDEX]
            .into_iter()
            .chain(CALL_LOG_ENTRY.iter().map(lenient))
            .chain([RAW, PARSE_ERROR])
            .collect(),
    }
}

/// The Arrow schema of a table's files.
pub fn arrow_schema(table: crate::Table) -> SchemaRef {
    let fields: Vec<Field> = columns(table)
        .iter()
        .map(|c| Field::new(c.name, arrow_type(c.ty), c.nullable))
        .collect();
    Arc::new(Schema::new(fields))
}
