//! What the bulk parse functions take: a `str` or `bytes` of log text, a path
//! (`os.PathLike`), or an open file (binary or text). The file's name goes into every
//! error as core's `Error::File`; a `str` that is rather a file's name (core's
//! `looks_like_file_name`) and does not parse is told so.

use crate::errors::PlumErr;
use crate::parse::{bulk_text, text_bytes};
use crate::store::Text;
use plumlogs::Format;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// How a Python user passes a file instead of its name.
const HOW: &str =
    "pass pathlib.Path(...) or an open file to parse the file, or its text as str/bytes";

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// The text of `arg` and the name of the file it was read from, if any.
pub fn source(arg: &Bound<'_, PyAny>, name: &str) -> PyResult<(Text, Option<String>)> {
    if arg.is_instance_of::<PyString>() || arg.is_instance_of::<PyBytes>() {
        return Ok((text_bytes(arg, name)?, None));
    }
    let py = arg.py();
    let os = py.import("os")?;
    if arg.is_instance(&os.getattr("PathLike")?)? {
        let path: String = os.call_method1("fsdecode", (arg,))?.extract()?;
        // Path.read_bytes opens and closes the file; an OSError names it.
        let data = py
            .import("pathlib")?
            .getattr("Path")?
            .call1((arg,))?
            .call_method0("read_bytes")?;
        return Ok((text_bytes(&data, name)?, Some(path)));
    }
    if arg.hasattr("read")? {
        let data = arg.call_method0("read")?;
        if !(data.is_instance_of::<PyString>() || data.is_instance_of::<PyBytes>()) {
            return Err(PyTypeError::new_err(format!(
                "argument '{name}': the file's read() returned {}, not str or bytes",
                type_name(&data)
            )));
        }
        // A file opened by name has it as `.name` (one from a descriptor has an int).
        let path = arg
            .getattr("name")
            .ok()
            .and_then(|n| n.extract::<String>().ok());
        return Ok((text_bytes(&data, name)?, path));
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}' must be str, bytes, a path (os.PathLike) or an open file, not {}",
        type_name(arg)
    )))
}

/// A bulk parse of any input `source` takes.
pub fn bulk<'py>(
    py: Python<'py>,
    arg: &Bound<'py, PyAny>,
    strict: bool,
    format: Format,
) -> PyResult<Bound<'py, PyAny>> {
    let (text, path) = source(arg, "text")?;
    let named = (path.is_none() && plumlogs::error::looks_like_file_name(&text))
        .then(|| String::from_utf8_lossy(&text).into_owned());
    let result = bulk_text(py, text, strict, format, path.as_deref());
    match (result, named) {
        (Err(e), Some(n)) if is_parse_error(py, &e) => {
            Err(PlumErr(plumlogs::Error::file_name_as_text("text", &n, HOW)).into())
        }
        (result, _) => result,
    }
}

fn is_parse_error(py: Python<'_>, e: &PyErr) -> bool {
    e.value(py)
        .getattr("code")
        .and_then(|c| c.extract::<String>())
        .is_ok_and(|c| c == plumlogs::error::code::PARSE_ERROR)
}
