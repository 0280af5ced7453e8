//! What a call can fail with, each said in one line a person can act on.

use serde_json::Value;
use std::fmt;

/// An error the server answered with: `{"__type": "...", "message": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The exception's name as in the service model, e.g. `PipelineNotFoundException`.
    pub type_name: String,
    pub message: String,
    pub status: u16,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.type_name)
        } else {
            write!(f, "{}: {}", self.type_name, self.message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server refused the call.
    #[error("{0}")]
    Api(ApiError),
    /// Nothing answers at the endpoint.
    #[error("cannot reach the sluice server at {endpoint}: is `sluice server` running?")]
    Unreachable { endpoint: String },
    /// The connection broke, timed out, or the name did not resolve.
    #[error("calling the sluice server at {endpoint} failed: {detail}")]
    Transport { endpoint: String, detail: String },
    /// An answer that is not the AWS JSON protocol (a proxy's error page, say).
    #[error("the server answered HTTP {status} with {detail}")]
    BadResponse { status: u16, detail: String },
    /// The endpoint or the credentials cannot be used.
    #[error("{0}")]
    Endpoint(String),
}

impl Error {
    /// The exception's name when the server refused the call.
    pub fn api_type(&self) -> Option<&str> {
        match self {
            Error::Api(api) => Some(&api.type_name),
            _ => None,
        }
    }

    pub(super) fn transport(endpoint: &str, error: ureq::Error) -> Error {
        let endpoint = endpoint.to_string();
        match error {
            ureq::Error::Io(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::AddrNotAvailable
                        | std::io::ErrorKind::HostUnreachable
                        | std::io::ErrorKind::NetworkUnreachable
                ) =>
            {
                Error::Unreachable { endpoint }
            }
            ureq::Error::ConnectionFailed => Error::Unreachable { endpoint },
            ureq::Error::HostNotFound => Error::Transport { endpoint, detail: "the host name does not resolve".into() },
            ureq::Error::Timeout(what) => Error::Transport { endpoint, detail: format!("timed out ({what})") },
            other => Error::Transport { endpoint, detail: other.to_string() },
        }
    }
}

/// A response as the JSON protocol writes it: the output on 2xx, `{"__type", "message"}` else.
pub(super) fn decode(status: u16, text: &str) -> Result<Value, Error> {
    let parsed: Option<Value> =
        if text.trim().is_empty() { Some(Value::Object(Default::default())) } else { serde_json::from_str(text).ok() };
    if (200..300).contains(&status) {
        return parsed.ok_or_else(|| Error::BadResponse {
            status,
            detail: format!("a body that is not JSON: {}", excerpt(text)),
        });
    }
    let type_name = parsed.as_ref().and_then(|v| v.get("__type")).and_then(Value::as_str).map(short_type);
    let Some(type_name) = type_name else {
        let detail = if text.trim().is_empty() { "an empty body".to_string() } else { format!("`{}`", excerpt(text)) };
        return Err(Error::BadResponse { status, detail });
    };
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("message").or_else(|| v.get("Message")))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Err(Error::Api(ApiError { type_name, message, status }))
}

/// `com.amazonaws.codepipeline#PipelineNotFoundException:http://...` → `PipelineNotFoundException`,
/// as botocore reads `__type`.
fn short_type(raw: &str) -> String {
    let name = raw.rsplit('#').next().unwrap_or(raw);
    name.split(':').next().unwrap_or(name).to_string()
}

fn excerpt(text: &str) -> String {
    let line: String = text.trim().chars().take(200).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.trim().chars().count() > 200 { format!("{line}…") } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_is_the_output() {
        assert_eq!(decode(200, r#"{"pipelineExecutionId":"x"}"#).unwrap()["pipelineExecutionId"], "x");
        assert_eq!(decode(200, "").unwrap(), serde_json::json!({}));
    }

    #[test]
    fn an_error_body_names_the_exception() {
        let err = decode(400, r#"{"__type":"PipelineNotFoundException","message":"no pipeline app"}"#).unwrap_err();
        assert_eq!(err.to_string(), "PipelineNotFoundException: no pipeline app");
        assert_eq!(err.api_type(), Some("PipelineNotFoundException"));

        let err = decode(400, r#"{"__type":"com.amazonaws.codepipeline#ValidationException:http://x","Message":"m"}"#)
            .unwrap_err();
        assert_eq!(err.to_string(), "ValidationException: m");

        let err = decode(403, r#"{"__type":"AccessDeniedException"}"#).unwrap_err();
        assert_eq!(err.to_string(), "AccessDeniedException");
    }

    #[test]
    fn something_else_is_said_plainly() {
        let err = decode(502, "<html>Bad Gateway</html>").unwrap_err();
        assert_eq!(err.to_string(), "the server answered HTTP 502 with `<html>Bad Gateway</html>`");
        let err = decode(500, "").unwrap_err();
        assert_eq!(err.to_string(), "the server answered HTTP 500 with an empty body");
        let err = decode(200, "nope").unwrap_err();
        assert_eq!(err.to_string(), "the server answered HTTP 200 with a body that is not JSON: nope");
    }
}
