//! The client of the sluice API: AWS's JSON 1.1 protocol at `POST /`, each request signed with
//! SigV4 (`sluice_sigv4::sign`), errors turned into [`Error`]s that say what went wrong in one
//! line (`PipelineNotFoundException: ...`, or that the server cannot be reached).
//!
//! Blocking on purpose: a CLI command makes a few calls and exits.

mod error;
mod settings;
pub mod shapes;

pub use error::Error;
pub use settings::{ConnectionArgs, Settings};

use serde_json::Value;
use sluice_sigv4::Credentials;
use std::time::{Duration, SystemTime};

/// The region requests are signed for. The server accepts any; ARNs answer in it.
pub const REGION: &str = "us-east-1";

/// Which API a call goes to: the `X-Amz-Target` prefix and the SigV4 service name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    CodePipeline,
    CodeCommit,
    SecretsManager,
}

impl Service {
    fn target_prefix(self) -> &'static str {
        match self {
            Service::CodePipeline => "CodePipeline_20150709",
            Service::CodeCommit => "CodeCommit_20150413",
            Service::SecretsManager => "secretsmanager",
        }
    }

    fn signing_name(self) -> &'static str {
        match self {
            Service::CodePipeline => "codepipeline",
            Service::CodeCommit => "codecommit",
            Service::SecretsManager => "secretsmanager",
        }
    }
}

/// Where the server is, split the way a request needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// As the user gave it (for messages), without a trailing `/`.
    pub shown: String,
    /// `http://host:port/path/` where requests go.
    url: String,
    /// `host:port` as given: the `Host` header that is signed and sent.
    authority: String,
    /// The request path (`/` unless the server is behind a path prefix).
    path: String,
    host: String,
}

impl Endpoint {
    /// `http://host:port/prefix` without the trailing `/`: where `/api/v1/...` paths are appended.
    pub fn base_url(&self) -> &str {
        self.url.trim_end_matches('/')
    }

    /// Whether a proxy from the environment must be ignored (this machine).
    pub fn skips_proxy(&self) -> bool {
        self.is_loopback()
    }

    /// Reads `http://host[:port][/prefix]`; a bare `host:port` means `http://host:port`.
    pub fn parse(text: &str) -> Result<Endpoint, Error> {
        let bad = |why: &str| Error::Endpoint(format!("the endpoint `{text}` {why}"));
        let rest = match text.trim().split_once("://") {
            Some(("http", rest)) => rest,
            Some(("https", _)) => {
                return Err(bad("uses https, which this build of sluice cannot speak: use http://"));
            }
            Some((scheme, _)) => return Err(bad(&format!("has the scheme `{scheme}`: use http://host:port"))),
            None => text.trim(),
        };
        let rest = rest.trim_end_matches('/');
        let (authority, path) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, ""),
        };
        if authority.is_empty() || authority.contains(['@', '?', '#', ' ']) {
            return Err(bad("is not an address like http://127.0.0.1:7700"));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => match v6.split_once(']') {
                Some((host, "")) => (host, None),
                Some((host, rest)) => (host, Some(rest.strip_prefix(':').unwrap_or("not a port"))),
                None => ("", None),
            },
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        if host.is_empty() || port.is_some_and(|p| p.parse::<u16>().is_err()) {
            return Err(bad("is not an address like http://127.0.0.1:7700"));
        }
        let host = host.to_string();
        let path = format!("{path}/");
        Ok(Endpoint {
            shown: format!("http://{authority}{}", path.trim_end_matches('/')),
            url: format!("http://{authority}{path}"),
            authority: authority.to_string(),
            path,
            host,
        })
    }

    fn is_loopback(&self) -> bool {
        self.host == "localhost"
            || self.host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
    }
}

/// A signed connection to one server with one access key.
pub struct Client {
    endpoint: Endpoint,
    credentials: Credentials,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(settings: Settings) -> Client {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .user_agent(concat!("sluice-cli/", env!("CARGO_PKG_VERSION")));
        // A proxy from the environment is for the outside world, never for this machine.
        if settings.endpoint.is_loopback() {
            config = config.proxy(None);
        }
        Client { endpoint: settings.endpoint, credentials: settings.credentials, agent: config.build().into() }
    }

    /// `CodePipeline_20150709.<operation>`.
    pub fn codepipeline(&self, operation: &str, input: &Value) -> Result<Value, Error> {
        self.call(Service::CodePipeline, operation, input)
    }

    /// `CodeCommit_20150413.<operation>`.
    pub fn codecommit(&self, operation: &str, input: &Value) -> Result<Value, Error> {
        self.call(Service::CodeCommit, operation, input)
    }

    /// One call: the input as JSON, signed; the output as JSON, or the error the server named.
    pub fn call(&self, service: Service, operation: &str, input: &Value) -> Result<Value, Error> {
        let body = input.to_string();
        let target = format!("{}.{operation}", service.target_prefix());
        let mut request = sluice_sigv4::Request {
            method: "POST",
            path: &self.endpoint.path,
            query: "",
            headers: vec![
                ("Host".into(), self.endpoint.authority.clone()),
                ("Content-Type".into(), "application/x-amz-json-1.1".into()),
                ("X-Amz-Target".into(), target),
            ],
            body: body.as_bytes(),
        };
        sluice_sigv4::sign(&mut request, &self.credentials, REGION, service.signing_name(), SystemTime::now())
            .map_err(|e| Error::Endpoint(format!("cannot sign the request: {e}")))?;
        let mut builder = self.agent.post(&self.endpoint.url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder.send(body.as_bytes()).map_err(|e| Error::transport(&self.endpoint.shown, e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| Error::transport(&self.endpoint.shown, e))?;
        error::decode(status, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_read_with_or_without_a_scheme() {
        let e = Endpoint::parse("http://127.0.0.1:7700/").unwrap();
        assert_eq!(
            (e.url.as_str(), e.authority.as_str(), e.path.as_str()),
            ("http://127.0.0.1:7700/", "127.0.0.1:7700", "/")
        );
        assert_eq!(e.shown, "http://127.0.0.1:7700");
        assert!(e.is_loopback());

        let e = Endpoint::parse("localhost:9000").unwrap();
        assert_eq!(e.url, "http://localhost:9000/");
        assert!(e.is_loopback());

        let e = Endpoint::parse("http://ci.example.com/sluice").unwrap();
        assert_eq!((e.authority.as_str(), e.path.as_str()), ("ci.example.com", "/sluice/"));
        assert_eq!(e.shown, "http://ci.example.com/sluice");
        assert!(!e.is_loopback());

        let e = Endpoint::parse("http://[::1]:7700").unwrap();
        assert_eq!(e.host, "::1");
        assert!(e.is_loopback());
    }

    #[test]
    fn unusable_endpoints_say_why() {
        for (text, says) in [
            ("https://ci.example.com", "uses https"),
            ("ftp://x", "scheme `ftp`"),
            ("http://", "is not an address"),
            ("http://user@host", "is not an address"),
            ("http:", "is not an address"),
            ("http://host:port", "is not an address"),
            ("http://:7700", "is not an address"),
        ] {
            let err = Endpoint::parse(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
