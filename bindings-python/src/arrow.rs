//! Rows to Arrow record batches, exported through the C stream interface.
//!
//! Nothing is converted: every Arrow buffer is one of the columns a parse wrote (see
//! `columns`) or the text their string views point into, shared with the consumer
//! and kept alive by it. Only the validity bitmaps are built here (a bit per row).
//! Timestamps are `timestamp[s, UTC]` (the instant); the line's own offset is kept in
//! `utc_offset_minutes`. Text columns are `string_view`.

use crate::columns::{EntryCols, ErrorCols, SessionCols, SummaryCols};
use crate::rows::Rows;
use crate::store::{Columns, DayCache, Part, Table, View, prefix_view, shared_buffer};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::types::{Int16Type, TimestampSecondType, UInt32Type, UInt64Type};
use arrow_array::{
    ArrayRef, ArrowPrimitiveType, LargeStringArray, PrimitiveArray, RecordBatch,
    RecordBatchIterator, StringArray, StringViewArray, TimestampSecondArray,
};
use arrow_buffer::{BooleanBuffer, BooleanBufferBuilder, Buffer, NullBuffer, ScalarBuffer};
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use plumlogs::schema::LogicalType;
use plumlogs::{SessionId, Timestamp};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::borrow::Cow;
use std::sync::Arc;

/// Rows per batch: lets consumers start before the last batch is read and keeps
/// batches a size every engine handles well (they are zero-copy slices).
const BATCH_ROWS: usize = 64 * 1024;

/// The Arrow type of a column of `plumlogs::schema`'s logical type (the mapping is
/// documented there).
pub(crate) fn arrow_type(ty: LogicalType) -> DataType {
    match ty {
        LogicalType::Text | LogicalType::SessionId => DataType::Utf8View,
        LogicalType::Int16 => DataType::Int16,
        LogicalType::UInt32 => DataType::UInt32,
        LogicalType::UInt64 | LogicalType::DurationSeconds => DataType::UInt64,
        LogicalType::UnixSeconds => DataType::Timestamp(TimeUnit::Second, Some("UTC".into())),
        LogicalType::LocalSeconds => DataType::Timestamp(TimeUnit::Second, None),
        // Record form only: the columnar form splits it (see `plumlogs::schema`).
        other => unreachable!("no column is of type {other:?}"),
    }
}

/// The Arrow schema of a record type: its columnar form in `plumlogs::schema`.
pub fn schema(rows: &Rows) -> SchemaRef {
    let fields: Vec<Field> = rows
        .schema()
        .columns
        .iter()
        .map(|c| Field::new(c.name, arrow_type(c.ty), c.nullable))
        .collect();
    Arc::new(Schema::new(fields))
}

/// The columns of one part, lent to Arrow: each array keeps the part alive.
struct Lend<'p, C: Columns> {
    cols: &'p Arc<C>,
    text: Arc<[Buffer]>,
}

impl<C: Columns> Lend<'_, C> {
    fn buffer<T>(&self, v: &[T]) -> Buffer {
        // SAFETY: the plain-old-data values of a column, viewed as their bytes.
        let bytes = unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), size_of_val(v)) };
        shared_buffer(bytes, self.cols.clone())
    }

    fn prim<T: ArrowPrimitiveType>(
        &self,
        v: &[T::Native],
        nulls: Option<NullBuffer>,
    ) -> PrimitiveArray<T> {
        PrimitiveArray::new(ScalarBuffer::new(self.buffer(v), 0, v.len()), nulls)
    }

    fn num<T: ArrowPrimitiveType>(&self, v: &[T::Native], nulls: Option<NullBuffer>) -> ArrayRef {
        Arc::new(self.prim::<T>(v, nulls))
    }

    fn time(&self, v: &[i64], nulls: Option<NullBuffer>, utc: bool) -> ArrayRef {
        let a = self.prim::<TimestampSecondType>(v, nulls);
        if utc {
            Arc::new(a.with_timezone("UTC"))
        } else {
            Arc::new(a)
        }
    }

    fn text(&self, v: &[View], nulls: Option<NullBuffer>) -> ArrayRef {
        let views = ScalarBuffer::new(self.buffer(v), 0, v.len());
        // SAFETY: every view was made by `Views::view` from a whole `&str` of the
        // text behind `self.text` (same store, same buffer order), or is the empty
        // view of a null slot.
        Arc::new(unsafe { StringViewArray::new_unchecked(views, self.text.clone(), nulls) })
    }
}

/// Valid where `flag[i] == want`; `None` when every row is.
fn valid_where(flag: &[bool], want: bool) -> Option<NullBuffer> {
    let nulls = NullBuffer::new(BooleanBuffer::collect_bool(flag.len(), |i| flag[i] == want));
    (nulls.null_count() > 0).then_some(nulls)
}

fn lend<C: Columns>(part: &Part<C>) -> Lend<'_, C> {
    Lend {
        cols: &part.cols,
        text: part.st.arrow_buffers(),
    }
}

fn session_columns(part: &Part<SessionCols>) -> Vec<ArrayRef> {
    let (a, c) = (lend(part), &*part.cols);
    let (call, tag) = (
        valid_where(&c.is_call, true),
        valid_where(&c.is_call, false),
    );
    vec![
        a.text(&c.kind, None),
        a.text(&c.ani, None),
        a.num::<UInt32Type>(&c.channel, None),
        a.time(&c.unix, None, true),
        a.num::<Int16Type>(&c.offset, None),
        a.text(&c.dnis, None),
        a.text(&c.sid, None),
        a.time(&c.start, call.clone(), true),
        a.time(&c.end, call.clone(), true),
        a.num::<UInt64Type>(&c.duration, call),
        a.text(&c.label, tag.clone()),
        a.text(&c.message, tag),
    ]
}

fn error_columns(part: &Part<ErrorCols>) -> Vec<ArrayRef> {
    let (a, c) = (lend(part), &*part.cols);
    vec![
        a.text(&c.ani, None),
        a.num::<UInt32Type>(&c.channel, None),
        a.time(&c.unix, None, true),
        a.num::<Int16Type>(&c.offset, None),
        a.text(&c.dnis, None),
        a.text(&c.sid, None),
        a.text(&c.message, None),
    ]
}

fn entry_columns(part: &Part<EntryCols>) -> Vec<ArrayRef> {
    let (a, c) = (lend(part), &*part.cols);
    let known = valid_where(&c.has_offset, true);
    vec![
        a.time(&c.unix, known.clone(), true),
        a.num::<Int16Type>(&c.offset, known),
        a.time(&c.local, None, false),
        a.text(&c.zone, None),
        a.text(&c.module, None),
        a.text(&c.sid, None),
        a.text(&c.level, None),
        a.text(&c.message, None),
    ]
}

fn summary_columns(part: &Part<SummaryCols>) -> Vec<ArrayRef> {
    let (a, c) = (lend(part), &*part.cols);
    vec![
        a.num::<UInt64Type>(&c.log_id, None),
        a.text(&c.sid, None),
        a.text(&c.dest, None),
        a.text(&c.call_type, None),
        a.text(&c.src, None),
        a.time(&c.start, None, true),
        a.time(&c.end, None, true),
    ]
}

/// The columns of one part that the frame form adds to the columnar form: the
/// wall-clock reading where the columnar form has none, and the session-id parts
/// (server, channel, start; null where an id does not split). Made in one pass over
/// the part's columns with core's rules (`Timestamp::local_seconds` through the
/// parse's own `DayCache`, `SessionId::parts`), only when a frame asks for them; the
/// server is a view of the id's own text, so no string is copied.
pub(crate) struct Derived {
    pub local: Option<ArrayRef>,
    pub id_parts: [ArrayRef; 3],
}

/// The wall-clock readings of `ts` as a `timestamp[s]` column.
fn local_column(ts: &[Timestamp]) -> ArrayRef {
    let mut days = DayCache::default();
    let local: Vec<i64> = ts.iter().map(|t| days.local_seconds(t)).collect();
    Arc::new(TimestampSecondArray::new(local.into(), None))
}

/// The parts of the session ids `sids` (views into `part`'s text).
fn id_columns<C: Columns>(part: &Part<C>, sids: &[View]) -> [ArrayRef; 3] {
    let n = sids.len();
    let (mut server, mut channel, mut start) = (
        Vec::<View>::with_capacity(n),
        Vec::<u32>::with_capacity(n),
        Vec::<i64>::with_capacity(n),
    );
    // Where an id does not split (never, for ids core's parsers read).
    let mut bad = Vec::new();
    for (i, v) in sids.iter().enumerate() {
        let text = part.st.get(v);
        match SessionId(Cow::Borrowed(text)).parts() {
            Ok(p) => {
                server.push(prefix_view(text, *v, p.server.len()));
                channel.push(p.channel);
                start.push(p.start);
            }
            Err(_) => {
                server.push(0);
                channel.push(0);
                start.push(0);
                bad.push(i);
            }
        }
    }
    let nulls = (!bad.is_empty()).then(|| {
        let mut valid = BooleanBufferBuilder::new(n);
        valid.append_n(n, true);
        for i in bad {
            valid.set_bit(i, false);
        }
        NullBuffer::new(valid.finish())
    });
    // SAFETY: each view is a prefix (ending at a `;`, so whole UTF-8) of a view of the
    // same text, in the same buffers, or the empty view of a null slot.
    let server = unsafe {
        StringViewArray::new_unchecked(server.into(), part.st.arrow_buffers(), nulls.clone())
    };
    [
        Arc::new(server),
        Arc::new(PrimitiveArray::<UInt32Type>::new(
            channel.into(),
            nulls.clone(),
        )),
        Arc::new(TimestampSecondArray::new(start.into(), nulls).with_timezone("UTC")),
    ]
}

/// A part's derived columns from its written timestamps and its session ids. Without
/// timestamps (`None`) there is no local time to add: entries carry
/// `local_timestamp` in their columnar form, and summaries' times are UNIX seconds.
fn derived<C: Columns>(part: &Part<C>, ts: Option<&[Timestamp]>, sids: &[View]) -> Derived {
    Derived {
        local: ts.map(local_column),
        id_parts: id_columns(part, sids),
    }
}

/// A part's derived columns, made on first use.
pub(crate) struct Lazy<'p> {
    make: &'p dyn Fn() -> Derived,
    made: std::cell::OnceCell<Derived>,
}

impl Lazy<'_> {
    /// The derived columns (made by the first call).
    pub(crate) fn get(&self) -> &Derived {
        self.made.get_or_init(self.make)
    }
}

/// How a frame's columns are made of a part's columnar form (in schema order) and
/// its derived columns.
pub(crate) type Frame<'f> =
    &'f (dyn Fn(&[ArrayRef], &Lazy<'_>) -> Result<Vec<ArrayRef>, ArrowError> + Sync);

/// One part as one batch of shared columns (the columnar form, or what `frame`
/// makes of it).
fn part_batch<C: Columns>(
    part: &Part<C>,
    schema: &SchemaRef,
    columns: fn(&Part<C>) -> Vec<ArrayRef>,
    derived: fn(&Part<C>) -> Derived,
    frame: Option<Frame<'_>>,
) -> Result<RecordBatch, ArrowError> {
    let plain = columns(part);
    let arrays = match frame {
        None => plain,
        Some(f) => f(
            &plain,
            &Lazy {
                make: &|| derived(part),
                made: std::cell::OnceCell::new(),
            },
        )?,
    };
    RecordBatch::try_new(schema.clone(), arrays)
}

/// Each part as one batch of shared columns, cut into zero-copy slices. A frame's
/// derived columns are made on one thread per core (at most one per part), each
/// taking every `threads`-th part, the calling thread among them.
fn batches<C: Columns>(
    table: &Table<C>,
    schema: &SchemaRef,
    columns: fn(&Part<C>) -> Vec<ArrayRef>,
    derived: fn(&Part<C>) -> Derived,
    frame: Option<Frame<'_>>,
) -> Vec<Result<RecordBatch, ArrowError>> {
    let parts = &table.parts;
    let one = |i: usize| part_batch(&parts[i], schema, columns, derived, frame);
    let threads = match frame {
        Some(_) => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(parts.len()),
        None => 1,
    };
    let wholes: Vec<Result<RecordBatch, ArrowError>> = if threads <= 1 {
        (0..parts.len()).map(one).collect()
    } else {
        let stride = |k: usize| {
            (k..parts.len())
                .step_by(threads)
                .map(one)
                .collect::<Vec<_>>()
        };
        let mut done: Vec<std::vec::IntoIter<_>> = std::thread::scope(|s| {
            let others: Vec<_> = (1..threads).map(|k| s.spawn(move || stride(k))).collect();
            let mut done = vec![stride(0).into_iter()];
            done.extend(others.into_iter().map(|h| {
                h.join()
                    .unwrap_or_else(|_| {
                        vec![Err(ArrowError::ComputeError(
                            "making a frame's derived columns panicked".into(),
                        ))]
                    })
                    .into_iter()
            }));
            done
        });
        // Back in part order: part `i` is the `i / threads`-th of thread `i % threads`.
        (0..parts.len())
            .filter_map(|i| done[i % threads].next())
            .collect()
    };
    let mut out = Vec::new();
    for whole in wholes {
        let whole = match whole {
            Ok(b) => b,
            Err(e) => {
                out.push(Err(e));
                continue;
            }
        };
        let n = whole.num_rows();
        out.extend(
            (0..n)
                .step_by(BATCH_ROWS)
                .map(|lo| Ok(whole.slice(lo, BATCH_ROWS.min(n - lo)))),
        );
    }
    out
}

/// An `arrow_array_stream` PyCapsule over the rows, honouring a requested schema
/// as far as `plain_text` does.
pub fn capsule<'py>(
    py: Python<'py>,
    rows: Rows,
    requested_schema: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyCapsule>> {
    let schema = schema(&rows);
    let batches = frame_batches(&rows, &schema, None);
    export(py, schema, batches, requested_schema)
}

/// The rows as record batches of `schema`: the columnar form (`frame` `None`: shared
/// columns, nothing converted), or the columns `frame` picks from it and from the
/// derived columns (shared just the same).
pub(crate) fn frame_batches(
    rows: &Rows,
    schema: &SchemaRef,
    frame: Option<Frame<'_>>,
) -> Vec<Result<RecordBatch, ArrowError>> {
    match rows {
        Rows::Sessions(t) => batches(
            t,
            schema,
            session_columns,
            |p| derived(p, Some(&p.cols.ts), &p.cols.sid),
            frame,
        ),
        Rows::Errors(t) => batches(
            t,
            schema,
            error_columns,
            |p| derived(p, Some(&p.cols.ts), &p.cols.sid),
            frame,
        ),
        Rows::Entries(t) => batches(
            t,
            schema,
            entry_columns,
            |p| derived(p, None, &p.cols.sid),
            frame,
        ),
        Rows::Summaries(t) => batches(
            t,
            schema,
            summary_columns,
            |p| derived(p, None, &p.cols.sid),
            frame,
        ),
    }
}

/// `batches` of `schema` as an `arrow_array_stream` PyCapsule, honouring a requested
/// schema as far as `plain_text` does.
pub(crate) fn export<'py>(
    py: Python<'py>,
    schema: SchemaRef,
    batches: Vec<Result<RecordBatch, ArrowError>>,
    requested_schema: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyCapsule>> {
    let stream = match requested(requested_schema)?.and_then(|r| plain_text(&schema, &r)) {
        None => FFI_ArrowArrayStream::new(Box::new(RecordBatchIterator::new(batches, schema))),
        Some((asked, casts)) => {
            let asked = Arc::new(asked);
            let out: Vec<_> = batches
                .into_iter()
                .map(|b| cast_text(b?, &asked, &casts))
                .collect();
            FFI_ArrowArrayStream::new(Box::new(RecordBatchIterator::new(out, asked)))
        }
    };
    PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
}

/// The `requested_schema` argument of the PyCapsule protocol: `None`, or a capsule
/// named `arrow_schema`.
fn requested(arg: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Schema>> {
    let Some(arg) = arg.filter(|a| !a.is_none()) else {
        return Ok(None);
    };
    let capsule = arg.cast::<PyCapsule>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(
            "requested_schema must be an 'arrow_schema' PyCapsule or None",
        )
    })?;
    let ptr = capsule.pointer_checked(Some(c"arrow_schema"))?;
    // SAFETY: a capsule named `arrow_schema` holds an `ArrowSchema` (the protocol),
    // read here at once, before any Python code runs.
    let ffi = unsafe { ptr.cast::<FFI_ArrowSchema>().as_ref() };
    Ok(Schema::try_from(ffi).ok())
}

/// Which of our `string_view` columns the consumer asked for as `string` or
/// `large_string` (engines without view support ask so), and the schema that gives.
/// Any other difference is not honoured, as the protocol allows: the consumer sees
/// our type and casts or refuses it itself. `None` when nothing is to change.
fn plain_text(ours: &Schema, asked: &Schema) -> Option<(Schema, Vec<(usize, DataType)>)> {
    let casts: Vec<(usize, DataType)> = ours
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.data_type() == &DataType::Utf8View)
        .filter_map(|(i, f)| {
            let want = asked.field_with_name(f.name()).ok()?.data_type();
            matches!(want, DataType::Utf8 | DataType::LargeUtf8).then(|| (i, want.clone()))
        })
        .collect();
    if casts.is_empty() {
        return None;
    }
    let mut fields: Vec<Field> = ours.fields().iter().map(|f| f.as_ref().clone()).collect();
    for (i, t) in &casts {
        fields[*i] = fields[*i].clone().with_data_type(t.clone());
    }
    Some((Schema::new(fields), casts))
}

/// `batch` with the columns `casts` names copied from views into `string`/`large_string`.
fn cast_text(
    batch: RecordBatch,
    schema: &SchemaRef,
    casts: &[(usize, DataType)],
) -> Result<RecordBatch, ArrowError> {
    let mut cols = batch.columns().to_vec();
    for (i, t) in casts {
        let views = cols[*i]
            .as_any()
            .downcast_ref::<StringViewArray>()
            .expect("a string_view column");
        cols[*i] = match t {
            DataType::LargeUtf8 => Arc::new(views.iter().collect::<LargeStringArray>()),
            _ => {
                // `string` offsets are i32: more text than that in one batch is an
                // error here, not an overflow in the builder.
                let bytes: usize = views.views().iter().map(|v| *v as u32 as usize).sum();
                if bytes > i32::MAX as usize {
                    return Err(ArrowError::ComputeError(format!(
                        "column {:?} holds {bytes} bytes of text in one batch, more than `string` can; ask for `large_string`",
                        schema.field(*i).name()
                    )));
                }
                Arc::new(views.iter().collect::<StringArray>())
            }
        };
    }
    RecordBatch::try_new(schema.clone(), cols)
}
