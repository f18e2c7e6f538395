//! `start=`/`end=`/`since=`: Python objects handed to core's `plumlogs::timearg` as
//! the inputs it takes. Every rule (forms, spans, `max`, the hints) is core's; this
//! only says which Python type is which input.

use crate::errors::invalid_argument;
use plumlogs::Service;
use plumlogs::timearg::{self, Bound as End, TimeArg, TimeInput};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDelta, PyFloat, PyInt, PyString};

/// A Python time argument, owned so core can borrow its text.
enum Owned {
    Text(String),
    Int(i64),
    Float(f64),
    Span(f64),
}

impl Owned {
    fn input(&self) -> TimeInput<'_> {
        match self {
            Owned::Text(s) => TimeInput::Text(s),
            Owned::Int(n) => TimeInput::Int(*n),
            Owned::Float(f) => TimeInput::Float(*f),
            Owned::Span(f) => TimeInput::Span(*f),
        }
    }
}

/// `None` is `absent` (core's `max` for a start, `now` for an end); an `int` or
/// `float` is UNIX seconds (an `int` beyond 64 bits goes as its digits, which core
/// refuses with its hint); a `str` is any of core's forms; an aware `datetime` is
/// its instant (a naive one is refused: its instant is unknown); a `date` is its
/// ISO form (midnight UTC); a `timedelta` is a span back from now.
fn owned(v: Option<&Bound<'_, PyAny>>, name: &str, absent: &str) -> PyResult<Owned> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        return Ok(Owned::Text(absent.to_owned()));
    };
    if v.is_instance_of::<PyBool>() {
        return Err(invalid_argument(name, not_a_time("bool")));
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(match v.extract::<i64>() {
            Ok(n) => Owned::Int(n),
            Err(_) => Owned::Text(v.str()?.to_string()),
        });
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(Owned::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(Owned::Text(v.extract()?));
    }
    if v.is_instance_of::<PyDateTime>() {
        if v.call_method0("utcoffset")?.is_none() {
            return Err(invalid_argument(
                name,
                "is a naive datetime: give it a tzinfo (e.g. tzinfo=datetime.timezone.utc) or pass UNIX seconds",
            ));
        }
        return Ok(Owned::Float(v.call_method0("timestamp")?.extract()?));
    }
    if v.is_instance_of::<PyDate>() {
        return Ok(Owned::Text(v.call_method0("isoformat")?.extract()?));
    }
    if v.is_instance_of::<PyDelta>() {
        return Ok(Owned::Span(v.call_method0("total_seconds")?.extract()?));
    }
    let ty = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(invalid_argument(name, not_a_time(&ty)))
}

fn not_a_time(ty: &str) -> String {
    format!(
        "must be UNIX seconds (int or float), an ISO 8601 str, a span such as \"24h\", an aware datetime or a timedelta, not {ty}"
    )
}

/// The window `[start, end)` of `service` in UNIX seconds against the clock `now`
/// (core's `timearg::window`); `start=None` is as far back as the service keeps,
/// `end=None` is now.
pub fn window(
    start: Option<&Bound<'_, PyAny>>,
    end: Option<&Bound<'_, PyAny>>,
    service: Service,
    now: i64,
) -> PyResult<(i64, i64)> {
    let s = owned(start, "start", "max")?;
    let e = owned(end, "end", "now")?;
    timearg::window(s.input(), e.input(), service, now)
        .map_err(|e| invalid_argument(e.bound.map_or("time", End::name), e.message()))
}

/// One instant, named `name` (`since=`): any form a start takes, `max` included.
pub fn instant(v: &Bound<'_, PyAny>, name: &str, service: Service, now: i64) -> PyResult<i64> {
    let o = owned(Some(v), name, "max")?;
    TimeArg::parse(o.input())
        .and_then(|a| a.resolve(End::Start, service, now))
        .map_err(|e| invalid_argument(name, e.message()))
}
