//! The schema descriptor (`plumlogs::schema`) against what is written by hand from it:
//! the canonical JSON of each record (the `Serialize` impls), the Python stubs
//! (`bindings-python/python/plumlogs/_native.pyi`) and the TypeScript declarations
//! (`bindings-node/lib/index.d.ts`). A field added, renamed, reordered or retyped in
//! one place and not the others fails here.

use plumlogs::schema::{self, LogicalType, RecordSchema};
use serde::de::{Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The keys of a JSON object in the order they were written, with their values.
struct Ordered(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(kv) = m.next_entry()? {
                    out.push(kv);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn check_json(schema: &RecordSchema, json: &str) {
    let Ordered(got) = serde_json::from_str(json).unwrap();
    let names: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    let want: Vec<&str> = schema.fields.iter().map(|f| f.name).collect();
    assert_eq!(names, want, "{}: canonical JSON keys", schema.name);
    for ((k, v), f) in got.iter().zip(schema.fields) {
        match v {
            serde_json::Value::Null => assert!(f.nullable, "{}.{k} is null", schema.name),
            serde_json::Value::String(_) => {
                assert!(f.ty.is_json_string(), "{}.{k} is a string", schema.name)
            }
            serde_json::Value::Number(n) => {
                assert!(!f.ty.is_json_string(), "{}.{k} is a number", schema.name);
                let ok = match f.ty {
                    LogicalType::Int16 => n.as_i64().is_some_and(|v| i16::try_from(v).is_ok()),
                    LogicalType::UInt32 => n.as_u64().is_some_and(|v| u32::try_from(v).is_ok()),
                    LogicalType::UInt64 | LogicalType::DurationSeconds => n.is_u64(),
                    LogicalType::UnixSeconds => n.is_i64() || n.is_u64(),
                    _ => false,
                };
                assert!(ok, "{}.{k} = {n} is not a {:?}", schema.name, f.ty);
            }
            other => panic!("{}.{k}: unexpected JSON {other}", schema.name),
        }
    }
}

#[test]
fn canonical_json_follows_the_schema() {
    let call = plumlogs::parse_session_line(
        "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29",
    )
    .unwrap();
    let tag = plumlogs::parse_session_line(
        "local 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 fetchurl: http://x/",
    )
    .unwrap();
    check_json(
        &schema::SESSION_RECORD,
        &serde_json::to_string(&call).unwrap(),
    );
    check_json(
        &schema::SESSION_RECORD,
        &serde_json::to_string(&tag).unwrap(),
    );
    let err = plumlogs::parse_error_line(
        "error 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 no such page",
    )
    .unwrap();
    check_json(&schema::ERROR_RECORD, &serde_json::to_string(&err).unwrap());
    for text in [
        "Wed 28 Aug 2002 10:16:58 AM EDT [vxml] (200035;003;1509734279) EVENT: started\n",
        "Wed 28 Aug 2002 10:16:58 AM QQQ [vxml] (200035;003;1509734279) EVENT: zone unknown\n",
    ] {
        let entries = plumlogs::parse_call_log(text).unwrap();
        check_json(
            &schema::CALL_LOG_ENTRY,
            &serde_json::to_string(&entries[0]).unwrap(),
        );
    }
    let summary = plumlogs::CallSummary {
        log_id: 42,
        session_id: plumlogs::SessionId::parse("200035;003;1509734279").unwrap(),
        dest: Cow::Borrowed("6177123000"),
        call_type: Cow::Borrowed("inbound"),
        src: Cow::Borrowed("7185551234"),
        start: 1509734310,
        end: 1509734339,
    };
    check_json(
        &schema::CALL_SUMMARY,
        &serde_json::to_string(&summary).unwrap(),
    );
}

fn repo_file(path: &str) -> String {
    let p = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The text of the block that starts at the line `head` and ends at the first line
/// for which `end` holds.
fn block<'t>(text: &'t str, head: &str, end: impl Fn(&str) -> bool) -> Vec<&'t str> {
    let mut lines = text.lines().skip_while(|l| l.trim_end() != head);
    assert!(lines.next().is_some(), "no `{head}`");
    lines.take_while(|l| !end(l)).collect()
}

fn python_type(ty: LogicalType) -> &'static str {
    match ty {
        LogicalType::Text | LogicalType::SessionId => "str",
        LogicalType::Timestamp => "datetime.datetime",
        _ => "int",
    }
}

fn ts_type(ty: LogicalType) -> &'static str {
    if ty.is_json_string() {
        "string"
    } else {
        "number"
    }
}

/// `(name, type)` of each field in a language whose type of a logical type is `ty`
/// and whose nullable type is `T | {null}`.
fn expected(
    r: &RecordSchema,
    ty: fn(LogicalType) -> &'static str,
    null: &str,
) -> Vec<(String, String)> {
    r.fields
        .iter()
        .map(|f| {
            let t = ty(f.ty);
            let t = if f.nullable {
                format!("{t} | {null}")
            } else {
                t.to_owned()
            };
            (f.name.to_owned(), t)
        })
        .collect()
}

/// Properties a binding's record class has beyond the record form: derived views.
const DERIVED: &[&str] = &["session_id_parts"];

#[test]
fn python_stubs_follow_the_schema() {
    let pyi = repo_file("bindings-python/python/plumlogs/_native.pyi");
    for r in schema::RECORDS {
        let body = block(&pyi, &format!("class {}:", r.name), |l| {
            !l.is_empty() && !l.starts_with(' ')
        });
        let mut props = Vec::new();
        let mut lines = body.iter();
        while let Some(l) = lines.next() {
            if l.trim() == "@property" {
                let def = lines.next().unwrap().trim();
                let rest = def.strip_prefix("def ").unwrap();
                let (name, rest) = rest.split_once("(self)").unwrap();
                let ty = rest
                    .trim()
                    .strip_prefix("->")
                    .and_then(|t| t.strip_suffix(": ..."))
                    .unwrap()
                    .trim();
                if !DERIVED.contains(&name) {
                    props.push((name.to_owned(), ty.to_owned()));
                }
            }
        }
        assert_eq!(
            props,
            expected(r, python_type, "None"),
            "{} in _native.pyi",
            r.name
        );
    }
}

#[test]
fn typescript_declarations_follow_the_schema() {
    let dts = repo_file("bindings-node/lib/index.d.ts");
    for r in schema::RECORDS {
        let body = block(&dts, &format!("export interface {} {{", r.name), |l| {
            l.starts_with('}')
        });
        let props: Vec<(String, String)> = body
            .iter()
            .map(|l| l.trim())
            .filter(|l| !(l.is_empty() || l.starts_with("/*") || l.starts_with('*')))
            .map(|l| {
                let (name, ty) = l.split_once(':').unwrap();
                (name.trim().to_owned(), ty.trim().to_owned())
            })
            .collect();
        assert_eq!(
            props,
            expected(r, ts_type, "null"),
            "{} in index.d.ts",
            r.name
        );
    }
}

#[test]
fn the_descriptor_serialises_for_the_bindings() {
    let v = serde_json::to_value(schema::RECORDS).unwrap();
    assert_eq!(v[0]["name"], "SessionRecord");
    assert_eq!(v[0]["fields"][3]["type"], "timestamp");
    assert_eq!(v[2]["columns"][2]["name"], "local_timestamp");
    assert_eq!(v[2]["columns"][2]["type"], "local_seconds");
    for (i, r) in schema::RECORDS.iter().enumerate() {
        for (j, f) in r.fields.iter().enumerate() {
            assert_eq!(v[i]["fields"][j]["type"], f.ty.name());
        }
    }
}
