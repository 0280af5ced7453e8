//! The HTTP backend against a small in-test server that speaks the protocol
//! sluice's server offers agents: `GET`, `HEAD` and `PUT <base>/<key>` with
//! `Authorization: Bearer <token>`, 404 for a missing key, 401 without the
//! token.

use sluice_artifacts::{ArtifactError, ArtifactStore};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

type Objects = Arc<Mutex<HashMap<String, Vec<u8>>>>;

const TOKEN: &str = "s3cr3t";

/// Serves `/artifacts/<key>` from memory; returns the base URL.
async fn serve(objects: Objects) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(connection(stream, objects.clone()));
        }
    });
    format!("http://{address}/artifacts/")
}

async fn connection(stream: TcpStream, objects: Objects) {
    let mut stream = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
        let (mut length, mut authorized) = (0usize, false);
        loop {
            let mut header = String::new();
            stream.read_line(&mut header).await.unwrap();
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap(),
                "authorization" => authorized = value.trim() == format!("Bearer {TOKEN}"),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await.unwrap();
        let key = path.strip_prefix("/artifacts/").unwrap_or("").to_owned();
        let (status, reply) = if !authorized {
            ("401 Unauthorized", b"no token".to_vec())
        } else {
            let mut objects = objects.lock().unwrap();
            // `flaky/` keys fail their first PUT as a busy server would.
            let first_try = key.starts_with("flaky/") && objects.insert(format!("tried/{key}"), Vec::new()).is_none();
            match (method.as_str(), objects.get(&key)) {
                ("PUT", _) if first_try => ("503 Service Unavailable", b"busy".to_vec()),
                ("PUT", _) => {
                    objects.insert(key, body);
                    ("200 OK", Vec::new())
                }
                ("GET" | "HEAD", Some(object)) => ("200 OK", object.clone()),
                _ => ("404 Not Found", Vec::new()),
            }
        };
        let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n", reply.len());
        let out = stream.get_mut();
        out.write_all(head.as_bytes()).await.unwrap();
        if method != "HEAD" {
            out.write_all(&reply).await.unwrap();
        }
    }
}

#[tokio::test]
async fn put_get_exists_with_a_bearer_token() {
    let objects = Objects::default();
    let base = serve(objects.clone()).await;
    let store = ArtifactStore::http(&base, TOKEN).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("a.zip");
    std::fs::write(&src, vec![7u8; 3 << 20]).unwrap();

    assert!(!store.exists("p/e/A/j.zip").await.unwrap());
    store.put_file("p/e/A/j.zip", &src).await.unwrap();
    assert_eq!(objects.lock().unwrap()["p/e/A/j.zip"].len(), 3 << 20, "stored under base/<key>");
    assert!(store.exists("p/e/A/j.zip").await.unwrap());
    let out = tmp.path().join("out/b.zip");
    store.get_to_file("p/e/A/j.zip", &out).await.unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), vec![7u8; 3 << 20]);

    store.put_bytes("p/small", b"small".to_vec()).await.unwrap();
    assert_eq!(store.get_bytes("p/small").await.unwrap(), b"small");
    let err = store.get_to_file("p/nope", &tmp.path().join("nope")).await.unwrap_err();
    assert!(matches!(err, ArtifactError::NotFound { .. }), "{err}");
    let debug = format!("{store:?}");
    assert!(debug.contains(base.trim_end_matches('/')) && !debug.contains(TOKEN), "{debug}");
}

#[tokio::test]
async fn a_wrong_token_is_a_clear_error() {
    let base = serve(Objects::default()).await;
    let store = ArtifactStore::http(&base, "wrong").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("a.zip");
    std::fs::write(&src, b"x").unwrap();
    let err = store.put_file("k.zip", &src).await.unwrap_err().to_string();
    assert!(err.contains("`k.zip`") && err.contains("401") && err.contains("no token"), "{err}");
    assert!(!err.contains("wrong"), "{err}");
    let err = store.exists("k.zip").await.unwrap_err().to_string();
    assert!(err.contains("`k.zip`") && err.contains(base.trim_end_matches('/')), "{err}");
}

#[tokio::test]
async fn a_put_the_server_fails_is_tried_again() {
    let objects = Objects::default();
    let store = ArtifactStore::http(&serve(objects.clone()).await, TOKEN).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("a.zip");
    std::fs::write(&src, b"whole").unwrap();
    store.put_file("flaky/a.zip", &src).await.unwrap();
    assert_eq!(objects.lock().unwrap()["flaky/a.zip"], b"whole", "the second attempt sent the file from its start");
    store.put_bytes("flaky/b", b"bytes".to_vec()).await.unwrap();
    assert_eq!(store.get_bytes("flaky/b").await.unwrap(), b"bytes");
}
