//! Where the text of a bulk result lives, and how a record field points at it.
//!
//! A text field is an Arrow string *view* (`u128`): up to 12 bytes are held inside
//! the view, longer ones are (buffer, offset, length) into the caller's own input or
//! into a few buffers of text the parser had to build. The columns of
//! [`crate::columns`] hold these views, so the Arrow export hands the very same
//! memory to pyarrow or polars: no string is copied, and no Python object exists
//! until someone asks for one.

use plumlogs::Timestamp;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::panic::RefUnwindSafe;
use std::sync::Arc;

#[cfg(not(target_endian = "little"))]
compile_error!("Arrow string views are read in place: a little-endian target is assumed");

/// An Arrow `string_view` view: length, first 4 bytes, buffer index, offset (or, for
/// 12 bytes or fewer, the length and the bytes themselves).
pub type View = u128;

/// Views address a buffer with a signed 32-bit offset. The input is exposed as
/// overlapping windows starting every 1 GiB and up to 2 GiB long, so any field that
/// starts in window `k` and is shorter than 1 GiB lies wholly inside it.
const WINDOW_SHIFT: u32 = 30;
const WINDOW_LEN: usize = i32::MAX as usize;
/// The longest field a view can point at.
pub const MAX_FIELD: usize = (1 << WINDOW_SHIFT) - 1;

/// The caller's input: a Python `str` or `bytes` read in place, or none (a store of
/// built text only).
#[derive(Default)]
pub enum Text {
    #[default]
    Empty,
    Py {
        _owner: Py<PyAny>,
        ptr: *const u8,
        len: usize,
    },
}

// SAFETY: `str` and `bytes` are immutable, the UTF-8 form of a `str` is cached in
// the object for its lifetime, and `_owner` keeps the object alive for as long as
// the pointer is used; reading it needs no GIL.
unsafe impl Send for Text {}
// SAFETY: as for `Send`: the text is immutable and outlives every reader.
unsafe impl Sync for Text {}
impl RefUnwindSafe for Text {}

// `PyUnicode_AsUTF8AndSize` is exported by every CPython 3 and part of the stable ABI
// from 3.10; pyo3's abi3-py39 declarations leave it out, so it is declared here. For
// an ASCII `str` (what logs are) it returns the object's own bytes: no copy at all.
unsafe extern "C" {
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut pyo3::ffi::PyObject,
        size: *mut pyo3::ffi::Py_ssize_t,
    ) -> *const std::os::raw::c_char;
}

impl Text {
    pub fn from_bytes(b: &Bound<'_, PyBytes>) -> Text {
        let s = b.as_bytes();
        Text::Py {
            ptr: s.as_ptr(),
            len: s.len(),
            _owner: b.clone().into_any().unbind(),
        }
    }

    /// The UTF-8 bytes of a `str`, in place (a `str` with surrogates is an error).
    pub fn from_str(s: &Bound<'_, PyString>) -> PyResult<Text> {
        let mut len: pyo3::ffi::Py_ssize_t = 0;
        // SAFETY: `s` is a live `str`; the pointer stays valid while `_owner` holds it.
        let ptr = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut len) };
        if ptr.is_null() {
            return Err(PyErr::fetch(s.py()));
        }
        Ok(Text::Py {
            ptr: ptr.cast(),
            len: len as usize,
            _owner: s.clone().into_any().unbind(),
        })
    }
}

impl std::ops::Deref for Text {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Text::Empty => &[],
            // SAFETY: see the Send/Sync note above.
            Text::Py { ptr, len, .. } => unsafe { std::slice::from_raw_parts(*ptr, *len) },
        }
    }
}

fn windows(len: usize) -> u32 {
    len.div_ceil(1 << WINDOW_SHIFT).max(1) as u32
}

/// The text behind a set of views: the input (as windows) and the built buffers.
pub struct Store {
    base: Text,
    extra: Vec<Vec<u8>>,
    windows: u32,
}

impl Store {
    pub fn new(base: Text, extra: Vec<Vec<u8>>) -> Store {
        let windows = windows(base.len());
        Store {
            base,
            extra,
            windows,
        }
    }

    /// A store holding only built text (client pages, owned records).
    pub fn owned(extra: Vec<Vec<u8>>) -> Store {
        Store::new(Text::default(), extra)
    }

    /// The text a view stands for.
    #[inline]
    pub fn get<'a>(&'a self, v: &'a View) -> &'a str {
        let len = *v as u32 as usize;
        let bytes: &[u8] = if len <= 12 {
            // SAFETY: a u128 is 16 plain bytes; on a little-endian target bytes 4..16
            // are the inline text.
            let all = unsafe { &*(v as *const View as *const [u8; 16]) };
            &all[4..4 + len]
        } else {
            let index = (*v >> 64) as u32;
            let offset = (*v >> 96) as u32 as usize;
            if index < self.windows {
                &self.base[((index as usize) << WINDOW_SHIFT) + offset..][..len]
            } else {
                &self.extra[(index - self.windows) as usize][offset..offset + len]
            }
        };
        // SAFETY: views are only made from whole `&str`s (`Views::view`).
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    /// The Arrow data buffers the views index, in order, sharing this store's memory.
    pub fn arrow_buffers(self: &Arc<Self>) -> Arc<[arrow_buffer::Buffer]> {
        let base: &[u8] = &self.base;
        let mut out = Vec::with_capacity(self.windows as usize + self.extra.len());
        for k in 0..self.windows as usize {
            let start = (k << WINDOW_SHIFT).min(base.len());
            let end = (start + WINDOW_LEN).min(base.len());
            out.push(shared_buffer(&base[start..end], self.clone()));
        }
        for chunk in &self.extra {
            out.push(shared_buffer(chunk, self.clone()));
        }
        out.into()
    }
}

/// An Arrow buffer over memory that `owner` keeps alive: zero copy.
pub fn shared_buffer<T: Send + Sync + RefUnwindSafe + 'static>(
    bytes: &[u8],
    owner: Arc<T>,
) -> arrow_buffer::Buffer {
    let ptr =
        std::ptr::NonNull::new(bytes.as_ptr() as *mut u8).expect("a slice pointer is never null");
    // SAFETY: `bytes` lies in memory owned (directly or not) by `owner`, which is never
    // mutated once shared and is kept alive by the buffer.
    unsafe { arrow_buffer::Buffer::from_custom_allocation(ptr, bytes.len(), owner) }
}

/// UNIX seconds of line timestamps, remembering the last day's number: log lines
/// come in time order, so nearly every line falls on the same day as the one before
/// and the calendar arithmetic runs once a day, not once a line.
#[derive(Default)]
pub struct DayCache {
    day: Option<(u16, u8, u8)>,
    midnight: i64,
}

impl DayCache {
    /// Seconds since the epoch of `t`'s wall-clock reading, ignoring its offset
    /// (`Timestamp::local_seconds`).
    #[inline(always)]
    pub fn local_seconds(&mut self, t: &Timestamp) -> i64 {
        let day = (t.year, t.month, t.day);
        if self.day != Some(day) {
            self.midnight = Timestamp {
                hour: 0,
                minute: 0,
                second: 0,
                ..*t
            }
            .local_seconds();
            self.day = Some(day);
        }
        self.midnight + t.hour as i64 * 3600 + t.minute as i64 * 60 + t.second as i64
    }

    /// `Timestamp::unix_seconds`: `None` when the offset is unknown.
    #[inline(always)]
    pub fn unix_seconds(&mut self, t: &Timestamp) -> Option<i64> {
        let offset = t.offset_minutes? as i64;
        Some(self.local_seconds(t) - offset * 60)
    }
}

/// `INLINE_MASK[n]`: the low `4 + n` bytes of a view, its length and `n` bytes of text.
const INLINE_MASK: [u128; 13] = {
    let mut m = [0u128; 13];
    let mut n = 0;
    while n < 13 {
        m[n] = u128::MAX >> (128 - 8 * (4 + n));
        n += 1;
    }
    m
};

/// The view holding `len` (at most 12) bytes inline: the low bytes of `head` are
/// the text's first bytes.
#[inline(always)]
fn inline_view(len: usize, head: u128) -> View {
    (len as u128 | head << 32) & INLINE_MASK[len]
}

/// The view of the first `len` bytes of `text`, whose view is `v` (a prefix ending
/// at a character boundary): inline when short enough, else the same buffer and
/// offset with the shorter length (the first 4 bytes are the same).
#[inline(always)]
pub fn prefix_view(text: &str, v: View, len: usize) -> View {
    if len <= 12 {
        let mut b = [0u8; 16];
        // A fixed-size copy where the text has 12 bytes (no call to memcpy), masked.
        match text.as_bytes().first_chunk::<12>() {
            Some(head) => b[..12].copy_from_slice(head),
            None => b[..len].copy_from_slice(&text.as_bytes()[..len]),
        }
        return inline_view(len, u128::from_le_bytes(b));
    }
    (v & !(u32::MAX as u128)) | len as u128
}

/// Built text is kept in buffers of at most this many bytes (a view's offset is i32).
const EXTRA_CHUNK: usize = i32::MAX as usize;

/// Makes views while the input is borrowed: a field inside the input points into it,
/// any other field is copied once into the built buffers.
pub struct Views<'b> {
    base: &'b [u8],
    windows: u32,
    extra: Vec<Vec<u8>>,
    too_long: Option<usize>,
    /// The timestamp columns of the same rows are written alongside.
    pub days: DayCache,
}

impl<'b> Views<'b> {
    pub fn new(base: &'b [u8]) -> Self {
        Views {
            base,
            windows: windows(base.len()),
            extra: Vec::new(),
            too_long: None,
            days: DayCache::default(),
        }
    }

    /// Whether any field had to be copied into a built buffer.
    pub fn built_any(&self) -> bool {
        !self.extra.is_empty()
    }

    #[inline(always)]
    pub fn view(&mut self, s: &str) -> View {
        let len = s.len();
        let at = (s.as_ptr() as usize).wrapping_sub(self.base.as_ptr() as usize);
        let in_base = at <= self.base.len() && len <= self.base.len() - at;
        // The first 16 bytes in one unaligned load when the input has them, else a copy.
        let head = if in_base && at + 16 <= self.base.len() {
            // SAFETY: at..at + 16 is inside `base` (checked just above).
            u128::from_le_bytes(unsafe {
                self.base
                    .as_ptr()
                    .add(at)
                    .cast::<[u8; 16]>()
                    .read_unaligned()
            })
        } else {
            let mut b = [0u8; 16];
            let n = len.min(16);
            b[..n].copy_from_slice(&s.as_bytes()[..n]);
            u128::from_le_bytes(b)
        };
        if len <= 12 {
            return inline_view(len, head);
        }
        if len > MAX_FIELD {
            self.too_long.get_or_insert(len);
            return 0;
        }
        let (index, offset) = if in_base {
            ((at >> WINDOW_SHIFT) as u32, at & ((1 << WINDOW_SHIFT) - 1))
        } else {
            if self
                .extra
                .last()
                .is_none_or(|c| c.len() + len > EXTRA_CHUNK)
            {
                self.extra.push(Vec::with_capacity(len.max(1 << 16)));
            }
            let chunk = self.extra.last_mut().expect("pushed above");
            let offset = chunk.len();
            chunk.extend_from_slice(s.as_bytes());
            (self.windows + self.extra.len() as u32 - 1, offset)
        };
        len as u128 | (head as u32 as u128) << 32 | (index as u128) << 64 | (offset as u128) << 96
    }

    /// The built buffers, or the length of a field too long for a view.
    pub fn finish(self) -> Result<Vec<Vec<u8>>, usize> {
        match self.too_long {
            Some(n) => Err(n),
            None => Ok(self.extra),
        }
    }
}

/// One stretch of rows: its columns and the text they point into.
pub struct Part<C> {
    pub st: Arc<Store>,
    pub cols: Arc<C>,
}

impl<C> Clone for Part<C> {
    fn clone(&self) -> Self {
        Part {
            st: self.st.clone(),
            cols: self.cols.clone(),
        }
    }
}

/// The rows of a result, as one or more parts (one per parse thread, or one per
/// fetched page): parts are never copied together.
pub struct Table<C> {
    pub parts: Vec<Part<C>>,
    /// `ends[k]`: rows in parts `0..=k`.
    ends: Vec<usize>,
}

/// What every column set offers (see `crate::columns`).
pub trait Columns: Send + Sync + RefUnwindSafe + Sized + 'static {
    /// The core record one row stands for.
    type Record<'s>;
    fn with_capacity(n: usize) -> Self;
    fn len(&self) -> usize;
    fn copy_row(&mut self, from: &Self, i: usize);
    /// Append `r`, its text as views made by `v`.
    fn push_record(&mut self, v: &mut Views<'_>, r: &Self::Record<'_>);
    /// Row `i` as a core record borrowing its text from the columns and `st`.
    fn record<'s>(&'s self, st: &'s Store, i: usize) -> Self::Record<'s>;
}

impl<C: Columns> Table<C> {
    pub fn new(parts: Vec<Part<C>>) -> Self {
        let parts: Vec<Part<C>> = parts.into_iter().filter(|p| p.cols.len() > 0).collect();
        let ends = parts
            .iter()
            .scan(0, |n, p| {
                *n += p.cols.len();
                Some(*n)
            })
            .collect();
        Table { parts, ends }
    }

    pub fn single(st: Arc<Store>, cols: C) -> Self {
        Table::new(vec![Part {
            st,
            cols: Arc::new(cols),
        }])
    }

    pub fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// The part holding row `i`, and the row's index in it.
    #[inline]
    pub fn locate(&self, i: usize) -> (usize, usize) {
        let k = self.ends.partition_point(|&end| end <= i);
        (k, i - if k == 0 { 0 } else { self.ends[k - 1] })
    }

    /// The rows at `idx`, in that order (their views still point into the same text).
    pub fn pick(&self, idx: impl Iterator<Item = usize>) -> Table<C> {
        let mut parts: Vec<(usize, C)> = Vec::new();
        for i in idx {
            let (k, j) = self.locate(i);
            if parts.last().is_none_or(|(p, _)| *p != k) {
                parts.push((k, C::with_capacity(0)));
            }
            parts
                .last_mut()
                .expect("pushed above")
                .1
                .copy_row(&self.parts[k].cols, j);
        }
        Table::new(
            parts
                .into_iter()
                .map(|(k, cols)| Part {
                    st: self.parts[k].st.clone(),
                    cols: Arc::new(cols),
                })
                .collect(),
        )
    }

    /// All rows as one part over one store, their text copied once: for a table of
    /// many small parts (a listing's pages), which would otherwise become as many
    /// small Arrow batches. `Err` = the length of a field too long for a view.
    pub fn merged(&self) -> Result<Table<C>, usize> {
        let mut v = Views::new(&[]);
        let mut out = C::with_capacity(self.len());
        for p in &self.parts {
            for i in 0..p.cols.len() {
                out.push_record(&mut v, &p.cols.record(&p.st, i));
            }
        }
        let extra = v.finish()?;
        Ok(Table::single(Arc::new(Store::owned(extra)), out))
    }

    /// Several tables' rows, one after another (the parts are shared, not copied).
    pub fn concat(tables: impl IntoIterator<Item = Arc<Table<C>>>) -> Table<C> {
        Table::new(tables.into_iter().flat_map(|t| t.parts.clone()).collect())
    }
}
