//! How session and error records cross into JS: as columns, assembled into plain
//! objects by `lib/columns.js` in one pass. `bench/parse.mjs` measured this against
//! one serde_json string per batch + `JSON.parse` (see README): columns won, mostly
//! because the JS-side cost of a big batch is the garbage collector copying what
//! was allocated, and columns allocate the least: no JSON text, numbers read from
//! typed arrays, and repeated words (`kind`, `label`) become one JS string each
//! through a dictionary.
//!
//! Text fields are concatenated into `text`; the slots hold their END offsets in
//! UTF-16 units (a field starts where the previous text field of the batch ended).
//!
//! Sessions, `SESSION_SLOTS` u32 per record:
//!   kind (dict index), channel, end of ani, timestamp, dnis, session_id,
//!   label (dict index or NULL), end of message (or NULL)
//! and `SESSION_NUMS` f64: call_start, call_end, duration (NaN for null).
//! Errors, `ERROR_SLOTS` u32 per record:
//!   channel, end of ani, timestamp, dnis, session_id, message; no numbers.

use crate::text::{Blob, output_buffer};
use napi::bindgen_prelude::{Float64Array, Uint32Array};
use napi_derive::napi;
use plumlogs::{ErrorRecord, SessionDetail, SessionRecord};
use std::collections::HashMap;

pub(crate) const SESSION_SLOTS: usize = 8;
pub(crate) const SESSION_NUMS: usize = 3;
pub(crate) const ERROR_SLOTS: usize = 6;
const NULL: u32 = u32::MAX;
/// V8's longest string (`String::kMaxLength` on 64-bit), in UTF-16 units.
const MAX_JS_STRING: u32 = (1 << 29) - 24;

/// A batch of records as columns (the layout is in the module docs). Output only.
#[napi(object, object_from_js = false)]
pub struct Columns {
    /// `sessions` or `errors`.
    pub shape: String,
    pub count: u32,
    /// The distinct `kind` and `label` words.
    pub dict: Vec<String>,
    /// Every other text field, concatenated.
    #[napi(ts_type = "string")]
    pub text: Blob,
    pub slots: Uint32Array,
    pub numbers: Float64Array,
    /// Lenient mode: the problems, as a JSON array of `{line, column, reason, input, ...}`.
    pub problems: Option<String>,
}

/// The same batch before it meets napi: `Send`, so it can be built on any thread.
pub struct RawColumns {
    shape: &'static str,
    count: u32,
    dict: Vec<String>,
    text: String,
    ascii: bool,
    slots: Vec<u32>,
    numbers: Vec<f64>,
    pub(crate) problems: Option<String>,
}

/// A batch as it crosses: columns (built off the JS thread as `RawColumns`) or a
/// JSON string (call-log entries, summaries).
pub fn to_js(
    out: napi::bindgen_prelude::Either<RawColumns, String>,
) -> napi::bindgen_prelude::Either<Columns, String> {
    use napi::bindgen_prelude::Either;
    match out {
        Either::A(raw) => Either::A(raw.into()),
        Either::B(json) => Either::B(json),
    }
}

impl From<RawColumns> for Columns {
    fn from(r: RawColumns) -> Columns {
        let text = r.text;
        Columns {
            shape: r.shape.to_owned(),
            count: r.count,
            dict: r.dict,
            text: Blob {
                text,
                ascii: r.ascii,
            },
            slots: Uint32Array::new(r.slots),
            numbers: Float64Array::new(r.numbers),
            problems: r.problems,
        }
    }
}

pub(crate) struct ColumnsBuilder {
    raw: RawColumns,
    index: HashMap<String, u32>,
    pos: u32,
    ascii: bool,
}

impl ColumnsBuilder {
    fn new(shape: &'static str, bytes: usize) -> Self {
        ColumnsBuilder {
            raw: RawColumns {
                shape,
                count: 0,
                dict: Vec::new(),
                text: output_buffer(bytes),
                ascii: true,
                slots: Vec::with_capacity(bytes / 12),
                numbers: Vec::with_capacity(if shape == "sessions" { bytes / 32 } else { 0 }),
                problems: None,
            },
            index: HashMap::new(),
            pos: 0,
            ascii: true,
        }
    }

    /// Columns for session records; `bytes` sizes the buffers (the input length).
    pub(crate) fn sessions(bytes: usize) -> Self {
        Self::new("sessions", bytes)
    }

    pub(crate) fn errors(bytes: usize) -> Self {
        Self::new("errors", bytes)
    }

    fn word(&mut self, w: &str) -> u32 {
        // Few distinct words in practice (`inbound`, `outbound`, `fetchurl`, …): a
        // scan beats hashing; the map takes over for inputs with many.
        if self.raw.dict.len() <= 8 {
            if let Some(i) = self.raw.dict.iter().position(|d| d == w) {
                return i as u32;
            }
        } else if let Some(&i) = self.index.get(w) {
            return i;
        }
        let i = self.raw.dict.len() as u32;
        self.raw.dict.push(w.to_owned());
        self.index.insert(w.to_owned(), i);
        i
    }

    fn text(&mut self, s: &str) {
        self.raw.text.push_str(s);
        // JS indexes strings in UTF-16 units.
        let units = if s.is_ascii() {
            s.len()
        } else {
            self.ascii = false;
            s.encode_utf16().count()
        };
        // Saturates instead of wrapping: `finish` refuses anything past MAX_JS_STRING.
        self.pos = self
            .pos
            .saturating_add(u32::try_from(units).unwrap_or(u32::MAX));
        self.raw.slots.push(self.pos);
    }

    /// ani, timestamp, dnis, session_id: the fields both line shapes share.
    fn common(&mut self, ani: &str, ts: &plumlogs::Timestamp, dnis: &str, sid: &str) {
        self.text(ani);
        let mut iso = [0u8; 25];
        let n = ts.write_iso(&mut iso);
        // write_iso writes ASCII digits and separators only.
        self.text(std::str::from_utf8(&iso[..n]).unwrap_or_default());
        self.text(dnis);
        self.text(sid);
    }

    pub(crate) fn push_session(&mut self, rec: &SessionRecord<'_>) {
        self.raw.count += 1;
        let kind = self.word(&rec.kind);
        self.raw.slots.push(kind);
        self.raw.slots.push(rec.channel);
        self.common(&rec.ani, &rec.timestamp, &rec.dnis, rec.session_id.as_str());
        match &rec.detail {
            SessionDetail::Tag { label, message } => {
                let l = self.word(label);
                self.raw.slots.push(l);
                self.text(message);
                self.raw
                    .numbers
                    .extend_from_slice(&[f64::NAN; SESSION_NUMS]);
            }
            SessionDetail::Call {
                start,
                end,
                duration,
            } => {
                self.raw.slots.extend_from_slice(&[NULL, NULL]);
                self.raw
                    .numbers
                    .extend_from_slice(&[*start as f64, *end as f64, *duration as f64]);
            }
        }
    }

    /// Add the records of `other` (the columns of the text that follows) after these.
    fn append(&mut self, other: ColumnsBuilder) {
        let base = self.pos;
        let words: Vec<u32> = other.raw.dict.iter().map(|w| self.word(w)).collect();
        let word = |i: u32| words.get(i as usize).copied().unwrap_or(NULL);
        // Past MAX_JS_STRING the offsets are refused by `finish`; saturate, never wrap.
        let text = |end: u32| {
            if end == NULL {
                NULL
            } else {
                end.saturating_add(base)
            }
        };
        let per = if self.raw.shape == "sessions" {
            SESSION_SLOTS
        } else {
            ERROR_SLOTS
        };
        self.raw.slots.reserve(other.raw.slots.len());
        for rec in other.raw.slots.chunks_exact(per) {
            if per == SESSION_SLOTS {
                self.raw.slots.extend_from_slice(&[
                    word(rec[0]),
                    rec[1],
                    text(rec[2]),
                    text(rec[3]),
                    text(rec[4]),
                    text(rec[5]),
                    if rec[6] == NULL { NULL } else { word(rec[6]) },
                    text(rec[7]),
                ]);
            } else {
                self.raw.slots.extend_from_slice(&[
                    rec[0],
                    text(rec[1]),
                    text(rec[2]),
                    text(rec[3]),
                    text(rec[4]),
                    text(rec[5]),
                ]);
            }
        }
        self.raw.text.push_str(&other.raw.text);
        self.raw.numbers.extend_from_slice(&other.raw.numbers);
        self.raw.count += other.raw.count;
        self.pos = self.pos.saturating_add(other.pos);
        self.ascii &= other.ascii;
    }

    pub(crate) fn push_error(&mut self, rec: &ErrorRecord<'_>) {
        self.raw.count += 1;
        self.raw.slots.push(rec.channel);
        self.common(&rec.ani, &rec.timestamp, &rec.dnis, rec.session_id.as_str());
        self.text(&rec.message);
    }

    /// The batch, or an error when its text is more than one JS string can hold.
    pub(crate) fn finish(self) -> Result<RawColumns, plumlogs::Error> {
        if self.pos > MAX_JS_STRING {
            return Err(plumlogs::Error::invalid_argument(
                "text",
                format!(
                    "the records of this input hold more text than one JavaScript string can \
                     ({MAX_JS_STRING} UTF-16 units); parse it in parts"
                ),
            ));
        }
        let (slots, nums) = if self.raw.shape == "sessions" {
            (SESSION_SLOTS, SESSION_NUMS)
        } else {
            (ERROR_SLOTS, 0)
        };
        debug_assert_eq!(self.raw.slots.len(), self.raw.count as usize * slots);
        debug_assert_eq!(self.raw.numbers.len(), self.raw.count as usize * nums);
        let mut raw = self.raw;
        raw.ascii = self.ascii;
        Ok(raw)
    }
}

/// The whole text as columns, with core's chunked parse (one worker per core for a
/// big text, each chunk into its own builder; the builders are then appended in
/// text order). Strict: the first problem (in text order) is the error. Lenient:
/// every problem, as JSON.
pub(crate) fn columns_of<'a, R: plumlogs::TextRecord<'a>>(
    text: &'a [u8],
    strict: bool,
    new: fn(usize) -> ColumnsBuilder,
    push: fn(&mut ColumnsBuilder, &R),
) -> Result<RawColumns, plumlogs::Error> {
    let done = plumlogs::parse_chunked::<R, _, _, _>(
        text,
        strict,
        &plumlogs::Chunking::default(),
        |p| new(p.text.len()),
        |b, r| push(b, &r),
    );
    let mut problems = done.problems;
    if strict && !problems.is_empty() {
        return Err(plumlogs::Error::Parse(problems.swap_remove(0)));
    }
    let mut parts = done.parts.into_iter();
    let mut columns = parts.next().unwrap_or_else(|| new(0));
    for part in parts {
        columns.append(part);
    }
    let mut raw = columns.finish()?;
    if !strict {
        let list: Vec<_> = problems
            .iter()
            .map(|e| serde_json::Value::Object(crate::error::parse_error_fields(e)))
            .collect();
        raw.problems = Some(serde_json::Value::from(list).to_string());
    }
    Ok(raw)
}
