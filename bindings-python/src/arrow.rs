//! Rows to Arrow record batches, exported through the C stream interface.
//!
//! Batches are built lazily as the consumer pulls them, straight from the spans: no
//! Python object per record or per field. Timestamps are `timestamp[s, UTC]` (the
//! instant); the line's own offset is kept in `utc_offset_minutes`.

use crate::records::Rows;
use crate::store::{Detail, Span, Store};
use arrow_array::types::{Int16Type, TimestampSecondType, UInt32Type, UInt64Type};
use arrow_array::{ArrowPrimitiveType, PrimitiveArray, StringArray};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::sync::Arc;

/// Rows per batch: keeps each string column far from the 2 GiB offset limit of
/// `utf8` and lets consumers start before the last batch is built.
const BATCH_ROWS: usize = 64 * 1024;

fn utc() -> DataType {
    DataType::Timestamp(TimeUnit::Second, Some("UTC".into()))
}

fn f(name: &str, t: DataType, nullable: bool) -> Field {
    Field::new(name, t, nullable)
}

pub fn schema(rows: &Rows) -> SchemaRef {
    use DataType::*;
    let fields = match rows {
        Rows::Sessions(_) => vec![
            f("kind", Utf8, false),
            f("ani", Utf8, false),
            f("channel", UInt32, false),
            f("timestamp", utc(), false),
            f("utc_offset_minutes", Int16, false),
            f("dnis", Utf8, false),
            f("session_id", Utf8, false),
            f("call_start", utc(), true),
            f("call_end", utc(), true),
            f("duration", UInt64, true),
            f("label", Utf8, true),
            f("message", Utf8, true),
        ],
        Rows::Errors(_) => vec![
            f("ani", Utf8, false),
            f("channel", UInt32, false),
            f("timestamp", utc(), false),
            f("utc_offset_minutes", Int16, false),
            f("dnis", Utf8, false),
            f("session_id", Utf8, false),
            f("message", Utf8, false),
        ],
        Rows::Entries(_) => vec![
            // Null when the zone abbreviation is unknown: the instant is not known then,
            // but the wall-clock reading is, in `local_timestamp`.
            f("timestamp", utc(), true),
            f("utc_offset_minutes", Int16, true),
            f("local_timestamp", Timestamp(TimeUnit::Second, None), false),
            f("zone", Utf8, false),
            f("module", Utf8, false),
            f("session_id", Utf8, false),
            f("level", Utf8, false),
            f("message", Utf8, false),
        ],
        Rows::Summaries(_) => vec![
            f("log_id", UInt64, false),
            f("session_id", Utf8, false),
            f("dest", Utf8, false),
            f("type", Utf8, false),
            f("src", Utf8, false),
            f("start", utc(), false),
            f("end", utc(), false),
        ],
    };
    Arc::new(Schema::new(fields))
}

/// A `utf8` column written straight into its offsets and values buffers: the arrow
/// builders check and grow per value, which cost a third of a conversion.
struct Strings {
    offsets: Vec<i32>,
    values: Vec<u8>,
    valid: Option<Vec<bool>>,
}

impl Strings {
    /// Sized exactly (`bytes` = the sum of the values' lengths): no regrowth copies.
    fn new(n: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        Strings { offsets, values: Vec::with_capacity(bytes), valid: None }
    }
    #[inline]
    fn push(&mut self, s: &str) {
        self.values.extend_from_slice(s.as_bytes());
        // Checked in `done`: a wrapped offset never reaches Arrow.
        self.offsets.push(self.values.len() as i32);
        if let Some(v) = &mut self.valid {
            v.push(true);
        }
    }
    #[inline]
    fn opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.push(s),
            None => {
                let n = self.offsets.len() - 1;
                self.valid.get_or_insert_with(|| vec![true; n]).push(false);
                self.offsets.push(self.values.len() as i32);
            }
        }
    }
    fn done(self) -> Result<ArrayRef, ArrowError> {
        if self.values.len() > i32::MAX as usize {
            return Err(ArrowError::ComputeError(format!(
                "{} bytes of text in one column of one batch is more than `utf8` can hold",
                self.values.len()
            )));
        }
        let offsets = OffsetBuffer::new(ScalarBuffer::from(self.offsets));
        let nulls = self.valid.map(NullBuffer::from);
        // SAFETY: the values are whole `&str`s laid end to end and every offset is
        // a boundary between two of them, so each slice is valid UTF-8.
        Ok(Arc::new(unsafe { StringArray::new_unchecked(offsets, Buffer::from_vec(self.values), nulls) }))
    }
}

/// A primitive column with the builder API used below, minus its per-value checks.
struct Prim<T: ArrowPrimitiveType> {
    values: Vec<T::Native>,
    valid: Option<Vec<bool>>,
}

impl<T: ArrowPrimitiveType> Prim<T> {
    fn with_capacity(n: usize) -> Self {
        Prim { values: Vec::with_capacity(n), valid: None }
    }
    #[inline]
    fn append_value(&mut self, v: T::Native) {
        self.values.push(v);
        if let Some(valid) = &mut self.valid {
            valid.push(true);
        }
    }
    #[inline]
    fn append_null(&mut self) {
        let n = self.values.len();
        self.valid.get_or_insert_with(|| vec![true; n]).push(false);
        self.values.push(T::Native::default());
    }
    #[inline]
    fn append_option(&mut self, v: Option<T::Native>) {
        match v {
            Some(v) => self.append_value(v),
            None => self.append_null(),
        }
    }
    fn finish(&mut self) -> PrimitiveArray<T> {
        let values = ScalarBuffer::from(std::mem::take(&mut self.values));
        PrimitiveArray::new(values, self.valid.take().map(NullBuffer::from))
    }
}

type UInt32Builder = Prim<UInt32Type>;
type UInt64Builder = Prim<UInt64Type>;
type Int16Builder = Prim<Int16Type>;
type TimestampSecondBuilder = Prim<TimestampSecondType>;

fn total<R>(rows: &[R], len: impl Fn(&R) -> usize) -> usize {
    rows.iter().map(len).sum()
}

fn ts(b: TimestampSecondBuilder, zone: bool) -> ArrayRef {
    let mut b = b;
    let a = b.finish();
    if zone { Arc::new(a.with_timezone("UTC")) } else { Arc::new(a) }
}

fn batch(st: &Store, rows: &Rows, lo: usize, hi: usize, schema: &SchemaRef) -> Result<RecordBatch, ArrowError> {
    let n = hi - lo;
    let cols: Vec<ArrayRef> = match rows {
        Rows::Sessions(r) => {
            let r = &r[lo..hi];
            let tag = |row: &crate::store::SessionRow, pick: fn(Span, Span) -> Span| match row.detail {
                Detail::Tag { label, message } => pick(label, message).len(),
                Detail::Call { .. } => 0,
            };
            let mut kind = Strings::new(n, total(r, |x| x.kind.len()));
            let mut ani = Strings::new(n, total(r, |x| x.ani.len()));
            let mut dnis = Strings::new(n, total(r, |x| x.dnis.len()));
            let mut sid = Strings::new(n, total(r, |x| x.sid.len()));
            let mut label = Strings::new(n, total(r, |x| tag(x, |l, _| l)));
            let mut message = Strings::new(n, total(r, |x| tag(x, |_, m| m)));
            let mut channel = UInt32Builder::with_capacity(n);
            let mut stamp = TimestampSecondBuilder::with_capacity(n);
            let mut offset = Int16Builder::with_capacity(n);
            let mut start = TimestampSecondBuilder::with_capacity(n);
            let mut end = TimestampSecondBuilder::with_capacity(n);
            let mut duration = UInt64Builder::with_capacity(n);
            for row in r {
                kind.push(st.get(row.kind));
                ani.push(st.get(row.ani));
                channel.append_value(row.channel);
                // Session lines always carry a numeric offset.
                stamp.append_option(row.ts.unix_seconds());
                offset.append_option(row.ts.offset_minutes);
                dnis.push(st.get(row.dnis));
                sid.push(st.get(row.sid));
                match row.detail {
                    Detail::Call { start: s, end: e, duration: d } => {
                        start.append_value(s);
                        end.append_value(e);
                        duration.append_value(d);
                        label.opt(None);
                        message.opt(None);
                    }
                    Detail::Tag { label: l, message: m } => {
                        start.append_null();
                        end.append_null();
                        duration.append_null();
                        label.push(st.get(l));
                        message.push(st.get(m));
                    }
                }
            }
            vec![
                kind.done()?,
                ani.done()?,
                Arc::new(channel.finish()),
                ts(stamp, true),
                Arc::new(offset.finish()),
                dnis.done()?,
                sid.done()?,
                ts(start, true),
                ts(end, true),
                Arc::new(duration.finish()),
                label.done()?,
                message.done()?,
            ]
        }
        Rows::Errors(r) => {
            let r = &r[lo..hi];
            let mut ani = Strings::new(n, total(r, |x| x.ani.len()));
            let mut dnis = Strings::new(n, total(r, |x| x.dnis.len()));
            let mut sid = Strings::new(n, total(r, |x| x.sid.len()));
            let mut message = Strings::new(n, total(r, |x| x.message.len()));
            let mut channel = UInt32Builder::with_capacity(n);
            let mut stamp = TimestampSecondBuilder::with_capacity(n);
            let mut offset = Int16Builder::with_capacity(n);
            for row in r {
                ani.push(st.get(row.ani));
                channel.append_value(row.channel);
                stamp.append_option(row.ts.unix_seconds());
                offset.append_option(row.ts.offset_minutes);
                dnis.push(st.get(row.dnis));
                sid.push(st.get(row.sid));
                message.push(st.get(row.message));
            }
            vec![
                ani.done()?,
                Arc::new(channel.finish()),
                ts(stamp, true),
                Arc::new(offset.finish()),
                dnis.done()?,
                sid.done()?,
                message.done()?,
            ]
        }
        Rows::Entries(r) => {
            let r = &r[lo..hi];
            let mut zone = Strings::new(n, total(r, |x| x.zone.len()));
            let mut module = Strings::new(n, total(r, |x| x.module.len()));
            let mut sid = Strings::new(n, total(r, |x| x.sid.len()));
            let mut level = Strings::new(n, total(r, |x| x.level.len()));
            let mut message = Strings::new(n, total(r, |x| x.message.len()));
            let mut stamp = TimestampSecondBuilder::with_capacity(n);
            let mut local = TimestampSecondBuilder::with_capacity(n);
            let mut offset = Int16Builder::with_capacity(n);
            for row in r {
                stamp.append_option(row.ts.unix_seconds());
                offset.append_option(row.ts.offset_minutes);
                local.append_value(row.ts.local_seconds());
                zone.push(st.get(row.zone));
                module.push(st.get(row.module));
                sid.push(st.get(row.sid));
                level.push(st.get(row.level));
                message.push(st.get(row.message));
            }
            vec![
                ts(stamp, true),
                Arc::new(offset.finish()),
                ts(local, false),
                zone.done()?,
                module.done()?,
                sid.done()?,
                level.done()?,
                message.done()?,
            ]
        }
        Rows::Summaries(r) => {
            let r = &r[lo..hi];
            let mut sid = Strings::new(n, total(r, |x| x.sid.len()));
            let mut dest = Strings::new(n, total(r, |x| x.dest.len()));
            let mut typ = Strings::new(n, total(r, |x| x.call_type.len()));
            let mut src = Strings::new(n, total(r, |x| x.src.len()));
            let mut log_id = UInt64Builder::with_capacity(n);
            let mut start = TimestampSecondBuilder::with_capacity(n);
            let mut end = TimestampSecondBuilder::with_capacity(n);
            for row in r {
                log_id.append_value(row.log_id);
                sid.push(st.get(row.sid));
                dest.push(st.get(row.dest));
                typ.push(st.get(row.call_type));
                src.push(st.get(row.src));
                start.append_value(row.start);
                end.append_value(row.end);
            }
            vec![
                Arc::new(log_id.finish()),
                sid.done()?,
                dest.done()?,
                typ.done()?,
                src.done()?,
                ts(start, true),
                ts(end, true),
            ]
        }
    };
    RecordBatch::try_new(schema.clone(), cols)
}

struct Reader {
    st: Arc<Store>,
    rows: Rows,
    pos: usize,
    schema: SchemaRef,
}

impl Iterator for Reader {
    type Item = Result<RecordBatch, ArrowError>;
    fn next(&mut self) -> Option<Self::Item> {
        let len = self.rows.len();
        if self.pos >= len {
            return None;
        }
        let hi = (self.pos + BATCH_ROWS).min(len);
        let out = batch(&self.st, &self.rows, self.pos, hi, &self.schema);
        self.pos = hi;
        Some(out)
    }
}

impl RecordBatchReader for Reader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

/// An `arrow_array_stream` PyCapsule over the rows. Big row sets are converted up
/// front on one thread per core (with the GIL released); smaller ones lazily, batch
/// by batch, as the consumer pulls.
pub fn capsule<'py>(py: Python<'py>, st: Arc<Store>, rows: Rows) -> PyResult<Bound<'py, PyCapsule>> {
    let schema = schema(&rows);
    let n = rows.len();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get()).min(8);
    let stream = if n >= 2 * BATCH_ROWS && cores >= 2 {
        let batches = py.detach(|| parallel_batches(&st, &rows, &schema, cores));
        FFI_ArrowArrayStream::new(Box::new(RecordBatchIterator::new(batches, schema)))
    } else {
        FFI_ArrowArrayStream::new(Box::new(Reader { st, rows, pos: 0, schema }))
    };
    PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
}

fn parallel_batches(
    st: &Store,
    rows: &Rows,
    schema: &SchemaRef,
    threads: usize,
) -> Vec<Result<RecordBatch, ArrowError>> {
    let n = rows.len();
    let ranges: Vec<(usize, usize)> = (0..n).step_by(BATCH_ROWS).map(|lo| (lo, (lo + BATCH_ROWS).min(n))).collect();
    let per = ranges.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .chunks(per)
            .map(|mine| scope.spawn(move || mine.iter().map(|&(lo, hi)| batch(st, rows, lo, hi, schema)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("an Arrow conversion thread panicked")).collect()
    })
}
