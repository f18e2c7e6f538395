//! Big inputs and outputs without fresh big allocations on every call.
//!
//! Measured (bench/parse.mjs, perf): a 17 MB batch spent about as much time in page
//! faults as in parsing, because every call copied the JS input string into a new
//! zeroed buffer and built the output text in another new one. The JS thread keeps
//! one scratch buffer of each kind instead and reuses it while it stays small enough.

use napi::bindgen_prelude::{Buffer, FromNapiValue, ToNapiValue, TypeName, ValidateNapiValue};
use napi::{ValueType, check_status, sys};
use std::cell::RefCell;
use std::ptr;

/// Scratch buffers above this size are freed, not kept.
const KEEP_AT_MOST: usize = 64 << 20;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// A `string | Buffer` argument. A string is read as UTF-8 into the thread's scratch
/// buffer (returned on drop); a Buffer is read in place.
pub struct Text(Inner);

enum Inner {
    Scratch(Vec<u8>),
    Buffer(Buffer),
}

impl Text {
    pub fn bytes(&self) -> &[u8] {
        match &self.0 {
            Inner::Scratch(v) => v,
            Inner::Buffer(b) => b,
        }
    }

    /// The bytes, owned, for work on another thread (JS may change a Buffer meanwhile).
    pub fn into_vec(mut self) -> Vec<u8> {
        match &mut self.0 {
            Inner::Scratch(v) => std::mem::take(v),
            Inner::Buffer(b) => b.to_vec(),
        }
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        if let Inner::Scratch(v) = &mut self.0 {
            let v = std::mem::take(v);
            if v.capacity() > 0 && v.capacity() <= KEEP_AT_MOST {
                let _ = INPUT.try_with(|s| *s.borrow_mut() = v);
            }
        }
    }
}

impl TypeName for Text {
    fn type_name() -> &'static str {
        "string | Buffer"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for Text {}

impl FromNapiValue for Text {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let mut kind = 0;
        check_status!(
            // SAFETY: `env` and `value` are the live handles napi passed to this call.
            unsafe { sys::napi_typeof(env, value, &mut kind) },
            "cannot read the type of an argument"
        )?;
        if kind != sys::ValueType::napi_string {
            // SAFETY: the same live handles; napi checks that the value is a Buffer.
            return Ok(Text(Inner::Buffer(unsafe {
                Buffer::from_napi_value(env, value)?
            })));
        }
        let mut len = 0;
        check_status!(
            // SAFETY: a null buffer of size 0 asks only for the length, written to `len`.
            unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) },
            "cannot read a string argument"
        )?;
        let mut buf = INPUT
            .try_with(|s| std::mem::take(&mut *s.borrow_mut()))
            .unwrap_or_default();
        buf.clear();
        buf.reserve(len + 1);
        let mut written = 0;
        check_status!(
            // SAFETY: `buf` has room for `len + 1` bytes, the size passed; napi writes at
            // most that many and reports how many in `written`.
            unsafe {
                sys::napi_get_value_string_utf8(
                    env,
                    value,
                    buf.as_mut_ptr().cast(),
                    len + 1,
                    &mut written,
                )
            },
            "cannot read a string argument"
        )?;
        // SAFETY: napi wrote `written` bytes (UTF-8, plus a NUL we leave out) into the
        // reserved capacity.
        unsafe { buf.set_len(written.min(len)) };
        Ok(Text(Inner::Scratch(buf)))
    }
}

/// An empty string with at least `bytes` of capacity, from the thread's scratch.
pub fn output_buffer(bytes: usize) -> String {
    let mut s = OUTPUT
        .try_with(|s| std::mem::take(&mut *s.borrow_mut()))
        .unwrap_or_default();
    s.clear();
    s.reserve(bytes);
    s
}

/// A string of the batch's text fields, handed to V8 (which copies it) as Latin-1
/// when it is all ASCII (a plain copy into a one-byte string, no UTF-8 decoding).
pub struct Blob {
    pub text: String,
    pub ascii: bool,
}

impl TypeName for Blob {
    fn type_name() -> &'static str {
        "string"
    }
    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ToNapiValue for Blob {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let mut out = ptr::null_mut();
        let (p, len) = (val.text.as_ptr().cast(), val.text.len() as isize);
        if val.ascii {
            check_status!(
                // SAFETY: `p`/`len` describe `val.text`, alive for this call; napi copies it.
                unsafe { sys::napi_create_string_latin1(env, p, len, &mut out) },
                "cannot create a string"
            )?;
        } else {
            check_status!(
                // SAFETY: `p`/`len` describe `val.text`, alive for this call; napi copies it.
                unsafe { sys::napi_create_string_utf8(env, p, len, &mut out) },
                "cannot create a string"
            )?;
        }
        // V8 has its own copy: keep the buffer for the next batch on this thread.
        let text = val.text;
        if text.capacity() > 0 && text.capacity() <= KEEP_AT_MOST {
            let _ = OUTPUT.try_with(|s| *s.borrow_mut() = text);
        }
        Ok(out)
    }
}
