//! Artifact store URLs, as `sluice server --artifact-store` takes them:
//!
//! - a directory: `file:///var/lib/sluice/artifacts`, or a plain path
//!   (`/srv/artifacts`, `./artifacts`, made absolute);
//! - an S3-compatible bucket:
//!   `s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION&path_style=true|false&access_key_id=ID&secret_access_key=SECRET&session_token=TOKEN]`.
//!   - `endpoint`: the S3 API's URL for anything but AWS itself (MinIO,
//!     moto, Ceph...), e.g. `http://127.0.0.1:9000`; plain `http://` is
//!     allowed because it was asked for explicitly.
//!   - `region`: default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`.
//!   - `path_style`: `http://host/bucket/key` rather than
//!     `http://bucket.host/key`; the default is true with an `endpoint`,
//!     false for AWS.
//!   - credentials: from the URL, else `AWS_ACCESS_KEY_ID`,
//!     `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, else AWS's usual
//!     chain (web identity, container and instance credentials).
//!   - values are percent-decoded (`%2B` is `+`); a `+` stays a plus, so
//!     secrets can be pasted as they are.

use super::ArtifactStore;
use crate::error::{ArtifactError, Result};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Where an S3-compatible store is and how to reach it.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// Keys are stored under `prefix/`; empty for the bucket's root.
    pub prefix: String,
    /// The S3 API's URL when it is not AWS's.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    /// Bucket in the path (`host/bucket/key`) rather than in the host name.
    pub path_style: bool,
    /// Plain `http://` endpoints.
    pub allow_http: bool,
}

impl S3Config {
    /// A bucket on AWS in `us-east-1`, with AWS's credential chain.
    pub fn new(bucket: impl Into<String>) -> S3Config {
        S3Config {
            bucket: bucket.into(),
            prefix: String::new(),
            endpoint: None,
            region: "us-east-1".to_owned(),
            access_key_id: None,
            secret_access_key: None,
            session_token: None,
            path_style: false,
            allow_http: false,
        }
    }

    /// An `s3://` URL naming the same place, without credentials.
    pub fn describe(&self) -> String {
        let prefix = self.prefix.trim_matches('/');
        let mut out = format!("s3://{}{}{}", self.bucket, if prefix.is_empty() { "" } else { "/" }, prefix);
        if let Some(endpoint) = &self.endpoint {
            out.push_str(&format!(" at {endpoint}"));
        }
        out
    }

    pub(super) fn build(&self) -> Result<AmazonS3, object_store::Error> {
        let options = object_store::ClientOptions::new()
            .with_allow_http(self.allow_http)
            // A big artifact may take long; a stalled transfer may not.
            .with_timeout_disabled()
            .with_read_timeout(Duration::from_secs(120))
            .with_connect_timeout(Duration::from_secs(10));
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&self.bucket)
            .with_region(&self.region)
            .with_virtual_hosted_style_request(!self.path_style)
            .with_allow_http(self.allow_http)
            .with_client_options(options);
        if let Some(endpoint) = &self.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(id) = &self.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &self.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        if let Some(token) = &self.session_token {
            builder = builder.with_token(token);
        }
        builder.build()
    }
}

impl fmt::Debug for S3Config {
    /// Never prints the secret or the session token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "<hidden>");
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &hidden(&self.secret_access_key))
            .field("session_token", &hidden(&self.session_token))
            .field("path_style", &self.path_style)
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

const PARAMETERS: [&str; 6] =
    ["endpoint", "region", "path_style", "access_key_id", "secret_access_key", "session_token"];

/// [`ArtifactStore::from_url`], with the environment passed in.
pub(super) fn parse(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<ArtifactStore> {
    let invalid = |reason: String| ArtifactError::Config { spec: redact(spec), reason };
    let Some((scheme, rest)) = spec.split_once("://") else {
        if spec.trim().is_empty() {
            return Err(invalid("it is empty".to_owned()));
        }
        let path = std::path::absolute(spec).map_err(|e| invalid(format!("not a usable path: {e}")))?;
        return Ok(ArtifactStore::local(path));
    };
    match scheme {
        "file" => {
            let Some(path) = rest.strip_prefix('/') else {
                return Err(invalid("a file URL takes an absolute path, as in file:///srv/artifacts".to_owned()));
            };
            let path = percent_encoding::percent_decode_str(path)
                .decode_utf8()
                .map_err(|_| invalid("the path is not valid UTF-8 once decoded".to_owned()))?;
            Ok(ArtifactStore::local(PathBuf::from(format!("/{path}"))))
        }
        "s3" => ArtifactStore::s3(s3_config(rest, env).map_err(invalid)?),
        other => Err(invalid(format!(
            "unknown scheme `{other}`: an artifact store is a directory (a path or file:///path) or s3://bucket/prefix"
        ))),
    }
}

/// The part of an `s3://` URL after the scheme.
fn s3_config(rest: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<S3Config, String> {
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
    check_bucket_name(bucket)?;
    if prefix.split('/').any(|s| s == "." || s == "..") {
        return Err("the prefix may not have `.` or `..` segments".to_owned());
    }
    let mut config = S3Config::new(bucket);
    config.prefix = prefix.trim_matches('/').to_owned();
    config.region = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")).unwrap_or(config.region);

    let mut seen = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_encoding::percent_decode_str(value)
            .decode_utf8()
            .map_err(|_| format!("the value of `{name}` is not valid UTF-8 once decoded"))?
            .into_owned();
        if !PARAMETERS.contains(&name) {
            return Err(format!("unknown parameter `{name}` (known: {})", PARAMETERS.join(", ")));
        }
        if seen.contains(&name) {
            return Err(format!("the parameter `{name}` is given twice"));
        }
        seen.push(name);
        if value.is_empty() {
            return Err(format!("the parameter `{name}` is empty"));
        }
        match name {
            "endpoint" => config.endpoint = Some(value),
            "region" => config.region = value,
            "path_style" => {
                config.path_style = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(format!("path_style is `true` or `false`, not `{value}`")),
                }
            }
            "access_key_id" => config.access_key_id = Some(value),
            "secret_access_key" => config.secret_access_key = Some(value),
            _ => config.session_token = Some(value),
        }
    }
    if let Some(endpoint) = &config.endpoint {
        let scheme = endpoint.split_once("://").map(|(s, _)| s);
        if !matches!(scheme, Some("http" | "https")) {
            return Err(format!("the endpoint must be an http:// or https:// URL, not `{endpoint}`"));
        }
        config.allow_http = scheme == Some("http");
        if !seen.contains(&"path_style") {
            config.path_style = true;
        }
    }
    match (&config.access_key_id, &config.secret_access_key) {
        (Some(_), Some(_)) => {}
        (None, None) => {
            config.access_key_id = env("AWS_ACCESS_KEY_ID").filter(|v| !v.is_empty());
            config.secret_access_key = env("AWS_SECRET_ACCESS_KEY").filter(|v| !v.is_empty());
            if config.session_token.is_none() {
                config.session_token = env("AWS_SESSION_TOKEN").filter(|v| !v.is_empty());
            }
            if config.access_key_id.is_some() != config.secret_access_key.is_some() {
                return Err("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together".to_owned());
            }
        }
        _ => return Err("access_key_id and secret_access_key must be given together".to_owned()),
    }
    Ok(config)
}

/// S3's bucket naming rules, in short: 3 to 63 lowercase letters, digits,
/// dots and hyphens, starting and ending with a letter or digit.
pub fn check_bucket_name(bucket: &str) -> Result<(), String> {
    let valid = (3..=63).contains(&bucket.len())
        && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
        && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{bucket}` is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens, \
             starting and ending with a letter or digit)"
        ))
    }
}

/// The spec as it may appear in an error: secrets replaced.
fn redact(spec: &str) -> String {
    let Some((head, query)) = spec.split_once('?') else {
        return spec.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name @ ("secret_access_key" | "session_token"), _)) => format!("{name}=<hidden>"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn config(rest: &str) -> Result<S3Config, String> {
        s3_config(rest, &no_env)
    }

    #[test]
    fn s3_urls() {
        let c = config("my-bucket/some/prefix/?endpoint=http://127.0.0.1:9000&region=eu-west-1").unwrap();
        assert_eq!((c.bucket.as_str(), c.prefix.as_str()), ("my-bucket", "some/prefix"));
        assert_eq!(c.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(c.region, "eu-west-1");
        assert!(c.path_style && c.allow_http);
        assert_eq!(c.describe(), "s3://my-bucket/some/prefix at http://127.0.0.1:9000");

        let c = config("bucket").unwrap();
        assert!(!c.path_style && !c.allow_http && c.prefix.is_empty() && c.access_key_id.is_none());
        assert_eq!(c.region, "us-east-1");

        let c = config("bucket?endpoint=https://s3.local&path_style=false&access_key_id=AK&secret_access_key=a+b%2Fc")
            .unwrap();
        assert!(!c.path_style && !c.allow_http);
        assert_eq!(c.secret_access_key.as_deref(), Some("a+b/c"), "a plus stays a plus");
        assert!(!format!("{c:?}").contains("a+b/c"), "Debug hides the secret");
    }

    #[test]
    fn credentials_and_region_come_from_the_environment() {
        let env = |name: &str| match name {
            "AWS_ACCESS_KEY_ID" => Some("AKENV".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("secret".to_owned()),
            "AWS_DEFAULT_REGION" => Some("ap-south-1".to_owned()),
            _ => None,
        };
        let c = s3_config("bucket", &env).unwrap();
        assert_eq!((c.access_key_id.as_deref(), c.region.as_str()), (Some("AKENV"), "ap-south-1"));
        let c = s3_config("bucket?access_key_id=AKURL&secret_access_key=s&region=us-west-2", &env).unwrap();
        assert_eq!((c.access_key_id.as_deref(), c.region.as_str()), (Some("AKURL"), "us-west-2"));
        let half = |name: &str| (name == "AWS_ACCESS_KEY_ID").then(|| "AK".to_owned());
        assert!(s3_config("bucket", &half).unwrap_err().contains("must be set together"));
    }

    #[test]
    fn bad_s3_urls_say_what_is_wrong() {
        for (rest, why) in [
            ("", "is not a bucket name"),
            ("Bucket_Upper", "is not a bucket name"),
            ("bucket/a/../b", "`.` or `..`"),
            ("bucket?regoin=x", "unknown parameter `regoin` (known: endpoint, region"),
            ("bucket?region=a&region=b", "given twice"),
            ("bucket?region=", "`region` is empty"),
            ("bucket?path_style=yes", "path_style is `true` or `false`"),
            ("bucket?endpoint=127.0.0.1:9000", "http:// or https:// URL"),
            ("bucket?access_key_id=AK", "given together"),
        ] {
            let err = config(rest).unwrap_err();
            assert!(err.contains(why), "{rest}: {err}");
        }
    }

    #[test]
    fn directories_and_errors() {
        let store = parse("file:///srv/art%20ifacts", &no_env).unwrap();
        assert_eq!(store.describe(), "/srv/art ifacts");
        let store = parse("relative/dir", &no_env).unwrap();
        assert!(store.describe().starts_with('/') && store.describe().ends_with("relative/dir"));
        let store = parse("s3://bucket/p?endpoint=http://127.0.0.1:1", &no_env).unwrap();
        assert_eq!(store.describe(), "s3://bucket/p at http://127.0.0.1:1");

        let err = parse("file://host/x", &no_env).unwrap_err().to_string();
        assert!(err.contains("absolute path"), "{err}");
        let err = parse("gs://bucket", &no_env).unwrap_err().to_string();
        assert!(err.contains("unknown scheme `gs`"), "{err}");
        let err = parse("", &no_env).unwrap_err().to_string();
        assert!(err.contains("empty"), "{err}");
        let err = parse("s3://bucket?secret_access_key=TOPSECRET&access_key_id=A&bad=1", &no_env).unwrap_err();
        let err = err.to_string();
        assert!(err.contains("unknown parameter `bad`") && !err.contains("TOPSECRET"), "{err}");
    }
}
