//! `plumlogs::Timestamp` to `datetime.datetime`, keeping the line's own offset.

use plumlogs::Timestamp;
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyDelta, PyTzInfo};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// One `datetime.timezone` per offset seen: a log holds a handful of distinct offsets
/// and records share them instead of building one per access.
static ZONES: Mutex<BTreeMap<i16, Py<PyTzInfo>>> = Mutex::new(BTreeMap::new());

fn zone(py: Python<'_>, offset_minutes: i16) -> PyResult<Bound<'_, PyTzInfo>> {
    if let Some(z) = ZONES
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&offset_minutes)
    {
        return Ok(z.bind(py).clone());
    }
    // Built outside the lock: creating it runs Python code, which may switch threads.
    let delta = PyDelta::new(py, 0, offset_minutes as i32 * 60, 0, true)?;
    let tz = PyTzInfo::fixed_offset(py, delta)?;
    ZONES
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(offset_minutes)
        .or_insert_with(|| tz.clone().unbind());
    Ok(tz)
}

/// An aware `datetime` at the line's own offset, or a naive one when the offset is
/// unknown (a call-log zone abbreviation the core does not know).
pub fn datetime<'py>(py: Python<'py>, ts: &Timestamp) -> PyResult<Bound<'py, PyAny>> {
    // Python's datetime has no second 60; a leap second becomes the instant it
    // denotes, the first second of the next minute, rather than an exception.
    let ts = if ts.second == 60 {
        let mut t = Timestamp::from_unix(ts.local_seconds(), 0);
        t.offset_minutes = ts.offset_minutes;
        t
    } else {
        *ts
    };
    let tz = match ts.offset_minutes {
        Some(off) => Some(zone(py, off)?),
        None => None,
    };
    Ok(PyDateTime::new(
        py,
        ts.year as i32,
        ts.month,
        ts.day,
        ts.hour,
        ts.minute,
        ts.second,
        0,
        tz.as_ref(),
    )?
    .into_any())
}
