//! The columns of each record type, for `--fields` and `--time-format`: read off
//! core's serialisation of one sample record, so they are core's schema, not a copy.

use crate::output::columns_of;
use plumlogs::{CallSummary, SessionId};
use std::borrow::Cow;

/// A record type's columns and which of them are UNIX seconds.
pub struct Shape {
    pub columns: Vec<String>,
    pub unix_fields: &'static [&'static str],
}

const SESSION_LINE: &str = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 \
200035;003;1509734279 1509734310 1509734339 00:00:29";
const ERROR_LINE: &str = "error 2125551234 6 [17/Nov/2016:14:40:46 -0400] 6177123000 \
100025;006;1479411625 Max Disconnect Count Exceeded";
const CALL_LOG_LINE: &str =
    "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (100025;006;1479411625) EVENT: call answered";

fn shape(columns: Vec<String>, unix_fields: &'static [&'static str]) -> Shape {
    Shape {
        columns,
        unix_fields,
    }
}

/// `sessions` and `parse sessions`.
pub fn sessions() -> Shape {
    let cols = plumlogs::parse_session_line(SESSION_LINE)
        .map(|r| columns_of(&r))
        .unwrap_or_default();
    shape(cols, &["call_start", "call_end"])
}

/// `errors` and `parse errors`.
pub fn errors() -> Shape {
    let cols = plumlogs::parse_error_line(ERROR_LINE)
        .map(|r| columns_of(&r))
        .unwrap_or_default();
    shape(cols, &[])
}

/// `calls`.
pub fn calls() -> Shape {
    let sample = CallSummary {
        log_id: 1,
        session_id: SessionId(Cow::Borrowed("100025;006;1479411625")),
        dest: Cow::Borrowed("6177123000"),
        call_type: Cow::Borrowed("inbound"),
        src: Cow::Borrowed("2125551234"),
        start: 1_479_411_625,
        end: 1_479_411_700,
    };
    shape(columns_of(&sample), &["start", "end"])
}

/// `log` and `parse calllog`.
pub fn log_entries() -> Shape {
    let cols = plumlogs::parse_call_log_line(CALL_LOG_LINE)
        .map(|r| columns_of(&r))
        .unwrap_or_default();
    shape(cols, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_parses_and_names_its_time_columns() {
        for s in [sessions(), errors(), calls(), log_entries()] {
            assert!(s.columns.len() >= 5, "{:?}", s.columns);
            for f in s.unix_fields {
                assert!(s.columns.iter().any(|c| c == f), "{f} in {:?}", s.columns);
            }
        }
        assert!(sessions().columns.iter().any(|c| c == "duration"));
        assert!(calls().columns.iter().any(|c| c == "log_id"));
    }
}
