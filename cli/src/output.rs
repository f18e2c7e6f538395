//! Writing records as table, csv, jsonl or json.
//!
//! Every format starts from the record's canonical JSON (`serde::Serialize` in core):
//! jsonl writes it as is, json wraps the same texts in one array, and csv/table lay
//! out its top-level values in the order core serialises them. No field is formatted
//! here, so the four formats cannot drift from the canonical schema.

use clap::ValueEnum;
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;
use std::io::{self, IsTerminal, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading (the default on a terminal).
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// One canonical JSON record per line (the default when piped).
    Jsonl,
    /// One JSON array of canonical records.
    Json,
}

impl Format {
    /// The explicit choice, else `table` on a terminal and `jsonl` in a pipe.
    pub fn resolve(choice: Option<Format>) -> Format {
        choice.unwrap_or_else(|| {
            if io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Jsonl
            }
        })
    }
}

/// The top-level fields of one canonical JSON object, in serialisation order.
/// (`serde_json::Value` would sort them: its map is a BTreeMap in this workspace.)
struct OrderedFields(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedFields, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    fields.push((k, v));
                }
                Ok(OrderedFields(fields))
            }
        }
        d.deserialize_map(V)
    }
}

/// A cell for csv: strings as written, null as empty, anything else as its JSON.
fn cell(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Control characters from the network, shown escaped (`\n`, `\t`, `\u{1b}`): they
/// would break a table's rows and columns, and on a terminal `ESC [2J` clears the
/// screen and `ESC ]0;…BEL` retitles the window. Everything the CLI prints for a
/// person that came from the server goes through here: table cells (`keep_newlines`
/// false) and messages on stderr (`keep_newlines` true, for the CLI's own multi-line
/// hints; a newline moves the cursor and nothing else).
pub fn escape_controls(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let needs = |c: char| c.is_control() && !(keep_newlines && c == '\n');
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if !needs(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// At most `max` bytes of `s` (cut at a character boundary), with the full length
/// said when it is cut: a 100 MB line in an error gives a line of stderr, not 100 MB.
pub fn bounded(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!("{}… ({} bytes)", &s[..cut], s.len()))
}

/// The most of one message written to stderr.
pub const MESSAGE_MAX_BYTES: usize = 4096;

/// One line on stderr, `plumlogs: ` first, escaped and bounded, written in one
/// buffered write (stderr itself is unbuffered: byte-sized writes of a huge message
/// were what made 300 MB of NULs take minutes).
pub fn stderr_line(text: &str) {
    let mut err = io::BufWriter::new(io::stderr().lock());
    let _ = writeln!(
        err,
        "plumlogs: {}",
        escape_controls(&bounded(text, MESSAGE_MAX_BYTES), true)
    );
    let _ = err.flush();
}

fn table_cell(s: &str) -> String {
    escape_controls(s, false).into_owned()
}

/// How `call_start`/`call_end` (sessions) and `start`/`end` (calls), UNIX seconds in
/// the canonical records, are shown in table and csv output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TimeFormat {
    /// ISO 8601 in UTC (`2026-11-26T08:00:00Z`), like the `timestamp` next to them.
    Iso,
    /// UNIX seconds, as in the canonical records (and jsonl/json).
    Unix,
}

impl TimeFormat {
    /// The default for `format`: ISO in a table (a person reads it next to the ISO
    /// `timestamp`), UNIX seconds in csv (the canonical values, the same as jsonl and
    /// json, so csv reads back into the same records).
    pub fn default_for(format: Format) -> TimeFormat {
        match format {
            Format::Table => TimeFormat::Iso,
            Format::Csv | Format::Jsonl | Format::Json => TimeFormat::Unix,
        }
    }
}

/// What table/csv output shows of each record: which columns, and how times look.
#[derive(Clone, Debug)]
pub struct Layout {
    /// `--fields`, in the order asked for; `None` is every column.
    fields: Option<Vec<String>>,
    time_format: TimeFormat,
    /// The columns that hold UNIX seconds in this command's records.
    unix_fields: &'static [&'static str],
}

impl Layout {
    /// Every column, times as the format's default: what `parse`-like callers with
    /// no flags get.
    pub fn plain(format: Format) -> Layout {
        Layout {
            fields: None,
            time_format: TimeFormat::default_for(format),
            unix_fields: &[],
        }
    }

    /// The layout `--fields`/`--time-format` ask for, checked against `columns` (the
    /// record type's columns) before any record is read or fetched. Both flags shape
    /// table and csv output only: jsonl and json are the canonical records.
    pub fn new(
        format: Format,
        fields: Option<&[String]>,
        time_format: Option<TimeFormat>,
        columns: &[String],
        unix_fields: &'static [&'static str],
    ) -> Result<Layout, String> {
        if matches!(format, Format::Jsonl | Format::Json) {
            let flag = match (fields.is_some(), time_format.is_some()) {
                (true, _) => Some("--fields"),
                (false, true) => Some("--time-format"),
                (false, false) => None,
            };
            if let Some(flag) = flag {
                return Err(format!(
                    "{flag} shapes table and csv output; jsonl and json are the canonical records \
                     (add -o table or -o csv)"
                ));
            }
        }
        let fields = match fields {
            None => None,
            Some(list) => {
                let mut chosen = Vec::new();
                for f in list.iter().flat_map(|f| f.split(',')).map(str::trim) {
                    if f.is_empty() {
                        continue;
                    }
                    if !columns.iter().any(|c| c == f) {
                        return Err(format!(
                            "unknown field {:?} in --fields; the fields are: {}",
                            bounded(f, 64),
                            columns.join(", ")
                        ));
                    }
                    if !chosen.iter().any(|c| c == f) {
                        chosen.push(f.to_owned());
                    }
                }
                if chosen.is_empty() {
                    return Err(format!(
                        "--fields names no field; the fields are: {}",
                        columns.join(", ")
                    ));
                }
                Some(chosen)
            }
        };
        Ok(Layout {
            fields,
            time_format: time_format.unwrap_or(TimeFormat::default_for(format)),
            unix_fields,
        })
    }
}

/// The top-level field names of a record's canonical JSON, in order: the columns
/// `--fields` chooses from, read off core's serialisation of a sample record.
pub fn columns_of<T: Serialize>(sample: &T) -> Vec<String> {
    serde_json::to_string(sample)
        .ok()
        .and_then(|j| serde_json::from_str::<OrderedFields>(&j).ok())
        .map(|f| f.0.into_iter().map(|(k, _)| k).collect())
        .unwrap_or_default()
}

/// Where the bytes go: straight out, or through the csv writer (which quotes).
enum Dest<W: Write> {
    Raw(W),
    Csv(Box<csv::Writer<W>>),
}

/// A table's column widths are sized on this many rows; later rows are written as
/// they come with the same widths (a longer cell widens its own row only), so a
/// year of records piped to a pager is not held in memory.
pub const TABLE_SIZING_ROWS: usize = 500;

/// Which columns of the full record are shown, and which of them become ISO times.
struct Picked {
    columns: Vec<String>,
    /// Indices into the record's fields, in output order.
    index: Vec<usize>,
    iso: Vec<bool>,
}

/// A destination for records of one type in one format.
pub struct Sink<W: Write> {
    format: Format,
    layout: Layout,
    dest: Dest<W>,
    count: usize,
    /// The first record's columns, which every later one must have.
    columns: Option<Vec<String>>,
    picked: Option<Picked>,
    /// Table rows held to size the columns: the first [`TABLE_SIZING_ROWS`] only.
    rows: Vec<Vec<String>>,
    numeric: Vec<bool>,
    /// Set once the header is written; rows are streamed from then on.
    widths: Option<Vec<usize>>,
}

fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> Sink<W> {
    pub fn new(format: Format, layout: Layout, out: W) -> Self {
        let dest = match format {
            Format::Csv => Dest::Csv(Box::new(csv::Writer::from_writer(out))),
            _ => Dest::Raw(out),
        };
        Sink {
            format,
            layout,
            dest,
            count: 0,
            columns: None,
            picked: None,
            rows: Vec::new(),
            numeric: Vec::new(),
            widths: None,
        }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// Table rows held back for sizing (never more than [`TABLE_SIZING_ROWS`]).
    #[cfg(test)]
    fn held(&self) -> usize {
        self.rows.len()
    }

    pub fn push<T: Serialize>(&mut self, record: &T) -> io::Result<()> {
        let json = serde_json::to_string(record).map_err(io::Error::other)?;
        match (&mut self.dest, self.format) {
            (Dest::Raw(out), Format::Jsonl) => {
                out.write_all(json.as_bytes())?;
                out.write_all(b"\n")?;
            }
            (Dest::Raw(out), Format::Json) => {
                out.write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
                out.write_all(json.as_bytes())?;
            }
            _ => {
                let fields = serde_json::from_str::<OrderedFields>(&json)
                    .map_err(io::Error::other)?
                    .0;
                self.check_columns(&fields)?;
                let picked = self.picked.as_ref().expect("set by check_columns");
                let mut fields: Vec<Option<Value>> =
                    fields.into_iter().map(|(_, v)| Some(v)).collect();
                let values: Vec<Value> = picked
                    .index
                    .iter()
                    .zip(&picked.iso)
                    .map(|(&i, &iso)| {
                        let v = fields[i].take().unwrap_or(Value::Null);
                        match v.as_i64() {
                            Some(n) if iso => Value::String(plumlogs::timearg::iso_utc(n)),
                            _ => v,
                        }
                    })
                    .collect();
                match &mut self.dest {
                    Dest::Csv(w) => {
                        if self.count == 0 {
                            w.write_record(&picked.columns).map_err(csv_err)?;
                        }
                        w.write_record(values.into_iter().map(cell))
                            .map_err(csv_err)?;
                    }
                    Dest::Raw(out) => {
                        let row: Vec<String> = values
                            .iter()
                            .map(|v| table_cell(&cell(v.clone())))
                            .collect();
                        match &self.widths {
                            Some(widths) => {
                                write_row(out, widths, &self.numeric, &row, false)?;
                            }
                            None => {
                                for (n, v) in self.numeric.iter_mut().zip(&values) {
                                    if !(v.is_number() || v.is_null()) {
                                        *n = false;
                                    }
                                }
                                self.rows.push(row);
                                if self.rows.len() >= TABLE_SIZING_ROWS {
                                    self.write_held()?;
                                }
                            }
                        }
                    }
                }
            }
        }
        self.count += 1;
        Ok(())
    }

    /// The first record fixes the columns; every later one must have the same.
    fn check_columns(&mut self, fields: &[(String, Value)]) -> io::Result<()> {
        match &self.columns {
            Some(cols) => {
                if cols.len() != fields.len() || cols.iter().zip(fields).any(|(c, (k, _))| c != k) {
                    return Err(io::Error::other(format!(
                        "record {} has fields {:?}, not the columns {cols:?} of the first record",
                        self.count + 1,
                        fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>()
                    )));
                }
            }
            None => {
                let cols: Vec<String> = fields.iter().map(|(k, _)| k.clone()).collect();
                let chosen = self.layout.fields.clone().unwrap_or_else(|| cols.clone());
                let mut index = Vec::with_capacity(chosen.len());
                for c in &chosen {
                    match cols.iter().position(|k| k == c) {
                        Some(i) => index.push(i),
                        None => {
                            return Err(io::Error::other(format!(
                                "unknown field {c:?} in --fields; the fields are: {}",
                                cols.join(", ")
                            )));
                        }
                    }
                }
                let iso = chosen
                    .iter()
                    .map(|c| {
                        self.layout.time_format == TimeFormat::Iso
                            && self.layout.unix_fields.contains(&c.as_str())
                    })
                    .collect();
                self.numeric = vec![true; chosen.len()];
                self.picked = Some(Picked {
                    columns: chosen,
                    index,
                    iso,
                });
                self.columns = Some(cols);
            }
        }
        Ok(())
    }

    /// Size the table on the rows held, write the header and them, and stream from now on.
    fn write_held(&mut self) -> io::Result<()> {
        let (Dest::Raw(out), Some(picked)) = (&mut self.dest, &self.picked) else {
            return Ok(());
        };
        let mut widths: Vec<usize> = picked.columns.iter().map(|c| c.chars().count()).collect();
        for row in &self.rows {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        write_row(out, &widths, &self.numeric, &picked.columns, true)?;
        for row in self.rows.drain(..) {
            write_row(out, &widths, &self.numeric, &row, false)?;
        }
        self.rows = Vec::new();
        self.widths = Some(widths);
        Ok(())
    }

    /// Write a table's held rows now, sized on what arrived so far (`--follow`: the
    /// reader should not wait for 500 rows); later rows stream with those widths.
    pub fn release(&mut self) -> io::Result<()> {
        if self.format == Format::Table && self.widths.is_none() && !self.rows.is_empty() {
            self.write_held()?;
        }
        self.flush()
    }

    /// Push what is written so far to the reader (after each page of a pull). A table
    /// still sizing its columns keeps its rows until it has enough of them.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.dest {
            Dest::Csv(w) => w.flush(),
            Dest::Raw(out) => out.flush(),
        }
    }

    /// Write what is held back (table), close the array (json), and flush.
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == Format::Table && self.widths.is_none() {
            self.write_held()?;
        }
        let mut out = match self.dest {
            Dest::Csv(w) => w
                .into_inner()
                .map_err(|e| io::Error::new(e.error().kind(), e.error().to_string()))?,
            Dest::Raw(out) => out,
        };
        if self.format == Format::Json {
            out.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        out.flush()?;
        Ok(out)
    }
}

/// One table line: cells padded to `widths` (numbers right-aligned), two spaces
/// apart. Cells after the last non-empty one are left out, so no row ends in blanks
/// that are padding rather than data.
fn write_row<W: Write>(
    out: &mut W,
    widths: &[usize],
    numeric: &[bool],
    cells: &[String],
    header: bool,
) -> io::Result<()> {
    let mut line = String::new();
    let used = cells
        .iter()
        .rposition(|c| !c.is_empty())
        .map_or(0, |i| i + 1);
    for (i, c) in cells[..used].iter().enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        let pad = widths[i].saturating_sub(c.chars().count());
        if numeric[i] && !header {
            line.extend(std::iter::repeat_n(' ', pad));
            line.push_str(c);
        } else {
            line.push_str(c);
            if i + 1 != used {
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Rec<'a> {
        z_first: &'a str,
        a_second: Option<u32>,
        note: &'a str,
    }

    fn render<T: Serialize>(format: Format, recs: &[T]) -> io::Result<String> {
        let mut sink = Sink::new(format, Layout::plain(format), Vec::new());
        for r in recs {
            sink.push(r)?;
        }
        Ok(String::from_utf8(sink.finish()?).unwrap())
    }

    const RECS: [Rec<'static>; 2] = [
        Rec {
            z_first: "x",
            a_second: Some(12345),
            note: "tab\there",
        },
        Rec {
            z_first: "longer",
            a_second: None,
            note: "",
        },
    ];

    #[test]
    fn columns_follow_serialisation_order_not_alphabetical() {
        let csv = render(Format::Csv, &RECS).unwrap();
        assert_eq!(csv, "z_first,a_second,note\nx,12345,tab\there\nlonger,,\n");
    }

    #[test]
    fn table_aligns_right_for_numbers_and_escapes_controls() {
        let t = render(Format::Table, &RECS).unwrap();
        assert_eq!(
            t,
            "z_first  a_second  note\nx           12345  tab\\there\nlonger\n"
        );
    }

    #[test]
    fn json_and_jsonl_are_the_serde_json_texts() {
        let jsonl = render(Format::Jsonl, &RECS).unwrap();
        let expected: String = RECS
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect();
        assert_eq!(jsonl, expected);
        let json = render(Format::Json, &RECS).unwrap();
        let v: Vec<Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(render(Format::Json, &[] as &[Rec]).unwrap(), "[]\n");
        assert_eq!(render(Format::Table, &[] as &[Rec]).unwrap(), "");
        assert_eq!(render(Format::Csv, &[] as &[Rec]).unwrap(), "");
    }

    #[test]
    fn records_of_another_shape_are_an_error_not_a_misaligned_row() {
        #[derive(Serialize)]
        struct Other {
            z_first: u8,
        }
        let mut sink = Sink::new(Format::Csv, Layout::plain(Format::Csv), Vec::new());
        sink.push(&RECS[0]).unwrap();
        let err = sink.push(&Other { z_first: 1 }).unwrap_err();
        assert!(err.to_string().contains("not the columns"), "{err}");
    }

    /// A writer the test can read while the sink still owns it.
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[derive(Serialize)]
    struct Row {
        id: u32,
        note: String,
    }

    #[derive(Serialize)]
    struct Call {
        id: u32,
        call_start: Option<i64>,
        note: String,
    }

    #[test]
    fn table_is_sized_on_the_first_rows_then_streamed() {
        let shared = Shared::default();
        let mut sink = Sink::new(Format::Table, Layout::plain(Format::Table), shared.clone());
        for i in 0..TABLE_SIZING_ROWS - 1 {
            sink.push(&Row {
                id: i as u32,

                note: "ab".into(),
            })
            .unwrap();
        }
        assert!(shared.0.borrow().is_empty(), "held while sizing");
        assert_eq!(sink.held(), TABLE_SIZING_ROWS - 1);
        sink.push(&Row {
            id: 7,

            note: "ab".into(),
        })
        .unwrap();
        assert_eq!(sink.held(), 0, "written once sized");
        let written = shared.0.borrow().len();
        assert_eq!(
            String::from_utf8(shared.0.borrow().clone())
                .unwrap()
                .lines()
                .count(),
            TABLE_SIZING_ROWS + 1
        );
        // Later rows go straight out, a longer cell widening only its own row.
        for i in 0..1000 {
            sink.push(&Row {
                id: 100_000 + i,

                note: "a much longer note".into(),
            })
            .unwrap();
            assert_eq!(sink.held(), 0);
        }
        assert!(shared.0.borrow().len() > written);
        sink.finish().unwrap();
        let t = String::from_utf8(shared.0.borrow().clone()).unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), TABLE_SIZING_ROWS + 1001);
        assert_eq!(lines[0], "id   note");
        assert_eq!(lines[1], "  0  ab");
        assert_eq!(lines[TABLE_SIZING_ROWS + 1], "100000  a much longer note");
    }

    #[test]
    fn fields_choose_and_order_columns_and_times_can_be_iso() {
        let cols: Vec<String> = ["id", "call_start", "note"].map(String::from).into();
        let recs = [Call {
            id: 1,
            call_start: Some(1_509_685_842),
            note: "x".into(),
        }];
        let render = |format, fields: Option<&[String]>, tf| {
            let layout = Layout::new(format, fields, tf, &cols, &["call_start"]).unwrap();
            let mut sink = Sink::new(format, layout, Vec::new());
            for r in &recs {
                sink.push(r).unwrap();
            }
            String::from_utf8(sink.finish().unwrap()).unwrap()
        };
        let two = ["note".to_string(), "call_start".to_string()];
        assert_eq!(
            render(Format::Csv, Some(&two), None),
            "note,call_start\nx,1509685842\n"
        );
        assert_eq!(
            render(Format::Csv, Some(&two), Some(TimeFormat::Iso)),
            "note,call_start\nx,2017-11-03T05:10:42Z\n"
        );
        assert_eq!(
            render(Format::Table, None, None),
            "id  call_start            note\n 1  2017-11-03T05:10:42Z  x\n"
        );
        assert_eq!(
            render(Format::Table, None, Some(TimeFormat::Unix)),
            "id  call_start  note\n 1  1509685842  x\n"
        );
        let e =
            Layout::new(Format::Csv, Some(&["nope".to_string()]), None, &cols, &[]).unwrap_err();
        assert!(
            e.contains("unknown field \"nope\"") && e.contains("id, call_start, note"),
            "{e}"
        );
        let e = Layout::new(Format::Jsonl, Some(&two), None, &cols, &[]).unwrap_err();
        assert!(e.contains("--fields shapes table and csv"), "{e}");
        let e = Layout::new(Format::Json, None, Some(TimeFormat::Iso), &cols, &[]).unwrap_err();
        assert!(e.contains("--time-format"), "{e}");
    }

    #[test]
    fn escaping_and_bounding() {
        assert_eq!(escape_controls("plain", false), "plain");
        assert_eq!(
            escape_controls("\u{1b}[2J\u{1b}]0;t\u{7}\r\nx", false),
            "\\u{1b}[2J\\u{1b}]0;t\\u{7}\\r\\nx"
        );
        assert_eq!(escape_controls("a\nb\u{1b}", true), "a\nb\\u{1b}");
        assert_eq!(bounded("short", 10), "short");
        assert_eq!(bounded("ééééé", 3), "é… (10 bytes)");
    }
}
