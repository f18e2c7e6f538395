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

/// Control characters would break a table's rows and columns (or a terminal, in a
/// stderr line): show them escaped.
pub(crate) fn table_cell(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Where the bytes go: straight out, or through the csv writer (which quotes).
enum Dest<W: Write> {
    Raw(W),
    Csv(Box<csv::Writer<W>>),
}

/// A destination for records of one type in one format.
pub struct Sink<W: Write> {
    format: Format,
    dest: Dest<W>,
    count: usize,
    columns: Option<Vec<String>>,
    /// Table rows are held until the end: column widths depend on every row.
    rows: Vec<Vec<String>>,
    numeric: Vec<bool>,
}

fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> Sink<W> {
    pub fn new(format: Format, out: W) -> Self {
        let dest = match format {
            Format::Csv => Dest::Csv(Box::new(csv::Writer::from_writer(out))),
            _ => Dest::Raw(out),
        };
        Sink {
            format,
            dest,
            count: 0,
            columns: None,
            rows: Vec::new(),
            numeric: Vec::new(),
        }
    }

    pub fn count(&self) -> usize {
        self.count
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
                match &mut self.dest {
                    Dest::Csv(w) => {
                        if self.count == 0 {
                            w.write_record(self.columns.as_deref().unwrap_or_default())
                                .map_err(csv_err)?;
                        }
                        w.write_record(fields.into_iter().map(|(_, v)| cell(v)))
                            .map_err(csv_err)?;
                    }
                    Dest::Raw(_) => {
                        for (i, (_, v)) in fields.iter().enumerate() {
                            if !(v.is_number() || v.is_null()) {
                                self.numeric[i] = false;
                            }
                        }
                        self.rows.push(
                            fields
                                .into_iter()
                                .map(|(_, v)| table_cell(&cell(v)))
                                .collect(),
                        );
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
                self.numeric = vec![true; fields.len()];
                self.columns = Some(fields.iter().map(|(k, _)| k.clone()).collect());
            }
        }
        Ok(())
    }

    /// Write what is held back (table), close the array (json), and flush.
    pub fn finish(self) -> io::Result<W> {
        let mut out = match self.dest {
            Dest::Csv(w) => w
                .into_inner()
                .map_err(|e| io::Error::new(e.error().kind(), e.error().to_string()))?,
            Dest::Raw(out) => out,
        };
        match self.format {
            Format::Json => out.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?,
            Format::Table => {
                if let Some(cols) = &self.columns {
                    write_table(&mut out, cols, &self.rows, &self.numeric)?;
                }
            }
            Format::Csv | Format::Jsonl => {}
        }
        out.flush()?;
        Ok(out)
    }
}

fn write_table<W: Write>(
    out: &mut W,
    cols: &[String],
    rows: &[Vec<String>],
    numeric: &[bool],
) -> io::Result<()> {
    let mut widths: Vec<usize> = cols.iter().map(|c| c.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut line = String::new();
    let mut emit = |out: &mut W, cells: &[String], header: bool| -> io::Result<()> {
        line.clear();
        // Cells after the last non-empty one are left out, so no row ends in blanks
        // that are padding rather than data.
        let used = cells
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1);
        for (i, c) in cells[..used].iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = widths[i] - c.chars().count();
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
    };
    emit(out, cols, true)?;
    for row in rows {
        emit(out, row, false)?;
    }
    Ok(())
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
        let mut sink = Sink::new(format, Vec::new());
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
        let mut sink = Sink::new(Format::Csv, Vec::new());
        sink.push(&RECS[0]).unwrap();
        let err = sink.push(&Other { z_first: 1 }).unwrap_err();
        assert!(err.to_string().contains("not the columns"), "{err}");
    }
}
