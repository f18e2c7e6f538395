//! Rows to Arrow record batches, exported through the C stream interface.
//!
//! Nothing is converted: every Arrow buffer is one of the columns a parse wrote (see
//! `columns`) or the text their string views point into, shared with the consumer
//! and kept alive by it. Only the validity bitmaps are built here (a bit per row).
//! Timestamps are `timestamp[s, UTC]` (the instant); the line's own offset is kept in
//! `utc_offset_minutes`. Text columns are `string_view`.

use crate::columns::{EntryCols, ErrorCols, SessionCols, SummaryCols};
use crate::rows::Rows;
use crate::store::{Columns, Part, Table, View, shared_buffer};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::types::{Int16Type, TimestampSecondType, UInt32Type, UInt64Type};
use arrow_array::{
    ArrayRef, ArrowPrimitiveType, LargeStringArray, PrimitiveArray, RecordBatch,
    RecordBatchIterator, StringArray, StringViewArray,
};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, ScalarBuffer};
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use plumlogs::schema::LogicalType;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
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

/// Each part as one batch of shared columns, cut into zero-copy slices.
fn batches<C: Columns>(
    table: &Table<C>,
    schema: &SchemaRef,
    columns: fn(&Part<C>) -> Vec<ArrayRef>,
) -> Vec<Result<RecordBatch, ArrowError>> {
    let mut out = Vec::new();
    for part in &table.parts {
        let whole = match RecordBatch::try_new(schema.clone(), columns(part)) {
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
    let (schema, batches) = record_batches(&rows);
    export(py, schema, batches, requested_schema)
}

/// The rows' columnar form as record batches (shared columns, nothing converted).
pub(crate) fn record_batches(rows: &Rows) -> (SchemaRef, Vec<Result<RecordBatch, ArrowError>>) {
    let schema = schema(rows);
    let batches = match rows {
        Rows::Sessions(t) => batches(t, &schema, session_columns),
        Rows::Errors(t) => batches(t, &schema, error_columns),
        Rows::Entries(t) => batches(t, &schema, entry_columns),
        Rows::Summaries(t) => batches(t, &schema, summary_columns),
    };
    (schema, batches)
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
