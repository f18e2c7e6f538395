//! The one schema of the four record types: every field's name, logical type,
//! nullability and meaning, in two forms.
//!
//! - **Record form** ([`RecordSchema::fields`]): the fields of the Rust record as the
//!   canonical JSON writes them (the records' `Serialize` impls, in this order), and
//!   what the Python record attributes and Node's plain objects hold.
//! - **Columnar form** ([`RecordSchema::columns`]): the columns of a table of the
//!   records (Python's Arrow export, the archive's Parquet files). A column comes
//!   [`from`](Column::from) one field; a [`LogicalType::Timestamp`] field becomes
//!   several columns (the instant, the offset, and where the offset may be unknown
//!   the wall-clock reading), every other field one column of its own type.
//!
//! Bindings derive their layouts from these tables; `core/tests/schema.rs` checks
//! the canonical JSON, the Python stubs (`_native.pyi`) and the TypeScript
//! declarations (`index.d.ts`) against them.
//!
//! # Logical types and their forms
//!
//! | [`LogicalType`] | canonical JSON | Python attribute | TypeScript | Arrow column |
//! |---|---|---|---|---|
//! | `Text` | string | `str` | `string` | `string_view` (`Utf8View`; `Utf8`/`LargeUtf8` where views are not supported) |
//! | `SessionId` | string, as written | `str` | `string` | `string_view` |
//! | `Int16` | number | `int` | `number` | `Int16` |
//! | `UInt32` | number | `int` | `number` | `UInt32` |
//! | `UInt64` | number | `int` | `number` | `UInt64` |
//! | `UnixSeconds` | number (seconds since 1970-01-01T00:00:00Z) | `int` | `number` | `Timestamp(Second, "UTC")` |
//! | `DurationSeconds` | number (whole seconds) | `int` | `number` | `UInt64` |
//! | `Timestamp` | string, ISO 8601 with the line's own offset (`2017-11-03T00:10:42-05:00`; no offset, `2002-08-28T10:16:58`, when the zone is unknown) | `datetime.datetime` (aware; naive when the offset is unknown) | `string` (the JSON form) | record form only: see below |
//! | `LocalSeconds` | — (columnar only) | — | — | `Timestamp(Second, None)`: the wall-clock reading as seconds since 1970-01-01T00:00:00 of that clock |
//!
//! In the columnar form a `Timestamp` field `t` becomes the columns
//! - `t` itself, [`LogicalType::UnixSeconds`]: the instant (null when the offset is
//!   unknown);
//! - `utc_offset_minutes`, [`LogicalType::Int16`]: minutes east of UTC as written
//!   (`-0500` is `-300`; null when unknown), so that the wall clock is the instant plus
//!   the offset;
//! - where the offset may be unknown (call-log entries), `local_timestamp`,
//!   [`LogicalType::LocalSeconds`]: the wall-clock reading, always known.

use serde::Serialize;

/// What a field or column holds, independent of any language (the forms each type
/// takes in JSON, Python, TypeScript and Arrow are in the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LogicalType {
    /// UTF-8 text, as written.
    Text,
    /// A session id `serverid;channel;starttime`, kept as written (leading zeros).
    SessionId,
    /// A signed 16-bit integer.
    Int16,
    /// An unsigned 32-bit integer.
    UInt32,
    /// An unsigned 64-bit integer.
    UInt64,
    /// An instant as UNIX seconds (signed 64-bit).
    UnixSeconds,
    /// A length of time in whole seconds (unsigned 64-bit).
    DurationSeconds,
    /// A wall-clock reading with the UTC offset it was written with (possibly
    /// unknown): [`crate::Timestamp`]. Record form only.
    Timestamp,
    /// A wall-clock reading without an offset, as seconds since 1970-01-01T00:00:00
    /// of that clock. Columnar form only.
    LocalSeconds,
}

impl LogicalType {
    /// The snake_case name used in the serialised descriptor (`unix_seconds`).
    pub const fn name(self) -> &'static str {
        match self {
            LogicalType::Text => "text",
            LogicalType::SessionId => "session_id",
            LogicalType::Int16 => "int16",
            LogicalType::UInt32 => "uint32",
            LogicalType::UInt64 => "uint64",
            LogicalType::UnixSeconds => "unix_seconds",
            LogicalType::DurationSeconds => "duration_seconds",
            LogicalType::Timestamp => "timestamp",
            LogicalType::LocalSeconds => "local_seconds",
        }
    }

    /// Whether the canonical JSON form is a string (else a number).
    pub const fn is_json_string(self) -> bool {
        matches!(
            self,
            LogicalType::Text | LogicalType::SessionId | LogicalType::Timestamp
        )
    }
}

/// Serialised as its [`name`](LogicalType::name).
impl Serialize for LogicalType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One field of a record (record form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The name in JSON, Python and TypeScript (`session_id`, `type`).
    pub name: &'static str,
    /// What it holds.
    #[serde(rename = "type")]
    pub ty: LogicalType,
    /// Whether it may be absent (`null`/`None`).
    pub nullable: bool,
    /// One line saying what it is.
    pub doc: &'static str,
}

/// One column of a table of records (columnar form).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The column's name.
    pub name: &'static str,
    /// What it holds.
    #[serde(rename = "type")]
    pub ty: LogicalType,
    /// Whether a row may hold null.
    pub nullable: bool,
    /// The name of the record field it is taken from.
    pub from: &'static str,
    /// One line saying what it is.
    pub doc: &'static str,
}

/// The schema of one record type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RecordSchema {
    /// The record type's name in every language (`SessionRecord`).
    pub name: &'static str,
    /// One line saying what a record is.
    pub doc: &'static str,
    /// The record form, in canonical JSON order.
    pub fields: &'static [Field],
    /// The columnar form, in column order.
    pub columns: &'static [Column],
}

impl RecordSchema {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const fn field(name: &'static str, ty: LogicalType, nullable: bool, doc: &'static str) -> Field {
    Field {
        name,
        ty,
        nullable,
        doc,
    }
}

const fn col(
    name: &'static str,
    ty: LogicalType,
    nullable: bool,
    from: &'static str,
    doc: &'static str,
) -> Column {
    Column {
        name,
        ty,
        nullable,
        from,
        doc,
    }
}

use LogicalType as L;

const KIND_DOC: &str =
    "`inbound`, `outbound`, `transfer`, `local`, or another lowercase word as written";
const ANI_DOC: &str = "the calling number (ANI), as written";
const CHANNEL_DOC: &str = "the channel the call used";
const TS_DOC: &str = "when the line was written, with the line's own UTC offset";
const INSTANT_DOC: &str = "the line's timestamp as an instant (UTC)";
const OFFSET_DOC: &str = "the line's UTC offset in minutes east of UTC (`-0500` is -300)";
const DNIS_DOC: &str = "the called number (DNIS), as written";
const SID_DOC: &str = "the session id `serverid;channel;starttime`, leading zeros kept";

/// `SessionRecord`: one line of the `calls/sessions` service.
pub static SESSION_RECORD: RecordSchema = RecordSchema {
    name: "SessionRecord",
    doc: "one session log line: a call line (call times) or a `local` tag line (label, message)",
    fields: &[
        field("kind", L::Text, false, KIND_DOC),
        field("ani", L::Text, false, ANI_DOC),
        field("channel", L::UInt32, false, CHANNEL_DOC),
        field("timestamp", L::Timestamp, false, TS_DOC),
        field("dnis", L::Text, false, DNIS_DOC),
        field("session_id", L::SessionId, false, SID_DOC),
        field(
            "call_start",
            L::UnixSeconds,
            true,
            "call lines: when the call started",
        ),
        field(
            "call_end",
            L::UnixSeconds,
            true,
            "call lines: when the call ended",
        ),
        field(
            "duration",
            L::DurationSeconds,
            true,
            "call lines: the call length as written (`H:MM:SS`)",
        ),
        field(
            "label",
            L::Text,
            true,
            "tag lines: the `<log>` label, or `fetchurl` for the start-URL line",
        ),
        field(
            "message",
            L::Text,
            true,
            "tag lines: the rest of the line, as written; may be empty",
        ),
    ],
    columns: &[
        col("kind", L::Text, false, "kind", KIND_DOC),
        col("ani", L::Text, false, "ani", ANI_DOC),
        col("channel", L::UInt32, false, "channel", CHANNEL_DOC),
        col("timestamp", L::UnixSeconds, false, "timestamp", INSTANT_DOC),
        col(
            "utc_offset_minutes",
            L::Int16,
            false,
            "timestamp",
            OFFSET_DOC,
        ),
        col("dnis", L::Text, false, "dnis", DNIS_DOC),
        col("session_id", L::SessionId, false, "session_id", SID_DOC),
        col(
            "call_start",
            L::UnixSeconds,
            true,
            "call_start",
            "call lines: when the call started",
        ),
        col(
            "call_end",
            L::UnixSeconds,
            true,
            "call_end",
            "call lines: when the call ended",
        ),
        col(
            "duration",
            L::DurationSeconds,
            true,
            "duration",
            "call lines: the call length in seconds",
        ),
        col(
            "label",
            L::Text,
            true,
            "label",
            "tag lines: the `<log>` label",
        ),
        col(
            "message",
            L::Text,
            true,
            "message",
            "tag lines: the rest of the line",
        ),
    ],
};

/// `ErrorRecord`: one line of the `calls/errors` service.
pub static ERROR_RECORD: RecordSchema = RecordSchema {
    name: "ErrorRecord",
    doc: "one error log line",
    fields: &[
        field("ani", L::Text, false, ANI_DOC),
        field("channel", L::UInt32, false, CHANNEL_DOC),
        field("timestamp", L::Timestamp, false, TS_DOC),
        field("dnis", L::Text, false, DNIS_DOC),
        field("session_id", L::SessionId, false, SID_DOC),
        field(
            "message",
            L::Text,
            false,
            "the rest of the line, inner spacing as written",
        ),
    ],
    columns: &[
        col("ani", L::Text, false, "ani", ANI_DOC),
        col("channel", L::UInt32, false, "channel", CHANNEL_DOC),
        col("timestamp", L::UnixSeconds, false, "timestamp", INSTANT_DOC),
        col(
            "utc_offset_minutes",
            L::Int16,
            false,
            "timestamp",
            OFFSET_DOC,
        ),
        col("dnis", L::Text, false, "dnis", DNIS_DOC),
        col("session_id", L::SessionId, false, "session_id", SID_DOC),
        col("message", L::Text, false, "message", "the rest of the line"),
    ],
};

/// `CallLogEntry`: one entry of a call's detailed log (the `calls/log` service).
pub static CALL_LOG_ENTRY: RecordSchema = RecordSchema {
    name: "CallLogEntry",
    doc: "one entry of a call log; continuation lines are part of its message",
    fields: &[
        field(
            "timestamp",
            L::Timestamp,
            false,
            "when the entry was written; the offset is unknown when the zone is",
        ),
        field(
            "zone",
            L::Text,
            false,
            "the zone abbreviation as written (`EDT`); may be empty",
        ),
        field(
            "module",
            L::Text,
            false,
            "the `[module]` that wrote the entry",
        ),
        field("session_id", L::SessionId, false, SID_DOC),
        field(
            "level",
            L::Text,
            false,
            "the entry type (`EVENT`, `DEBUG`, `LOCAL`, `USAGE`, `ERROR`, or as written)",
        ),
        field(
            "message",
            L::Text,
            false,
            "the message; continuation lines joined with `\\n`; may be empty",
        ),
    ],
    columns: &[
        col(
            "timestamp",
            L::UnixSeconds,
            true,
            "timestamp",
            "the entry's instant (UTC); null when the zone is unknown",
        ),
        col(
            "utc_offset_minutes",
            L::Int16,
            true,
            "timestamp",
            "the zone's offset in minutes east of UTC; null when the zone is unknown",
        ),
        col(
            "local_timestamp",
            L::LocalSeconds,
            false,
            "timestamp",
            "the wall-clock reading as written, always known",
        ),
        col(
            "zone",
            L::Text,
            false,
            "zone",
            "the zone abbreviation as written",
        ),
        col("module", L::Text, false, "module", "the `[module]`"),
        col("session_id", L::SessionId, false, "session_id", SID_DOC),
        col("level", L::Text, false, "level", "the entry type"),
        col("message", L::Text, false, "message", "the message"),
    ],
};

/// `CallSummary`: one item of the `calls/logs` listing.
pub static CALL_SUMMARY: RecordSchema = RecordSchema {
    name: "CallSummary",
    doc: "one item of the `calls/logs` listing: a call for which a detailed log exists",
    fields: &[
        field(
            "log_id",
            L::UInt64,
            false,
            "the id to fetch the call's log with",
        ),
        field("session_id", L::SessionId, false, SID_DOC),
        field("dest", L::Text, false, "the called number, as written"),
        field(
            "type",
            L::Text,
            false,
            "the call type (`inbound`, …), as written",
        ),
        field("src", L::Text, false, "the calling number, as written"),
        field("start", L::UnixSeconds, false, "when the call started"),
        field("end", L::UnixSeconds, false, "when the call ended"),
    ],
    columns: &[
        col(
            "log_id",
            L::UInt64,
            false,
            "log_id",
            "the id of the call's log",
        ),
        col("session_id", L::SessionId, false, "session_id", SID_DOC),
        col("dest", L::Text, false, "dest", "the called number"),
        col("type", L::Text, false, "type", "the call type"),
        col("src", L::Text, false, "src", "the calling number"),
        col(
            "start",
            L::UnixSeconds,
            false,
            "start",
            "when the call started",
        ),
        col("end", L::UnixSeconds, false, "end", "when the call ended"),
    ],
};

/// The columns a frame adds for each [`LogicalType::SessionId`] field (`session_id`):
/// its parts, as `SessionId::parts` splits it. Each is told apart by its type (the
/// server is text, the channel an integer, the start an instant); null where an id
/// does not split (ids read by this crate's parsers always do).
pub static SESSION_ID_PARTS: [Column; 3] = [
    col(
        "session_server",
        L::Text,
        true,
        "session_id",
        "the session id's server part, as written (leading zeros kept)",
    ),
    col(
        "session_channel",
        L::UInt32,
        true,
        "session_id",
        "the session id's channel part",
    ),
    col(
        "session_start",
        L::UnixSeconds,
        true,
        "session_id",
        "the session id's start part: when the session started (UTC)",
    ),
];

/// The column a frame adds for a [`LogicalType::Timestamp`] field whose columnar form
/// has no wall-clock column: the reading as written, at the line's own offset (the
/// instant plus `utc_offset_minutes`), so that "calls by hour" is the caller's hour.
pub static LOCAL_TIMESTAMP: Column = col(
    "local_timestamp",
    L::LocalSeconds,
    false,
    "timestamp",
    "the wall-clock reading as written, at the line's own UTC offset",
);

/// The `SessionRecord` fields a call line fills; they are null on `local` tag lines.
pub static CALL_LINE_FIELDS: [&str; 3] = ["call_start", "call_end", "duration"];

/// The `SessionRecord` fields a `local` tag line fills; they are null on call lines.
pub static TAG_LINE_FIELDS: [&str; 2] = ["label", "message"];

impl RecordSchema {
    /// The frame form (what the bindings' analyst DataFrames hold): the columnar
    /// form, with [`LOCAL_TIMESTAMP`] after `utc_offset_minutes` where the columnar
    /// form has no wall-clock column, and the [`SESSION_ID_PARTS`] after
    /// `session_id`. Every added column's [`from`](Column::from) names its field.
    pub fn frame_columns(&self) -> Vec<Column> {
        let has_local = self.columns.iter().any(|c| c.ty == L::LocalSeconds);
        let mut out = Vec::with_capacity(self.columns.len() + 4);
        for c in self.columns {
            out.push(*c);
            if c.name == "utc_offset_minutes" && !has_local {
                out.push(LOCAL_TIMESTAMP);
            }
            if c.ty == L::SessionId {
                out.extend(SESSION_ID_PARTS);
            }
        }
        out
    }
}

/// Every record schema, in the order sessions, errors, call-log entries, summaries.
pub static RECORDS: [&RecordSchema; 4] = [
    &SESSION_RECORD,
    &ERROR_RECORD,
    &CALL_LOG_ENTRY,
    &CALL_SUMMARY,
];

/// The schema of the record type called `name` (`SessionRecord`, …).
pub fn record(name: &str) -> Option<&'static RecordSchema> {
    RECORDS.iter().copied().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_comes_from_a_field_of_a_compatible_type() {
        for r in RECORDS {
            for c in r.columns {
                let f = r
                    .field(c.from)
                    .unwrap_or_else(|| panic!("{}.{}: no field {}", r.name, c.name, c.from));
                let ok = match f.ty {
                    L::Timestamp => matches!(c.ty, L::UnixSeconds | L::Int16 | L::LocalSeconds),
                    t => c.ty == t && c.nullable == f.nullable,
                };
                assert!(ok, "{}.{} from {:?}", r.name, c.name, f);
                assert_ne!(c.ty, L::Timestamp, "{}.{}: columnar form", r.name, c.name);
            }
            for f in r.fields {
                assert_ne!(f.ty, L::LocalSeconds, "{}.{}: record form", r.name, f.name);
                assert!(
                    r.columns.iter().any(|c| c.from == f.name),
                    "{}.{} has no column",
                    r.name,
                    f.name
                );
            }
        }
    }

    #[test]
    fn frame_columns_add_parts_and_local_time_once() {
        for r in RECORDS {
            let cols = r.frame_columns();
            for (i, c) in cols.iter().enumerate() {
                assert!(cols[..i].iter().all(|d| d.name != c.name), "{}", c.name);
                assert!(r.field(c.from).is_some(), "{}.{}", r.name, c.name);
            }
            let added: Vec<_> = cols.iter().filter(|c| r.column(c.name).is_none()).collect();
            // Sessions and errors gain the wall clock; entries have it, summaries have
            // no timestamp with an offset.
            let local = matches!(r.name, "SessionRecord" | "ErrorRecord");
            assert_eq!(added.len(), 3 + usize::from(local), "{}", r.name);
            let has_ts = r.fields.iter().any(|f| f.ty == L::Timestamp);
            assert_eq!(
                cols.iter().any(|c| c.ty == L::LocalSeconds),
                has_ts,
                "{}",
                r.name
            );
            let at = |name: &str| cols.iter().position(|c| c.name == name).unwrap();
            assert_eq!(at("session_server"), at("session_id") + 1);
        }
        // The parts are told apart by their types.
        let tys: Vec<_> = SESSION_ID_PARTS.iter().map(|c| c.ty).collect();
        assert_eq!(tys, [L::Text, L::UInt32, L::UnixSeconds]);
    }

    #[test]
    fn call_and_tag_fields_are_the_nullable_session_fields() {
        let mut shaped: Vec<&str> = CALL_LINE_FIELDS
            .iter()
            .chain(&TAG_LINE_FIELDS)
            .copied()
            .collect();
        shaped.sort_unstable();
        let mut nullable: Vec<&str> = SESSION_RECORD
            .fields
            .iter()
            .filter(|f| f.nullable)
            .map(|f| f.name)
            .collect();
        nullable.sort_unstable();
        assert_eq!(shaped, nullable);
        // A call line's JSON fills exactly the call fields, a tag line's the tag fields.
        let call = crate::parse_session_line(
            b"inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
        )
        .unwrap();
        let tag = crate::parse_session_line(
            b"local 7185551234 3 [03/Nov/2017:14:38:31 -0500] 6177123000 200035;003;1509734279 menu: pressed 1",
        )
        .unwrap();
        for (rec, filled, empty) in [
            (&call, &CALL_LINE_FIELDS[..], &TAG_LINE_FIELDS[..]),
            (&tag, &TAG_LINE_FIELDS[..], &CALL_LINE_FIELDS[..]),
        ] {
            let v = serde_json::to_value(rec).unwrap();
            assert!(filled.iter().all(|f| !v[f].is_null()), "{v}");
            assert!(empty.iter().all(|f| v[f].is_null()), "{v}");
        }
    }

    #[test]
    fn names_are_unique() {
        for r in RECORDS {
            for (i, f) in r.fields.iter().enumerate() {
                assert!(r.fields[..i].iter().all(|g| g.name != f.name));
            }
            for (i, c) in r.columns.iter().enumerate() {
                assert!(r.columns[..i].iter().all(|d| d.name != c.name));
            }
        }
    }
}
