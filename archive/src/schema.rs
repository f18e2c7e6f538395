//! The columns of the four tables: the records' columnar form from
//! [`plumlogs::schema`] (the one descriptor the bindings use too), and what the
//! archive keeps beside it.
//!
//! | table | columns |
//! |---|---|
//! | `sessions` | [`SESSION_RECORD`](plumlogs::schema::SESSION_RECORD)'s columns, all nullable, then `raw`, `parse_error` |
//! | `errors` | [`ERROR_RECORD`](plumlogs::schema::ERROR_RECORD)'s columns, all nullable, then `raw`, `parse_error` |
//! | `calls` | [`CALL_SUMMARY`](plumlogs::schema::CALL_SUMMARY)'s columns, then `text` |
//! | `call_log_entries` | `log_id`, `entry`, then [`CALL_LOG_ENTRY`](plumlogs::schema::CALL_LOG_ENTRY)'s columns, all nullable, then `raw`, `parse_error` |
//!
//! Record columns are nullable in line tables because a line that does not parse
//! has none of them (its `parse_error` says why; `raw` holds it). Arrow types: text
//! and session ids `Utf8` (Parquet `BYTE_ARRAY`/`UTF8`), instants
//! `Timestamp(Microsecond, "UTC")` (Parquet `TIMESTAMP(MICROS, true)`), wall-clock
//! readings `Timestamp(Microsecond, None)`, integers as their width says. Parquet
//! has no seconds unit (a `Timestamp(Second)` column is written as a bare `INT64`
//! that DuckDB and pyarrow read as an integer), so the whole seconds of the records
//! are stored as microseconds, the unit every engine reads natively. Text is `Utf8`,
//! not the `Utf8View` of the Python binding's in-memory tables: views point into a
//! buffer that a file does not have. So this mapping differs from the binding's on
//! purpose; the logical types and columns are the descriptor's.

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use plumlogs::schema::{LogicalType, RecordSchema};
use std::sync::Arc;

/// One column of an archive table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column's name.
    pub name: &'static str,
    /// What it holds.
    pub ty: LogicalType,
    /// Whether a row may hold null.
    pub nullable: bool,
}

const fn col(name: &'static str, ty: LogicalType, nullable: bool) -> Column {
    Column { name, ty, nullable }
}

/// The line as the server sent it (line tables; for `call_log_entries`, the entry's
/// lines with its continuation lines) where it differs from what core formats for
/// the row's record columns, or where it did not parse; null where the line is
/// exactly the record's formatting (most lines), which [`crate::read`] rebuilds.
pub const RAW: Column = col("raw", LogicalType::Text, true);
/// Why `raw` did not parse; null when it did.
pub const PARSE_ERROR: Column = col("parse_error", LogicalType::Text, true);
/// The call a log entry belongs to (`calls.log_id`).
pub const LOG_ID: Column = col("log_id", LogicalType::UInt64, false);
/// The entry's position in its call's log, from 0.
pub const ENTRY_INDEX: Column = col("entry", LogicalType::UInt32, false);
/// The call's log text as the server sent it; null where it is exactly the
/// concatenation of its `call_log_entries` texts (each followed by `\n`), written
/// by the same fetch, which [`crate::read`] rebuilds it from.
pub const TEXT: Column = col("text", LogicalType::Text, true);

/// The record schema a table's rows come from.
pub fn record_schema(table: crate::Table) -> &'static RecordSchema {
    match table {
        crate::Table::Sessions => &plumlogs::schema::SESSION_RECORD,
        crate::Table::Errors => &plumlogs::schema::ERROR_RECORD,
        crate::Table::Calls => &plumlogs::schema::CALL_SUMMARY,
        crate::Table::CallLogEntries => &plumlogs::schema::CALL_LOG_ENTRY,
    }
}

/// The record's columns, as the archive stores them (`lenient`: all nullable).
fn record_columns(table: crate::Table, lenient: bool) -> impl Iterator<Item = Column> {
    record_schema(table).columns.iter().map(move |c| Column {
        name: c.name,
        ty: c.ty,
        nullable: c.nullable || lenient,
    })
}

/// The archive's columns of a table, in file order.
pub fn columns(table: crate::Table) -> Vec<Column> {
    let rec = |lenient| record_columns(table, lenient);
    match table {
        crate::Table::Sessions | crate::Table::Errors => {
            rec(true).chain([RAW, PARSE_ERROR]).collect()
        }
        crate::Table::Calls => rec(false).chain([TEXT]).collect(),
        crate::Table::CallLogEntries => [LOG_ID, ENTRY_INDEX]
            .into_iter()
            .chain(rec(true))
            .chain([RAW, PARSE_ERROR])
            .collect(),
    }
}

/// The Arrow type of a column type; `None` for a type with no column form
/// ([`LogicalType::Timestamp`] is split into columns by the descriptor).
pub fn arrow_type(ty: LogicalType) -> Option<DataType> {
    Some(match ty {
        LogicalType::Text | LogicalType::SessionId => DataType::Utf8,
        LogicalType::Int16 => DataType::Int16,
        LogicalType::UInt32 => DataType::UInt32,
        LogicalType::UInt64 | LogicalType::DurationSeconds => DataType::UInt64,
        LogicalType::UnixSeconds => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        LogicalType::LocalSeconds => DataType::Timestamp(TimeUnit::Microsecond, None),
        _ => return None,
    })
}

/// The Arrow schema of a table's files.
pub fn arrow_schema(table: crate::Table) -> SchemaRef {
    let fields: Vec<Field> = columns(table)
        .iter()
        .map(|c| {
            let ty = arrow_type(c.ty)
                .unwrap_or_else(|| panic!("{}.{}: {:?} has no column form", table, c.name, c.ty));
            Field::new(c.name, ty, c.nullable)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_an_arrow_type_and_a_unique_name() {
        for table in crate::Table::ALL {
            let cols = columns(table);
            for c in &cols {
                assert!(arrow_type(c.ty).is_some(), "{table}.{}", c.name);
            }
            let mut names: Vec<_> = cols.iter().map(|c| c.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), cols.len(), "{table}: duplicate column names");
            assert_eq!(arrow_schema(table).fields().len(), cols.len());
        }
    }
}
