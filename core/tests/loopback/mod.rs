//! A scripted HTTP server on loopback for the client tests (and the CLI's, which
//! include this file): std sockets, one connection at a time, `Connection: close`,
//! at most a given number of requests, so every test's server is bounded.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One request as a script sees it: its path and query, the query's `offset` and
/// `limit` (0 when absent), and how many requests came before it (retries too).
#[derive(Clone, Debug)]
pub struct Asked {
    pub path: String,
    pub query: String,
    pub offset: usize,
    pub limit: usize,
    pub n: usize,
}

/// A status and a body.
pub type Answer = (u16, Vec<u8>);

/// A numeric query parameter, 0 when absent.
pub fn param(query: &str, name: &str) -> usize {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0)
}

/// Serves `script` on 127.0.0.1 for at most `max` requests; returns the base URL
/// and the log of what was asked.
pub fn serve(
    max: usize,
    script: impl Fn(&Asked) -> Answer + Send + 'static,
) -> (String, Arc<Mutex<Vec<Asked>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().take(max).enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let target = request_line.split(' ').nth(1).unwrap_or("/");
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let a = Asked {
                path: path.to_owned(),
                query: query.to_owned(),
                offset: param(query, "offset"),
                limit: param(query, "limit"),
                n,
            };
            log.lock().unwrap().push(a.clone());
            let (status, body) = script(&a);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    (base, asked)
}

/// A client of the server at `base`: its clock at `now`, `retries` retries with
/// 1–2 ms backoff, a 2 s timeout.
pub fn client(base: &str, now: i64, retries: u32) -> plumlogs::Client {
    plumlogs::Client::builder()
        .username("u")
        .password("p")
        .base_url(base)
        .clock(move || now)
        .max_retries(retries)
        .backoff(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(2),
        )
        .timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap()
}
