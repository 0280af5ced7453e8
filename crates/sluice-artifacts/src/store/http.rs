//! The HTTP backend: a sluice server's artifact endpoints, `GET`, `HEAD`
//! and `PUT <base>/<key>` with a bearer token. Reads go through
//! object_store's `HttpStore`; writes are streamed PUTs of our own, because
//! `HttpStore` sends a body only from memory and has no multipart upload.

use crate::error::{ArtifactError, Result};
use object_store::ClientOptions;
use object_store::http::{HttpBuilder, HttpStore};
use object_store::path::Path as ObjectPath;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, HeaderMap, HeaderValue};
use std::path::Path;
use std::time::Duration;
use url::Url;

/// A transfer that makes no progress for this long has failed; a whole
/// transfer may take as long as it needs (artifacts go up to 5 GiB).
const READ_TIMEOUT: Duration = Duration::from_secs(120);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub(super) struct HttpPut {
    client: reqwest::Client,
    base: Url,
}

pub(super) fn build(base_url: &str, bearer_token: &str) -> Result<(HttpStore, HttpPut)> {
    let invalid = |reason: String| ArtifactError::Config { spec: base_url.to_owned(), reason };
    let mut base = Url::parse(base_url).map_err(|e| invalid(format!("not a URL: {e}")))?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(invalid(format!("the scheme must be http or https, not `{}`", base.scheme())));
    }
    if base.query().is_some() || base.fragment().is_some() || !base.username().is_empty() || base.password().is_some() {
        return Err(invalid("the base URL may not have a query, a fragment or credentials".to_owned()));
    }
    // `<base>/<key>`: one slash between them whatever the base ends with.
    let trimmed = base.path().trim_end_matches('/').to_owned();
    base.set_path(&trimmed);

    let mut token = HeaderValue::from_str(&format!("Bearer {bearer_token}"))
        .map_err(|_| invalid("the bearer token has characters a header cannot carry".to_owned()))?;
    token.set_sensitive(true);
    let headers = HeaderMap::from_iter([(AUTHORIZATION, token)]);

    let options = ClientOptions::new()
        .with_default_headers(headers.clone())
        .with_allow_http(true)
        .with_timeout_disabled()
        .with_read_timeout(READ_TIMEOUT)
        .with_connect_timeout(CONNECT_TIMEOUT);
    let store = HttpBuilder::new()
        .with_url(base.as_str())
        .with_client_options(options)
        .build()
        .map_err(|e| invalid(e.to_string()))?;
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .read_timeout(READ_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .map_err(|e| invalid(format!("cannot make an HTTP client: {e}")))?;
    Ok((store, HttpPut { client, base }))
}

impl HttpPut {
    pub(super) fn base_url(&self) -> &str {
        self.base.as_str()
    }

    fn url(&self, path: &ObjectPath) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path.parts());
        }
        url
    }

    /// Streams the file; a failed attempt that may be passing (no answer,
    /// or a 5xx) is tried again from the start of the file.
    pub(super) async fn put_file(&self, path: &ObjectPath, key: &str, from: &Path, size: u64) -> Result<()> {
        self.with_retries(key, || async {
            let file = tokio::fs::File::open(from).await.map_err(ArtifactError::io("read", from))?;
            let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(file, 256 << 10));
            Ok(self.send(path, body, size).await)
        })
        .await
    }

    pub(super) async fn put_bytes(&self, path: &ObjectPath, key: &str, bytes: Vec<u8>) -> Result<()> {
        let bytes = bytes::Bytes::from(bytes);
        let size = bytes.len() as u64;
        self.with_retries(key, || async { Ok(self.send(path, reqwest::Body::from(bytes.clone()), size).await) }).await
    }

    async fn with_retries<F, Fut>(&self, key: &str, attempt: F) -> Result<()>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Result<(), PutError>>>,
    {
        let mut waits = RETRY_WAITS.iter();
        loop {
            let error = match attempt().await? {
                Ok(()) => return Ok(()),
                Err(error) => error,
            };
            match waits.next() {
                Some(wait) if error.transient => tokio::time::sleep(*wait).await,
                _ => {
                    return Err(ArtifactError::Remote {
                        action: "write",
                        key: key.to_owned(),
                        store: self.base.to_string(),
                        source: error.message.into(),
                    });
                }
            }
        }
    }

    /// One PUT. The length is sent up front, so the server can refuse a
    /// body too big before it comes, and can tell a cut-off upload from a
    /// whole one.
    async fn send(&self, path: &ObjectPath, body: reqwest::Body, size: u64) -> Result<(), PutError> {
        let url = self.url(path);
        let response = match self.client.put(url.clone()).header(CONTENT_LENGTH, size).body(body).send().await {
            Ok(response) => response,
            Err(e) => return Err(PutError { transient: true, message: format!("PUT {url}: {e}") }),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        let detail = text.trim().lines().next().unwrap_or_default().chars().take(200).collect::<String>();
        let separator = if detail.is_empty() { "" } else { ": " };
        Err(PutError {
            transient: status.is_server_error(),
            message: format!("PUT {url} answered {status}{separator}{detail}"),
        })
    }
}

/// Between attempts of a PUT; three attempts in all.
const RETRY_WAITS: [Duration; 2] = [Duration::from_millis(200), Duration::from_secs(1)];

struct PutError {
    /// Worth another attempt: no answer, or the server's own failure.
    transient: bool,
    message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let (_, put) = build("http://127.0.0.1:7700/api/v1/artifacts/", "t").unwrap();
        let path = ObjectPath::parse("pipe/exec 1/A/j.zip").unwrap();
        assert_eq!(put.url(&path).as_str(), "http://127.0.0.1:7700/api/v1/artifacts/pipe/exec%201/A/j.zip");
        // HttpStore joins the same way without dropping an empty last
        // segment: a root base must still give `/k`, not `//k`.
        let mut root = Url::parse("https://sluice.example").unwrap();
        let trimmed = root.path().trim_end_matches('/').to_owned();
        root.set_path(&trimmed);
        root.path_segments_mut().unwrap().extend(["k"]);
        assert_eq!(root.as_str(), "https://sluice.example/k");
        let (_, put) = build("https://sluice.example", "t").unwrap();
        assert_eq!(put.url(&ObjectPath::parse("k").unwrap()).as_str(), "https://sluice.example/k");

        for (bad, why) in [
            ("ftp://h/x", "the scheme must be http or https"),
            ("not a url", "not a URL"),
            ("http://h/x?a=b", "may not have a query"),
            ("http://u:p@h/x", "credentials"),
        ] {
            let err = build(bad, "t").unwrap_err().to_string();
            assert!(err.contains(why) && err.contains(bad), "{err}");
        }
        let err = build("http://h/", "bad\ntoken").unwrap_err().to_string();
        assert!(err.contains("bearer token") && !err.contains("bad\ntoken"), "{err}");
    }
}
