//! `git http-backend` as a CGI program: the request's metadata goes into
//! its environment, the request body is streamed into its standard input,
//! and its standard output is a CGI response (headers, a blank line, the
//! body).
//!
//! Fetches (`stream`) answer with the body as git writes it, so a clone of
//! a big repository never sits in memory; pushes (`run`) collect their
//! small answer, because the triggers run after receive-pack ends and
//! before the client is answered.

use axum::body::{Body, HttpBody};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt};

/// The most `git http-backend` buffers of a request it must read whole
/// (upload-pack negotiations), after decompression.
const MAX_REQUEST_BUFFER: &str = "100M";

/// What the CGI program is told about a request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    /// `/<name>.git/<rest>`, under `GIT_PROJECT_ROOT`.
    pub path_info: String,
    pub query: String,
    pub remote_user: String,
    /// `CONTENT_TYPE`, `CONTENT_LENGTH`, `HTTP_CONTENT_ENCODING`,
    /// `HTTP_GIT_PROTOCOL`, from the request's headers.
    pub variables: Vec<(&'static str, String)>,
}

impl Request {
    pub fn new(method: &str, path_info: String, query: &str, remote_user: &str, headers: &HeaderMap) -> Request {
        let mut variables = Vec::new();
        for (variable, header) in [
            ("CONTENT_TYPE", "content-type"),
            ("CONTENT_LENGTH", "content-length"),
            ("HTTP_CONTENT_ENCODING", "content-encoding"),
            ("HTTP_GIT_PROTOCOL", "git-protocol"),
        ] {
            if let Some(value) = headers.get(header).and_then(|v| v.to_str().ok()) {
                variables.push((variable, value.to_owned()));
            }
        }
        Request {
            method: method.to_owned(),
            path_info,
            query: query.to_owned(),
            remote_user: remote_user.to_owned(),
            variables,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Response {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Vec<u8>,
}

/// Runs `git http-backend` for one request. Dropping the future kills it.
fn backend(project_root: &Path, request: &Request) -> tokio::process::Command {
    let mut command = super::command::git();
    command
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", project_root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_HTTP_MAX_REQUEST_BUFFER", MAX_REQUEST_BUFFER)
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("REQUEST_METHOD", &request.method)
        .env("PATH_INFO", &request.path_info)
        .env("QUERY_STRING", &request.query)
        .env("REMOTE_USER", &request.remote_user)
        .envs(request.variables.iter().map(|(k, v)| (*k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// The streamed answer of `git http-backend`.
pub(crate) struct Streamed {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Body,
}

/// The most header bytes a CGI answer may have before its body.
const MAX_HEADERS: usize = 64 * 1024;

/// Runs `git http-backend` for one request and answers as soon as it has
/// written its headers; the body follows as git writes it. The program
/// lives as long as the body: a client that goes away kills it.
pub(crate) async fn stream(project_root: &Path, request: &Request, body: Body) -> io::Result<Streamed> {
    let mut child = backend(project_root, request).spawn()?;
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let path = request.path_info.clone();
    let feeder = tokio::spawn(async move {
        if let Err(e) = feed(body, stdin).await {
            tracing::debug!(error = %e, "the request body did not reach git http-backend");
        }
    });
    tokio::spawn(async move {
        let errors = read_all(stderr).await.unwrap_or_default();
        let errors = String::from_utf8_lossy(&errors);
        if !errors.trim().is_empty() {
            tracing::debug!(path = %path, stderr = %errors.trim(), "git http-backend wrote to stderr");
        }
    });
    let mut reader = tokio::io::BufReader::new(stdout);
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader.read_until(b'\n', &mut head).await?;
        let line = &head[before..];
        if n == 0 {
            let status = child.wait().await?;
            return Err(io::Error::other(format!("git http-backend ended ({status}) before its headers")));
        }
        if line == b"\n" || line == b"\r\n" {
            break;
        }
        if head.len() > MAX_HEADERS {
            return Err(io::Error::other("git http-backend wrote too many header bytes"));
        }
    }
    let Response { status, headers, .. } = parse(head)?;
    let output = ChildOutput { reader, _child: child, _feeder: AbortOnDrop(feeder) };
    Ok(Streamed { status, headers, body: Body::from_stream(tokio_util::io::ReaderStream::new(output)) })
}

/// The program's standard output, holding the program (killed when this is
/// dropped) and the task feeding it.
struct ChildOutput {
    reader: tokio::io::BufReader<tokio::process::ChildStdout>,
    _child: tokio::process::Child,
    _feeder: AbortOnDrop,
}

impl AsyncRead for ChildOutput {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        Pin::new(&mut self.reader).poll_read(cx, buf)
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `git http-backend` for one request and collects its whole answer.
/// Dropping the future kills it.
pub(crate) async fn run(project_root: &Path, request: &Request, body: Body) -> io::Result<Response> {
    let mut child = backend(project_root, request).spawn()?;
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let (fed, output, errors) = tokio::join!(feed(body, stdin), read_all(stdout), read_all(stderr));
    let status = child.wait().await?;
    let errors = String::from_utf8_lossy(&errors.unwrap_or_default()).trim().to_owned();
    if !errors.is_empty() {
        tracing::debug!(path = %request.path_info, stderr = %errors, "git http-backend wrote to stderr");
    }
    fed?;
    let output = output?;
    if output.is_empty() && !status.success() {
        return Err(io::Error::other(format!("git http-backend failed ({status}): {errors}")));
    }
    parse(output)
}

/// Streams the request body into the program. A program that stopped
/// reading (it answered early) is not an error; a client that went away is.
async fn feed(mut body: Body, mut stdin: tokio::process::ChildStdin) -> io::Result<()> {
    let mut closed = false;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(io::Error::other)?;
        let Ok(data) = frame.into_data() else { continue };
        if closed {
            continue;
        }
        match stdin.write_all(&data).await {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => closed = true,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn read_all(mut reader: impl AsyncRead + Unpin) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    reader.read_to_end(&mut out).await?;
    Ok(out)
}

/// A CGI response: header lines (`Status: 404 Not Found` sets the status),
/// a blank line, the body.
fn parse(mut output: Vec<u8>) -> io::Result<Response> {
    let crlf = find(&output, b"\r\n\r\n").map(|at| (at, 4));
    let lf = find(&output, b"\n\n").map(|at| (at, 2));
    let (end, separator) = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).ok_or_else(|| io::Error::other("git http-backend wrote no CGI headers"))?,
    };
    let body = output.split_off(end + separator);
    let head = String::from_utf8_lossy(&output[..end]);
    let mut status = StatusCode::OK;
    let mut headers = Vec::new();
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("status") {
            let code = value.split_whitespace().next().and_then(|c| c.parse::<u16>().ok());
            status = code
                .and_then(|c| StatusCode::from_u16(c).ok())
                .ok_or_else(|| io::Error::other(format!("git http-backend wrote a bad status: {value}")))?;
            continue;
        }
        // The length and framing are the HTTP server's business.
        if ["content-length", "transfer-encoding", "connection"].iter().any(|h| name.eq_ignore_ascii_case(h)) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            headers.push((name, value));
        }
    }
    Ok(Response { status, headers, body })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgi_responses_are_parsed() {
        let out = b"Status: 404 Not Found\r\nExpires: Fri, 01 Jan 1980 00:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nno\n".to_vec();
        let response = parse(out).unwrap();
        assert_eq!(response.status, StatusCode::NOT_FOUND);
        let names: Vec<&str> = response.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["expires", "content-type"]);
        assert_eq!(response.body, b"no\n");

        let response =
            parse(b"Content-Type: application/x-git-upload-pack-result\n\n\x00\r\n\r\nPACK".to_vec()).unwrap();
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.body, b"\x00\r\n\r\nPACK");

        assert!(parse(b"garbage".to_vec()).is_err());
        assert!(parse(b"Status: x\r\n\r\n".to_vec()).is_err());
    }
}
