//! Time arguments never panic, whatever a user or a binding passes, and the forms
//! that name the same instant agree.

use plumlogs::Service;
use plumlogs::timearg::{
    Bound, EARLIEST_PLAUSIBLE_SECONDS, LATEST_PLAUSIBLE_SECONDS, TimeArg, TimeInput, iso_utc,
    resolve_window, window,
};
use proptest::prelude::*;

fn services() -> impl Strategy<Value = Service> {
    prop_oneof![
        Just(Service::Logs),
        Just(Service::Sessions),
        Just(Service::Errors)
    ]
}

/// Strings near the accepted forms (digits, units, ISO punctuation, multi-byte
/// characters) as well as arbitrary ones.
fn texts() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9é.:TZ+ -]{0,30}[smhdwé]?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{0,4})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?.?",
        "-?[0-9]{1,40}(\\.[0-9]{0,5})?",
        "(now|max|NOW|Max)\\PC?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(s in texts(), e in texts(), svc in services(), now in any::<i64>()) {
        if let Ok(arg) = TimeArg::parse(TimeInput::Text(&s)) {
            let _ = arg.instant(now, Bound::Start);
            let _ = arg.instant(now, Bound::End);
        }
        let _ = window(TimeInput::Text(&s), TimeInput::Text(&e), svc, now);
        // Errors quote a bounded excerpt, never the whole input.
        if let Err(err) = TimeArg::parse(TimeInput::Text(&s)) {
            prop_assert!(err.to_string().len() < 700 + 4 * 40, "{}", err);
        }
    }

    #[test]
    fn arbitrary_numbers_never_panic(i in any::<i64>(), f in any::<f64>(), svc in services(), now in any::<i64>()) {
        let _ = window(TimeInput::Int(i), TimeInput::Float(f), svc, now);
        let _ = window(TimeInput::Span(f), TimeInput::Int(i), svc, now);
        let _ = iso_utc(i);
    }

    #[test]
    fn plausible_seconds_read_the_same_in_every_form(
        t in EARLIEST_PLAUSIBLE_SECONDS..253_402_300_799i64,
    ) {
        let want = TimeArg::At { seconds: t, fractional: false };
        if t < LATEST_PLAUSIBLE_SECONDS {
            prop_assert_eq!(TimeArg::parse(TimeInput::Int(t)), Ok(want));
            prop_assert_eq!(TimeArg::parse(TimeInput::Text(&t.to_string())), Ok(want));
            prop_assert_eq!(TimeArg::parse(TimeInput::Float(t as f64)), Ok(want));
        }
        prop_assert_eq!(TimeArg::parse(TimeInput::Text(&iso_utc(t))), Ok(want));
    }

    #[test]
    fn milliseconds_are_refused_with_the_seconds_they_meant(t in EARLIEST_PLAUSIBLE_SECONDS..LATEST_PLAUSIBLE_SECONDS) {
        let ms = t * 1000 + 123;
        let e = TimeArg::parse(TimeInput::Int(ms)).unwrap_err().to_string();
        prop_assert!(e.contains("milliseconds") && e.contains(&format!("did you mean {t} ")), "{}", e);
    }

    #[test]
    fn resolved_windows_are_never_empty_or_in_the_future(
        s in texts(), e in texts(), svc in services(), now in 1_500_000_000i64..2_000_000_000,
    ) {
        if let (Ok(a), Ok(b)) = (TimeArg::parse_str(&s), TimeArg::parse_str(&e))
            && let Ok((start, end)) = resolve_window(a, b, svc, now)
        {
            prop_assert!(start < end);
            prop_assert!(start <= now + 60);
        }
    }
}
