//! The checks both decode targets run on any body: no panic, error offsets inside
//! the body, borrowed items inside the body, the only escapes a borrowed JSON item
//! keeps are `\/`, every item parsed or reported. The targets differ only in their
//! corpus (JSON or XML), which steers libFuzzer towards one format.

use plumlogs::{decode_lines, decode_response, DecodeError, Error, Service, Wire};
use std::borrow::Cow;

fn check_offset(e: &DecodeError, len: usize) {
    match e {
        DecodeError::Syntax { offset, .. } | DecodeError::Shape { offset, .. } => assert!(*offset <= len),
        _ => {}
    }
}

pub fn check(data: &[u8]) {
    for service in [Service::Sessions, Service::Errors, Service::Logs, Service::Log] {
        if let Err(Error::Decode(e)) = decode_response(data, service) {
            check_offset(&e, data.len());
        }
    }
    // A log unescaped in the body's own buffer is the same page, or the same error.
    assert_eq!(
        plumlogs::decode_log_page_owned(data.to_vec()),
        plumlogs::decode_log_page(data)
    );
    for service in [Service::Sessions, Service::Errors] {
        match decode_lines(data, service) {
            Ok(page) => {
                let range = data.as_ptr_range();
                for item in &page.items {
                    if let Cow::Borrowed(s) = item {
                        assert!(range.contains(&s.as_ptr()) || s.is_empty());
                        if page.wire == Wire::Json {
                            assert!(s.match_indices('\\').all(|(i, _)| s[i + 1..].starts_with('/')));
                        }
                    }
                }
                let n = page.sessions().count() + page.errors().count();
                assert_eq!(n, 2 * page.items.len());
            }
            Err(e) => check_offset(&e, data.len()),
        }
    }
}
