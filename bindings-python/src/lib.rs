//! `plumlogs._native`: the Python face of the `plumlogs` crate.
//!
//! A thin translation layer: the grammar, the decoders and HTTP all live in `core`;
//! this crate turns their results into Python objects (lazily) and Arrow columns,
//! and `plumlogs::Error` into the exception classes of `plumlogs/_errors.py`.

mod arrow;
mod client;
mod columns;
mod emulator;
mod errors;
mod follow;
mod frames;
mod inputs;
mod listing;
mod observe;
mod parse;
mod record_list;
mod records;
mod rows;
mod store;
mod sync;
mod time;
mod timearg;

use plumlogs::Format;
use pyo3::prelude::*;
use std::sync::Arc;

/// Parse one session log line (`str` or `bytes`) into a `SessionRecord`.
#[pyfunction]
fn parse_session_line(line: &Bound<'_, PyAny>) -> PyResult<records::PySessionRecord> {
    parse::one_session(line)
}

/// Parse one error log line (`str` or `bytes`) into an `ErrorRecord`.
#[pyfunction]
fn parse_error_line(line: &Bound<'_, PyAny>) -> PyResult<records::PyErrorRecord> {
    parse::one_error(line)
}

/// Parse every non-blank line of a session log text (`str` or `bytes`), a file
/// (`os.PathLike`) or an open file (binary or text).
#[pyfunction]
#[pyo3(signature = (text, strict = true))]
fn parse_sessions<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    strict: bool,
) -> PyResult<Bound<'py, PyAny>> {
    inputs::bulk(py, text, strict, Format::Sessions)
}

/// Parse every non-blank line of an error log text, a file or an open file.
#[pyfunction]
#[pyo3(signature = (text, strict = true))]
fn parse_errors<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    strict: bool,
) -> PyResult<Bound<'py, PyAny>> {
    inputs::bulk(py, text, strict, Format::Errors)
}

/// Parse a call-log text, a file or an open file into its entries.
#[pyfunction]
#[pyo3(signature = (text, strict = true))]
fn parse_call_log<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    strict: bool,
) -> PyResult<Bound<'py, PyAny>> {
    inputs::bulk(py, text, strict, Format::CallLog)
}

/// The columns of a decoded body, before its text moves into their store.
enum Built {
    Sessions(columns::SessionCols),
    Errors(columns::ErrorCols),
    Summaries(columns::SummaryCols),
    Entries(columns::EntryCols),
}

/// Decode a response body (`str` or `bytes`, JSON or XML, told apart by its first
/// non-blank byte) of `service` (`"sessions"`, `"errors"`, `"logs"` or `"log"`):
/// a `RecordList` for the three list services (`.total` holds the `total_*` count
/// of a `logs` page), a `CallLog` for `"log"`.
#[pyfunction]
fn decode_response<'py>(
    py: Python<'py>,
    body: &Bound<'py, PyAny>,
    service: &str,
) -> PyResult<Bound<'py, PyAny>> {
    use plumlogs::decode::Decoded;
    let service: plumlogs::Service =
        service
            .parse()
            .map_err(|e: plumlogs::service::UnknownService| {
                errors::invalid_argument("service", e.to_string())
            })?;
    let (base, path) = inputs::source(body, "body")?;
    let decoded = py.detach(|| {
        let mut v = store::Views::new(&base);
        plumlogs::decode::decode_response_page(&base, service).map(|page| {
            let d = page.records;
            let rows = match &d {
                Decoded::Sessions(r) => Built::Sessions(parse::fill(&mut v, r)),
                Decoded::Errors(r) => Built::Errors(parse::fill(&mut v, r)),
                Decoded::Logs { items, .. } => Built::Summaries(parse::fill(&mut v, items)),
                Decoded::Log(entries) => Built::Entries(parse::fill(&mut v, entries)),
            };
            let (total, log_text) = match d {
                Decoded::Logs { total, .. } => (total, None),
                Decoded::Log(entries) => (None, Some(entries.into_text().into_owned())),
                _ => (None, None),
            };
            (rows, total, log_text, v.finish(), page.warning)
        })
    });
    let (built, total, log_text, extra, warning) = match decoded {
        Ok(d) => d,
        Err(e) => {
            return Err(errors::to_pyerr(
                py,
                e.in_file(path.as_deref()),
                Some(&base[..]),
            ));
        }
    };
    listing::server_warnings(py, warning.as_slice())?;
    let st = Arc::new(store::Store::new(base, extra.map_err(parse::too_long)?));
    let rows = match built {
        Built::Sessions(c) => rows::Rows::Sessions(Arc::new(store::Table::single(st, c))),
        Built::Errors(c) => rows::Rows::Errors(Arc::new(store::Table::single(st, c))),
        Built::Summaries(c) => rows::Rows::Summaries(Arc::new(store::Table::single(st, c))),
        Built::Entries(c) => rows::Rows::Entries(Arc::new(store::Table::single(st, c))),
    };
    let list = record_list::RecordList::new(rows, total);
    match log_text {
        Some(text) => {
            Ok(Bound::new(py, client::PyCallLog::from_list(py, None, &text, list)?)?.into_any())
        }
        None => Ok(Bound::new(py, list)?.into_any()),
    }
}

/// `(server, channel, start)` of a raw session id, or `None` if it does not split.
#[pyfunction]
fn _split_session_id(session_id: &str) -> Option<(String, u32, i64)> {
    let id = plumlogs::SessionId(std::borrow::Cow::Borrowed(session_id));
    id.parts()
        .ok()
        .map(|p| (p.server.to_owned(), p.channel, p.start))
}

/// The core's defaults of every client option (times in seconds): what an argument
/// left at `None` means. For tests and the curious; nothing here chooses them.
#[pyfunction]
fn _defaults() -> std::collections::BTreeMap<&'static str, f64> {
    plumlogs::client::options::DEFAULTS.into_iter().collect()
}

/// The core's error codes, in the order of the classes' hierarchy.
#[pyfunction]
fn _error_codes() -> Vec<&'static str> {
    plumlogs::error::code::ALL.to_vec()
}

#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse_session_line, m)?)?;
    m.add_function(wrap_pyfunction!(parse_error_line, m)?)?;
    m.add_function(wrap_pyfunction!(parse_sessions, m)?)?;
    m.add_function(wrap_pyfunction!(parse_errors, m)?)?;
    m.add_function(wrap_pyfunction!(parse_call_log, m)?)?;
    m.add_function(wrap_pyfunction!(_split_session_id, m)?)?;
    m.add_function(wrap_pyfunction!(decode_response, m)?)?;
    m.add_function(wrap_pyfunction!(_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(_error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(frames::_frame_stream, m)?)?;
    m.add_function(wrap_pyfunction!(frames::_frame_schema, m)?)?;
    m.add_function(wrap_pyfunction!(frames::_invalid_argument, m)?)?;
    observe::install_log_bridge();
    m.add_function(wrap_pyfunction!(observe::_plum_log_level, m)?)?;
    m.add_class::<follow::PyFollow>()?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<listing::Listing>()?;
    m.add_class::<client::PyCallLog>()?;
    m.add_class::<client::PyCallLogsWithText>()?;
    m.add_class::<emulator::PyEmulator>()?;
    m.add_class::<records::PySessionRecord>()?;
    m.add_class::<records::PyErrorRecord>()?;
    m.add_class::<records::PyCallLogEntry>()?;
    m.add_class::<records::PyCallSummary>()?;
    m.add_class::<record_list::RecordList>()?;
    m.add_class::<record_list::RecordChunks>()?;
    m.add_class::<parse::ParseResult>()?;
    m.add_function(wrap_pyfunction!(sync::_sync, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
