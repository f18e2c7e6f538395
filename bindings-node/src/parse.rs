//! The parse functions. Session and error batches cross as columns (`columns.rs`);
//! call logs and single records as one JSON string.

use crate::columns::{Columns, ColumnsBuilder, RawColumns, columns_of, to_js};
use crate::error::{IntoNapi, parse_error_fields, to_napi, to_napi_in};
use crate::text::Text;
use napi::bindgen_prelude::{AsyncTask, Either};
use napi::{Env, Task};
use napi_derive::napi;
use plumlogs::{Error, Format, ParseError};
use serde::Serialize;

pub(crate) fn sessions_columns(text: &[u8], strict: bool) -> Result<RawColumns, Error> {
    columns_of::<plumlogs::SessionRecord<'_>>(
        text,
        strict,
        ColumnsBuilder::sessions,
        ColumnsBuilder::push_session,
    )
}

pub(crate) fn errors_columns(text: &[u8], strict: bool) -> Result<RawColumns, Error> {
    columns_of::<plumlogs::ErrorRecord<'_>>(
        text,
        strict,
        ColumnsBuilder::errors,
        ColumnsBuilder::push_error,
    )
}

/// Serialise records into one JSON array. Strict: the first problem is the error.
/// Lenient: `{"records":[..],"problems":[..]}`.
pub(crate) fn json_batch<R: Serialize>(
    items: impl Iterator<Item = Result<R, ParseError>>,
    strict: bool,
    size_hint: usize,
) -> Result<String, Error> {
    let mut out: Vec<u8> = Vec::with_capacity(size_hint);
    let mut problems = Vec::new();
    out.extend_from_slice(if strict { b"[" } else { b"{\"records\":[" });
    let mut first = true;
    for item in items {
        match item {
            Ok(rec) => {
                if !first {
                    out.push(b',');
                }
                first = false;
                write_json(&mut out, &rec)?;
            }
            Err(e) if strict => return Err(Error::Parse(e)),
            Err(e) => problems.push(serde_json::Value::Object(parse_error_fields(&e))),
        }
    }
    out.push(b']');
    if !strict {
        out.extend_from_slice(b",\"problems\":");
        write_json(&mut out, &problems)?;
        out.push(b'}');
    }
    into_string(out)
}

pub(crate) fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result<(), Error> {
    // Serialising records into a Vec cannot fail; say so if it ever does.
    serde_json::to_writer(out, v).map_err(|e| Error::Transport {
        message: format!("cannot serialise: {e}"),
    })
}

pub(crate) fn into_string(out: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(out).map_err(|e| Error::Transport {
        message: format!("serialised JSON is not UTF-8: {e}"),
    })
}

fn call_log_json(text: &[u8], strict: bool) -> Result<String, Error> {
    json_batch(
        plumlogs::CallLogEntries::new(text),
        strict,
        text.len().saturating_mul(2),
    )
}

fn line_json<R: Serialize>(
    line: &str,
    parsed: Result<R, plumlogs::LineError>,
) -> napi::Result<String> {
    let rec = parsed
        .map_err(|e| Error::Parse(ParseError::from_line(e, line.as_bytes(), 1, 0)))
        .js()?;
    let mut out = Vec::with_capacity(256);
    write_json(&mut out, &rec).js()?;
    into_string(out).js()
}

#[napi(js_name = "nativeParseSessionLine", catch_unwind)]
pub fn parse_session_line(line: String) -> napi::Result<String> {
    line_json(&line, plumlogs::parse_session_line(&line))
}

#[napi(js_name = "nativeParseErrorLine", catch_unwind)]
pub fn parse_error_line(line: String) -> napi::Result<String> {
    line_json(&line, plumlogs::parse_error_line(&line))
}

#[napi(js_name = "nativeParseSessions", catch_unwind)]
pub fn parse_sessions(
    #[napi(ts_arg_type = "string | Buffer")] text: Text,
    strict: bool,
) -> napi::Result<Columns> {
    sessions_columns(text.bytes(), strict)
        .map(Columns::from)
        .js()
}

#[napi(js_name = "nativeParseErrors", catch_unwind)]
pub fn parse_errors(
    #[napi(ts_arg_type = "string | Buffer")] text: Text,
    strict: bool,
) -> napi::Result<Columns> {
    errors_columns(text.bytes(), strict).map(Columns::from).js()
}

#[napi(js_name = "nativeParseCallLog", catch_unwind)]
pub fn parse_call_log(
    #[napi(ts_arg_type = "string | Buffer")] text: Text,
    strict: bool,
) -> napi::Result<String> {
    call_log_json(text.bytes(), strict).js()
}

/// `server;channel;start` split into its parts, as JSON `{"server","channel","start"}`.
#[napi(js_name = "nativeSessionIdParts", catch_unwind)]
pub fn session_id_parts(id: String) -> napi::Result<String> {
    let bad = |kind| {
        Error::Parse(ParseError::from_line(
            plumlogs::LineError { kind, offset: 0 },
            id.as_bytes(),
            1,
            0,
        ))
    };
    let sid = plumlogs::SessionId::parse(&id).map_err(bad).js()?;
    let parts = sid.parts().map_err(bad).js()?;
    Ok(serde_json::json!({ "server": parts.server, "channel": parts.channel, "start": parts.start }).to_string())
}

/// Bulk parsing on the libuv pool, for inputs large enough to stall the event loop.
pub struct ParseTask {
    format: Format,
    text: Vec<u8>,
    strict: bool,
}

#[napi]
impl Task for ParseTask {
    type Output = Either<RawColumns, String>;
    type JsValue = Either<Columns, String>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let text = std::mem::take(&mut self.text);
        match self.format {
            Format::Sessions => sessions_columns(&text, self.strict).map(Either::A),
            Format::Errors => errors_columns(&text, self.strict).map(Either::A),
            Format::CallLog => call_log_json(&text, self.strict).map(Either::B),
        }
        .map_err(|e| to_napi(&e))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(to_js(output))
    }
}

fn task(format: Format, text: Text, strict: bool) -> AsyncTask<ParseTask> {
    AsyncTask::new(ParseTask {
        format,
        text: text.into_vec(),
        strict,
    })
}

#[napi(
    catch_unwind,
    js_name = "nativeParseSessionsAsync",
    ts_return_type = "Promise<Columns>"
)]
pub fn parse_sessions_async(
    #[napi(ts_arg_type = "string | Buffer")] text: Text,
    strict: bool,
) -> AsyncTask<ParseTask> {
    task(Format::Sessions, text, strict)
}

#[napi(
    catch_unwind,
    js_name = "nativeParseErrorsAsync",
    ts_return_type = "Promise<Columns>"
)]
pub fn parse_errors_async(
    #[napi(ts_arg_type = "string | Buffer")] text: Text,
    strict: bool,
) -> AsyncTask<ParseTask> {
    task(Format::Errors, text, strict)
}

#[napi(
    catch_unwind,
    js_name = "nativeParseCallLogAsync",
    ts_return_type = "Promise<string>"
)]
pub fn parse_call_log_async(
    #[napi(ts_arg_type = "string | Buffer")] text: Text,
    strict: bool,
) -> AsyncTask<ParseTask> {
    task(Format::CallLog, text, strict)
}

/// Strategy (a) of `bench/parse.mjs`: the session batch as one serde_json string
/// for `JSON.parse`. Not used by the package (columns measured faster); kept so the
/// comparison can be re-run.
#[napi(js_name = "benchParseSessionsJson", catch_unwind)]
pub fn bench_parse_sessions_json(
    #[napi(ts_arg_type = "string | Buffer")] text: Text,
) -> napi::Result<String> {
    let text = text.bytes();
    json_batch(plumlogs::sessions(text), true, text.len().saturating_mul(2)).js()
}

/// A response body of `service` as records: columns for sessions and errors, JSON
/// for `logs` (an array of summaries) and `log` (`{log_id: null, text, entries}`).
#[napi(js_name = "nativeDecodeResponse", catch_unwind)]
pub fn decode_response(
    #[napi(ts_arg_type = "string | Buffer")] body: Text,
    service: String,
) -> napi::Result<Either<Columns, String>> {
    Ok(to_js(decoded(body.bytes(), service_arg(&service)?)?))
}

/// `decode_response` on the libuv pool, for bodies large enough to stall the event loop.
#[napi(
    catch_unwind,
    js_name = "nativeDecodeResponseAsync",
    ts_return_type = "Promise<Columns | string>"
)]
pub fn decode_response_async(
    #[napi(ts_arg_type = "string | Buffer")] body: Text,
    service: String,
) -> napi::Result<AsyncTask<DecodeTask>> {
    Ok(AsyncTask::new(DecodeTask {
        body: body.into_vec(),
        service: service_arg(&service)?,
    }))
}

pub struct DecodeTask {
    body: Vec<u8>,
    service: plumlogs::Service,
}

#[napi]
impl Task for DecodeTask {
    type Output = Either<RawColumns, String>;
    type JsValue = Either<Columns, String>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        decoded(&self.body, self.service)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(to_js(output))
    }
}

fn service_arg(service: &str) -> napi::Result<plumlogs::Service> {
    service
        .parse()
        .map_err(|e: plumlogs::service::UnknownService| {
            Error::invalid_argument("service", e.to_string())
        })
        .js()
}

/// A decoded body as it crosses into JS (see `decode_response`).
fn decoded(body: &[u8], service: plumlogs::Service) -> napi::Result<Either<RawColumns, String>> {
    use plumlogs::decode::Decoded;
    let decoded =
        plumlogs::decode::decode_response(body, service).map_err(|e| to_napi_in(&e, body))?;
    let out = match decoded {
        Decoded::Sessions(recs) => {
            let mut b = ColumnsBuilder::sessions(body.len());
            recs.iter().for_each(|r| b.push_session(&r));
            Either::A(b.finish().js()?)
        }
        Decoded::Errors(recs) => {
            let mut b = ColumnsBuilder::errors(body.len());
            recs.iter().for_each(|r| b.push_error(&r));
            Either::A(b.finish().js()?)
        }
        Decoded::Logs { items, .. } => {
            let mut out = Vec::with_capacity(body.len());
            write_json(&mut out, &items).js()?;
            Either::B(into_string(out).js()?)
        }
        Decoded::Log(entries) => {
            #[derive(Serialize)]
            struct Log<'a> {
                log_id: Option<u64>,
                text: &'a str,
                entries: &'a plumlogs::CallLogEntryRecords<'a>,
            }
            let mut out = Vec::with_capacity(body.len() * 2);
            write_json(
                &mut out,
                &Log {
                    log_id: None,
                    text: entries.text(),
                    entries: &entries,
                },
            )
            .js()?;
            Either::B(into_string(out).js()?)
        }
    };
    Ok(out)
}
