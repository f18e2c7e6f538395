//! Windows of generated data: which calls a query selects, in what order, with
//! `offset`/`limit` applied. Days are generated on demand and kept in a small
//! cache; per-day match counts are cached so that paging deep into a year does not
//! regenerate every earlier day for every page.

use crate::data::{Account, Call, CallView, DAY, Day, LOG_IDS_PER_DAY, MAX_SPILL};
use plumlogs::Service;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Calls kept in generated days (about 90 bytes each): 75 days at 2,000 calls a
/// day, about 13 MB, and never fewer than two days.
const CACHED_CALLS: usize = 150_000;
/// Count-cache entries before the cache is simply cleared.
const COUNT_CACHE: usize = 200_000;

/// Which calls a `number` parameter selects: a call matches when its ANI or its
/// DNIS equals one of the (comma-separated) numbers.
pub(crate) struct Filter {
    /// Canonical form of the parameter, for the count cache.
    key: String,
    callers: Vec<bool>,
    dnis: Vec<bool>,
    logins: Vec<bool>,
}

/// Digits only, without a leading US country code; e-mail logins lowercased.
pub(crate) fn normalize_number(s: &str) -> String {
    let s = s.trim();
    if s.contains('@') {
        return s.to_ascii_lowercase();
    }
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() == 11 && digits.starts_with('1') {
        digits[1..].to_string()
    } else {
        digits
    }
}

impl Filter {
    /// `None` when the parameter names no number at all (empty).
    pub fn new(account: &Account, param: &str) -> Option<Filter> {
        let mut wanted: Vec<String> = param
            .split(',')
            .map(normalize_number)
            .filter(|n| !n.is_empty())
            .collect();
        if wanted.is_empty() {
            return None;
        }
        wanted.sort();
        wanted.dedup();
        let hit = |list: &[String]| {
            list.iter()
                .map(|n| wanted.contains(&normalize_number(n)))
                .collect::<Vec<_>>()
        };
        Some(Filter {
            key: wanted.join(","),
            callers: hit(&account.callers),
            dnis: hit(&account.dnis),
            logins: hit(&account.logins),
        })
    }

    fn matches(&self, call: &Call) -> bool {
        use crate::data::Kind;
        let dnis = match call.kind {
            Kind::Outbound => self.logins[call.dnis as usize],
            _ => self.dnis[call.dnis as usize],
        };
        dnis || self.callers[call.ani as usize]
    }
}

/// A run of items from one call: skip the first `skip` of its items, take `take`.
pub(crate) struct Slice {
    pub day: Arc<Day>,
    pub call: usize,
    pub skip: usize,
    pub take: usize,
}

pub(crate) struct Selection {
    /// Every match in the window (what `total_*` reports).
    pub total: u64,
    pub slices: Vec<Slice>,
}

/// Generated days by index, and their insertion order for eviction.
type DayCache = (HashMap<i64, Arc<Day>>, VecDeque<i64>);

/// One page request against a list service.
pub(crate) struct Query<'a> {
    pub service: Service,
    pub start: i64,
    pub end: i64,
    pub now: i64,
    pub filter: Option<&'a Filter>,
    pub offset: u64,
    pub limit: u64,
}

pub(crate) struct Store {
    pub account: Account,
    pub calls_per_day: u32,
    days: Mutex<DayCache>,
    counts: Mutex<HashMap<(i64, Service, String), u64>>,
}

fn items_of(service: Service, call: &Call) -> usize {
    match service {
        Service::Sessions => call.session_lines(),
        Service::Errors => call.error.is_some() as usize,
        Service::Logs | Service::Log => call.has_log as usize,
    }
}

impl Store {
    pub fn new(seed: u64, calls_per_day: u32) -> Store {
        Store {
            account: Account::new(seed),
            calls_per_day,
            days: Mutex::default(),
            counts: Mutex::default(),
        }
    }

    pub fn day(&self, index: i64) -> Arc<Day> {
        if let Some(d) = self
            .days
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .get(&index)
        {
            return d.clone();
        }
        // Generated outside the lock: two racing requests may both generate the
        // same day, which is harmless (the result is identical).
        let day = Arc::new(Day::generate(&self.account, index, self.calls_per_day));
        let mut guard = self.days.lock().unwrap_or_else(|e| e.into_inner());
        let (map, order) = &mut *guard;
        if let std::collections::hash_map::Entry::Vacant(slot) = map.entry(index) {
            slot.insert(day.clone());
            order.push_back(index);
            let max_days = (CACHED_CALLS / (self.calls_per_day as usize).max(1)).max(2);
            while order.len() > max_days {
                if let Some(old) = order.pop_front() {
                    map.remove(&old);
                }
            }
        }
        day
    }

    /// Calls with `start <= callStart < end` that have ended by `now`, matching
    /// `filter`, in ascending `callStart`; the service's items of those calls, from
    /// `offset`, at most `limit`.
    pub fn select(&self, q: &Query<'_>) -> Selection {
        let &Query {
            service,
            start,
            end,
            now,
            filter,
            offset,
            limit,
        } = q;
        let included = |c: &Call| {
            c.start >= start
                && c.start < end
                && c.end() <= now
                && filter.is_none_or(|f| f.matches(c))
        };
        // Nothing starts at or after `now` and has also ended by then.
        let end_eff = end.min(now);
        let mut sel = Selection {
            total: 0,
            slices: Vec::new(),
        };
        if end_eff <= start {
            return sel;
        }
        let mut skip = offset;
        let mut room = limit;
        let first = start.div_euclid(DAY).max(0);
        let last = (end_eff - 1).div_euclid(DAY);
        for d in first..=last {
            let whole =
                d * DAY >= start && (d + 1) * DAY <= end_eff && (d + 1) * DAY + MAX_SPILL <= now;
            let key = (
                d,
                service,
                filter.map(|f| f.key.clone()).unwrap_or_default(),
            );
            let cached = if whole {
                self.counts
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&key)
                    .copied()
            } else {
                None
            };
            let count = match cached {
                Some(n) => n,
                None => {
                    let day = self.day(d);
                    let n: u64 = day
                        .calls
                        .iter()
                        .filter(|c| included(c))
                        .map(|c| items_of(service, c) as u64)
                        .sum();
                    if whole {
                        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
                        if counts.len() >= COUNT_CACHE {
                            counts.clear();
                        }
                        counts.insert(key, n);
                    }
                    n
                }
            };
            sel.total += count;
            if room == 0 || count == 0 {
                continue;
            }
            if skip >= count {
                skip -= count;
                continue;
            }
            let day = self.day(d);
            for (i, c) in day.calls.iter().enumerate() {
                if room == 0 {
                    break;
                }
                if !included(c) {
                    continue;
                }
                let n = items_of(service, c) as u64;
                if skip >= n {
                    skip -= n;
                    continue;
                }
                let take = (n - skip).min(room);
                sel.slices.push(Slice {
                    day: day.clone(),
                    call: i,
                    skip: skip as usize,
                    take: take as usize,
                });
                room -= take;
                skip = 0;
            }
        }
        sel
    }

    /// The call a log id names, if it exists, has a log and is within retention at `now`.
    pub fn call_for_log(&self, log_id: u64, now: i64) -> Option<(Arc<Day>, usize)> {
        let index = (log_id / LOG_IDS_PER_DAY) as i64;
        let seq = (log_id % LOG_IDS_PER_DAY).checked_sub(1)? as usize;
        if seq >= self.calls_per_day as usize {
            return None;
        }
        // Only days that can hold a call still within retention are worth generating.
        let oldest = now - Service::Log.retention_seconds();
        if index < 0 || index * DAY > now || (index + 1) * DAY + MAX_SPILL < oldest {
            return None;
        }
        let day = self.day(index);
        let call = day.calls.get(seq)?;
        let kept = call.has_log
            && call.end() <= now
            && call.start >= now - Service::Log.retention_seconds();
        kept.then_some((day, seq))
    }

    pub fn view<'a>(&'a self, day: &'a Day, call: usize) -> CallView<'a> {
        CallView {
            account: &self.account,
            day: day.index,
            call: &day.calls[call],
        }
    }
}
