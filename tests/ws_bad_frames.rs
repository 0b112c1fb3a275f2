//! Invalid WebSocket input against the live stream, over raw TCP: broken frames after a valid
//! upgrade end in a close frame with the right code and a closed connection; broken
//! handshakes get a 4xx. No panic, and the server keeps serving everyone else.

mod common;

use common::ws::{event_id, task_ids, Live, WAIT};
use common::{published_order, TestServer};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
const FIN: u8 = 0x80;
const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;

/// A client frame: `first` is the FIN/RSV/opcode byte; masked as clients must, unless not.
fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![first];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    if masked {
        out.extend_from_slice(&MASK);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// A header announcing 2^40 bytes of binary payload that never come.
fn huge_header() -> Vec<u8> {
    let mut out = vec![FIN | BINARY, 0x80 | 127];
    out.extend_from_slice(&(1u64 << 40).to_be_bytes());
    out.extend_from_slice(&MASK);
    out
}

/// Bytes no WebSocket peer would send, the same every run.
fn garbage() -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    (0..256)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

fn host(s: &TestServer) -> &str {
    s.base.trim_start_matches("http://")
}

/// Sends a raw HTTP request; returns the status code and the whole head.
fn request(s: &TestServer, head: &str) -> (TcpStream, u16, String) {
    let mut stream = TcpStream::connect(host(s)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => got.push(byte[0]),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (stream, status, text)
}

fn upgrade_head(s: &TestServer, extra: &str) -> String {
    let token = s.admin.token.as_deref().unwrap();
    format!(
        "GET /api/v1/events HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n{extra}\r\n",
        host(s)
    )
}

const GOOD_UPGRADE: &str = "Upgrade: websocket\r\nConnection: Upgrade\r\n\
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

fn upgraded(s: &TestServer) -> TcpStream {
    let (stream, status, head) = request(s, &upgrade_head(s, GOOD_UPGRADE));
    assert_eq!(status, 101, "{head}");
    stream
}

/// How the server ended a connection: the close code it sent (if any), and whether it then
/// closed the socket within the wait.
fn ending(mut stream: TcpStream) -> (Option<u16>, bool) {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (close_code(&got), true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if Instant::now() > deadline {
                    return (close_code(&got), false);
                }
            }
            // A reset after the close frame is a closed socket too.
            Err(_) => return (close_code(&got), true),
        }
    }
}

/// The code of the first close frame among the server's (unmasked) frames in `bytes`.
fn close_code(mut bytes: &[u8]) -> Option<u16> {
    while bytes.len() >= 2 {
        let opcode = bytes[0] & 0x0f;
        let (len, start) = match bytes[1] & 0x7f {
            126 => (u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(bytes[2..10].try_into().ok()?) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        let payload = bytes.get(start..start + len)?;
        if opcode == CLOSE {
            return Some(
                payload
                    .get(..2)
                    .map_or(1005, |c| u16::from_be_bytes([c[0], c[1]])),
            );
        }
        bytes = &bytes[start + len..];
    }
    None
}

#[test]
fn broken_frames_close_the_connection_and_nobody_else_notices() {
    let s = TestServer::start();
    let token = s.admin.token.clone().unwrap();
    let mut bystander = Live::connect(&s.base, &token, "");

    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "a binary message",
            frame(FIN | BINARY, b"\x01\x02", true),
            1003,
        ),
        ("a text message", frame(FIN | TEXT, b"hello", true), 1003),
        (
            "text that is not UTF-8",
            frame(FIN | TEXT, b"\xff\xfe\xfd", true),
            1007,
        ),
        (
            "an unmasked frame",
            frame(FIN | TEXT, b"hello", false),
            1002,
        ),
        (
            "reserved bits",
            frame(FIN | 0x70 | TEXT, b"hello", true),
            1002,
        ),
        ("a reserved opcode", frame(FIN | 0x3, b"hello", true), 1002),
        (
            "a continuation of nothing",
            frame(FIN, b"hello", true),
            1002,
        ),
        ("a fragmented ping", frame(PING, b"ping", true), 1002),
        ("a 2^40-byte length", huge_header(), 1009),
        (
            "a close code that is not allowed",
            frame(FIN | CLOSE, &999u16.to_be_bytes(), true),
            1002,
        ),
        (
            "a reserved close code",
            frame(FIN | CLOSE, &1005u16.to_be_bytes(), true),
            1002,
        ),
        (
            "a close reason that is not UTF-8",
            frame(FIN | CLOSE, b"\x03\xe8\xff\xfe", true),
            1007,
        ),
        ("garbage", garbage(), 1002),
    ];
    for (what, bytes, expected) in cases {
        let mut stream = upgraded(&s);
        stream.write_all(&bytes).unwrap();
        let (code, closed) = ending(stream);
        assert!(closed, "{what}: the connection stayed open");
        assert_eq!(code, Some(expected), "{what}: close code");
    }

    // The stream goes on for everyone else.
    let order = published_order(&s.admin, &["PRT"]);
    let task = task_ids(&order, "PRT")[0];
    assert!(bystander.wait_until(WAIT, |e| event_id(e, "task.published", task).is_some()));
    assert_eq!(s.admin.get("/healthz").0, 200);
    let log = std::fs::read_to_string(s.data_dir().join("test-server.log")).unwrap();
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn broken_handshakes_get_a_4xx() {
    let s = TestServer::start();
    let token = s.admin.token.clone().unwrap();
    let mut bystander = Live::connect(&s.base, &token, "");
    let no_key = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n";
    let old_version = "Upgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n";
    let no_upgrade = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    for (what, extra, expected) in [
        ("no Sec-WebSocket-Key", no_key, 400),
        ("version 8", old_version, 426),
        ("no Upgrade", no_upgrade, 426),
    ] {
        let (_, status, head) = request(&s, &upgrade_head(&s, extra));
        assert_eq!(status, expected, "{what}: {head}");
        let head = head.to_ascii_lowercase();
        assert!(head.contains("sec-websocket-version: 13"), "{what}: {head}");
    }
    let (_, status, head) = request(&s, "\x16\x03\x01 GARBAGE\r\n\r\n");
    assert_eq!(status, 400, "garbage: {head}");

    let order = published_order(&s.admin, &["PRT"]);
    let task = task_ids(&order, "PRT")[0];
    assert!(bystander.wait_until(WAIT, |e| event_id(e, "task.published", task).is_some()));
    assert_eq!(s.admin.get("/healthz").0, 200);
    let log = std::fs::read_to_string(s.data_dir().join("test-server.log")).unwrap();
    assert!(!log.contains("panicked"), "{log}");
}
