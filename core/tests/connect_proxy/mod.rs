//! A CONNECT proxy on loopback for the proxy tests of the core and the CLI (the CLI's
//! tests include this file by path).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A CONNECT proxy on 127.0.0.1 serving up to `max` tunnels; the request lines it
/// got are pushed to the returned list.
pub fn connect_proxy(max: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(max) {
            let Ok(client) = conn else { continue };
            let log = log.clone();
            std::thread::spawn(move || tunnel(client, &log));
        }
    });
    (url, seen)
}

fn tunnel(client: TcpStream, log: &Mutex<Vec<String>>) {
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    for _ in 0..100 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    log.lock().unwrap().push(first.trim().to_owned());
    let target = first.split_whitespace().nth(1).unwrap_or("").to_owned();
    let mut client = client;
    let Ok(upstream) = TcpStream::connect(&target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .unwrap();
    let (mut up_r, mut up_w) = (upstream.try_clone().unwrap(), upstream);
    let mut down_w = client.try_clone().unwrap();
    let t = std::thread::spawn(move || {
        let _ = std::io::copy(&mut up_r, &mut down_w);
        let _ = down_w.shutdown(std::net::Shutdown::Write);
    });
    // What the reader buffered after the head, then the rest.
    let buffered = reader.buffer().to_vec();
    let _ = up_w.write_all(&buffered);
    let mut rest = reader.into_inner();
    let _ = std::io::copy(&mut rest, &mut up_w);
    let _ = up_w.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
}
