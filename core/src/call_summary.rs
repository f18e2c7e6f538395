//! One item of the `calls/logs` listing.

use crate::session_id::SessionId;
use serde::Serialize;
use std::borrow::Cow;

/// A call for which a detailed log exists. Text fields borrow from the body.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CallSummary<'a> {
    /// The id to fetch this call's detailed log with (`calls/log/{log_id}`).
    pub log_id: u64,
    /// The call's session id, validated when decoded.
    pub session_id: SessionId<'a>,
    /// The called number (DNIS), as written.
    pub dest: Cow<'a, str>,
    /// The call type as written (`inbound`, `outbound`, ...); `type` on the wire.
    #[serde(rename = "type")]
    pub call_type: Cow<'a, str>,
    /// The calling number (ANI), as written.
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
