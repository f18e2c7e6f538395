//! `plumlogs parse`: the built binary on the shared vectors and on bad input.
//! Expected records come from core (the one grammar), never from the CLI itself.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_plumlogs"))
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn plumlogs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run plumlogs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("utf-8 output")
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/vectors/lines")
}

const GOOD_SESSION: &str = "inbound 7185551234 3 [03/Nov/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";
const GOOD_LOCAL: &str = "local 7185551234 3 [03/Nov/2017:14:38:31 -0500] 6177123000 200035;003;1509734279 greeting: hello, \"caller\"";
const BAD_MONTH: &str = "inbound 7185551234 3 [03/Foo/2017:14:38:30 -0500] 6177123000 200035;003;1509734279 1509734310 1509734339 00:00:29";

const CALL_LOG: &str = "Wed 28 Aug 2002 10:16:58 AM EDT [tel] (300024;026;1509673023) EVENT: call connected\n\
Wed 28 Aug 2002 10:16:59 AM EDT [vxi] (300024;026;1509673023) DEBUG: first line\n\
continued on a second line\n\
Wed 28 Aug 2002 10:17:03 PM XYZ [rec] (300024;026;1509673023) USAGE: \n";

fn canonical<T: serde::Serialize>(r: &T) -> String {
    serde_json::to_string(r).unwrap()
}

#[test]
fn vectors_give_exactly_their_expected_lines() {
    let mut checked = 0;
    for entry in std::fs::read_dir(vectors()).expect("core/tests/vectors/lines") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(stem) = name.strip_suffix(".expected.jsonl") else {
            continue;
        };
        let kind = match stem {
            "sessions" | "errors" | "calllog" => stem,
            other => panic!("vector {other:?}: no parse kind for it; extend this test"),
        };
        let input = vectors().join(format!("{stem}.txt"));
        let expected = std::fs::read_to_string(&path).unwrap();
        // As a file argument, piped (jsonl is the default off a terminal), and explicit.
        let out = run(&["parse", kind, input.to_str().unwrap()]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), expected, "{name} (file, default format)");
        assert!(out.stderr.is_empty(), "{name}: {}", text(&out.stderr));

        let out = run_with_stdin(
            &["parse", kind, "-", "-o", "jsonl"],
            &std::fs::read(&input).unwrap(),
        );
        assert!(out.status.success());
        assert_eq!(text(&out.stdout), expected, "{name} (stdin, -o jsonl)");
        checked += 1;
    }
    assert!(
        checked >= 2,
        "expected the sessions and errors vectors, found {checked}"
    );
}

#[test]
fn json_is_one_array_of_the_canonical_records() {
    let input = vectors().join("sessions.txt");
    let out = run(&["parse", "sessions", input.to_str().unwrap(), "-o", "json"]);
    assert!(out.status.success());
    let array: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("one JSON array");
    let expected: Vec<serde_json::Value> =
        std::fs::read_to_string(vectors().join("sessions.expected.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
    assert_eq!(array, expected);

    let out = run_with_stdin(&["parse", "errors", "-o", "json"], b"\n\n");
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "[]\n");
}

#[test]
fn csv_round_trips_to_the_canonical_values() {
    let input = format!("{GOOD_SESSION}\n{GOOD_LOCAL}\n");
    let out = run_with_stdin(&["parse", "sessions", "-o", "csv"], input.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut rd = csv::Reader::from_reader(&out.stdout[..]);
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    for (line, row) in input.lines().zip(&rows) {
        let rec = plumlogs::parse_session_line(line).unwrap();
        // Field order and values follow the canonical JSON (null is an empty cell).
        let json = canonical(&rec);
        let mut keys = Vec::new();
        let mut de = serde_json::Deserializer::from_str(&json);
        let map: serde_json::Map<String, serde_json::Value> =
            serde::Deserialize::deserialize(&mut de).unwrap();
        for (i, key) in header.iter().enumerate() {
            keys.push(key.clone());
            let want = match &map[key] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                v => v.to_string(),
            };
            assert_eq!(&row[i], want, "column {key}");
        }
        let pos = |k: &str| json.find(&format!("\"{k}\":")).unwrap();
        assert!(
            keys.windows(2).all(|w| pos(&w[0]) < pos(&w[1])),
            "columns in canonical order: {keys:?}"
        );
        assert_eq!(keys.len(), map.len());
    }
    // The message with a comma and quotes survives csv quoting.
    assert_eq!(
        &rows[1][header.iter().position(|h| h == "message").unwrap()],
        "hello, \"caller\""
    );
}

#[test]
fn table_is_aligned_with_a_header() {
    let input = format!("{GOOD_SESSION}\n{GOOD_LOCAL}\n");
    let out = run_with_stdin(&["parse", "sessions", "-o", "table"], input.as_bytes());
    assert!(out.status.success());
    let t = text(&out.stdout);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 3, "{t}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header[..3], ["kind", "ani", "channel"]);
    assert!(header.contains(&"session_id") && header.contains(&"message"));
    // Every column starts at the same place in every row: the session id column.
    let col = lines[0].find("session_id").unwrap();
    assert_eq!(&lines[1][col..col + 21], "200035;003;1509734279");
    assert_eq!(&lines[2][col..col + 21], "200035;003;1509734279");
    assert!(
        lines[2].ends_with("greeting  hello, \"caller\""),
        "{}",
        lines[2]
    );
    assert!(lines.iter().all(|l| !l.ends_with(' ')));
}

#[test]
fn table_escapes_multi_line_messages_csv_keeps_them() {
    let out = run_with_stdin(&["parse", "calllog", "-o", "table"], CALL_LOG.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert_eq!(t.lines().count(), 4, "{t}");
    assert!(t.contains("first line\\ncontinued on a second line"), "{t}");

    let out = run_with_stdin(&["parse", "calllog", "-o", "csv"], CALL_LOG.as_bytes());
    let mut rd = csv::Reader::from_reader(&out.stdout[..]);
    let h = rd.headers().unwrap().clone();
    let msg = h.iter().position(|c| c == "message").unwrap();
    let rows: Vec<_> = rd.records().map(Result::unwrap).collect();
    assert_eq!(&rows[1][msg], "first line\ncontinued on a second line");
}

#[test]
fn calllog_jsonl_is_cores_canonical_json() {
    let out = run_with_stdin(&["parse", "calllog"], CALL_LOG.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected: String = plumlogs::parse_call_log(CALL_LOG)
        .unwrap()
        .iter()
        .map(|e| canonical(e) + "\n")
        .collect();
    assert_eq!(text(&out.stdout), expected);
    assert_eq!(expected.lines().count(), 3);
}

#[test]
fn strict_stops_at_the_first_bad_line_prints_nothing_exits_2() {
    let input = format!("{GOOD_SESSION}\n\n{BAD_MONTH}\nnot a line\n{GOOD_LOCAL}\n");
    let dir = std::env::temp_dir().join(format!("plumlogs-cli-strict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mixed.log");
    std::fs::write(&file, &input).unwrap();
    let out = run(&["parse", "sessions", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "strict mode is all or nothing");
    let err = text(&out.stderr);
    // file:line:column, the reason, its code, and the line itself.
    let col = BAD_MONTH.find("Foo").unwrap() + 1;
    assert!(
        err.contains(&format!("mixed.log:3:{col}: expected a month name")),
        "{err}"
    );
    assert!(
        err.contains("[bad_month]") && err.contains("03/Foo/2017"),
        "{err}"
    );
    assert!(!err.contains(":4:"), "only the first bad line: {err}");
}

#[test]
fn lenient_reports_every_bad_line_and_goes_on() {
    let input = format!("{GOOD_SESSION}\n\n{BAD_MONTH}\nnot a line\n{GOOD_LOCAL}\n");
    let out = run_with_stdin(
        &["parse", "sessions", "--lenient", "-o", "jsonl"],
        input.as_bytes(),
    );
    // Every good record is written, and the status still says the input was bad.
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let expected = format!(
        "{}\n{}\n",
        canonical(&plumlogs::parse_session_line(GOOD_SESSION).unwrap()),
        canonical(&plumlogs::parse_session_line(GOOD_LOCAL).unwrap())
    );
    assert_eq!(text(&out.stdout), expected);
    let err = text(&out.stderr);
    let problems: Vec<&str> = err.lines().filter(|l| l.starts_with("<stdin>:")).collect();
    assert_eq!(problems.len(), 2, "{err}");
    assert!(
        problems[0].starts_with("<stdin>:3:") && problems[0].contains("[bad_month]"),
        "{err}"
    );
    assert!(
        problems[1].starts_with("<stdin>:4:") && problems[1].contains("\"not a line\""),
        "{err}"
    );
    assert!(err.contains("2 records written, 2 bad lines"), "{err}");
    let clean = run_with_stdin(
        &["parse", "sessions", "--lenient"],
        format!("{GOOD_SESSION}\n{GOOD_LOCAL}\n").as_bytes(),
    );
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));
    assert!(clean.stderr.is_empty());
}

#[test]
fn lenient_calllog_reports_an_orphan_continuation() {
    let input = format!("orphan before any entry\n{CALL_LOG}");
    let out = run_with_stdin(&["parse", "calllog", "--lenient"], input.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout).lines().count(), 3);
    assert!(
        text(&out.stderr).contains("<stdin>:1:1: continuation line before the first entry"),
        "{}",
        text(&out.stderr)
    );
    let out = run_with_stdin(&["parse", "calllog"], input.as_bytes());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn invalid_utf8_is_a_reported_bad_line() {
    let mut input = GOOD_SESSION.as_bytes().to_vec();
    input.extend_from_slice(b"\nerror 1 2 [03/Nov/2017:14:38:30 -0500] 3 1;2;3 caf\xe9\n");
    let out = run_with_stdin(&["parse", "errors", "--lenient"], &input);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(
        err.lines().filter(|l| l.starts_with("<stdin>:")).count(),
        2,
        "{err}"
    );
    assert!(
        err.contains("<stdin>:2:") && err.contains("invalid_utf8"),
        "{err}"
    );
}

#[test]
fn unreadable_file_and_bad_usage_exit_2() {
    let out = run(&["parse", "sessions", "/nonexistent/plumlogs/file.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/plumlogs/file.log"));

    let out = run(&["parse", "voicemail"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("possible values: sessions, errors, calllog"));

    let out = run(&["parse", "sessions", "-o", "yaml"]);
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for cmd in [
        "sessions", "errors", "calls", "log", "parse", "emulator", "demo",
    ] {
        assert!(
            help.contains(&format!("  {cmd} ")),
            "help lists {cmd}: {help}"
        );
    }
}

#[test]
fn several_files_in_one_run() {
    let s = vectors().join("sessions.txt");
    let out = run(&[
        "parse",
        "sessions",
        s.to_str().unwrap(),
        s.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let one = std::fs::read_to_string(vectors().join("sessions.expected.jsonl")).unwrap();
    assert_eq!(text(&out.stdout), format!("{one}{one}"));
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    // Far more output than a pipe buffers, so the writer meets the closed pipe.
    let input: String = std::iter::repeat_n(format!("{GOOD_SESSION}\n"), 40_000).collect();
    let mut child = bin()
        .args(["parse", "sessions", "-o", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    // The reader (and the pipe) is dropped here.
    assert!(first.starts_with("{\"kind\":\"inbound\""), "{first}");
    feeder.join().unwrap().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}
