//! One item of the `calls/logs` listing.

use crate::session_id::SessionId;
use serde::Serialize;
use std::borrow::Cow;

/// A call for which a detailed log exists. Text fields borrow from the body.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CallSummary<'a> {
    pub log_id: u64,
    pub session_id: SessionId<'a>,
    pub dest: Cow<'a, str>,
    #[serde(rename = "type")]
    pub call_type: Cow<'a, str>,
    pub src: Cow<'a, str>,
    /// UNIX seconds.
    pub start: i64,
    /// UNIX seconds.
    pub end: i64,
}

impl CallSummary<'_> {
    /// A copy that owns all of its text.
    pub fn into_owned(self) -> CallSummary<'static> {
        CallSummary {
            log_id: self.log_id,
            session_id: self.session_id.into_owned(),
            dest: Cow::Owned(self.dest.into_owned()),
            call_type: Cow::Owned(self.call_type.into_owned()),
            src: Cow::Owned(self.src.into_owned()),
            start: self.start,
            end: self.end,
        }
    }
}
