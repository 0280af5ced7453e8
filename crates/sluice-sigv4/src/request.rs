//! The two inputs of signing: who signs ([`Credentials`]) and what is signed ([`Request`]).

use std::fmt;

/// An access key pair. `Debug` hides the secret, so logging a value of this type leaks nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// An HTTP request as signing sees it, on either side of the wire.
///
/// `path` and `query` are exactly as they travel in the request line (still percent-encoded,
/// no `?`); the server passes the raw request target, not a decoded one, or the canonical form
/// differs from what the client signed. `headers` keep their order and may repeat a name; names
/// compare case-insensitively. Over HTTP/2 the server adds `host` from the `:authority`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

impl Request<'_> {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).next()
    }

    /// Every value of a header, in request order.
    pub fn header_values<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s str> {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Removes every value of a header, by case-insensitive name.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_found_case_insensitively_in_order() {
        let mut request = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: vec![("X-A".into(), "1".into()), ("host".into(), "h".into()), ("x-a".into(), "2".into())],
            body: b"",
        };
        assert_eq!(request.header("x-a"), Some("1"));
        assert_eq!(request.header_values("X-A").collect::<Vec<_>>(), ["1", "2"]);
        request.remove_header("X-a");
        assert_eq!(request.headers, [("host".to_string(), "h".to_string())]);
    }

    #[test]
    fn debug_hides_the_secret() {
        let credentials = Credentials { access_key_id: "AKID".into(), secret_access_key: "s3cr3t".into() };
        let shown = format!("{credentials:?}");
        assert!(shown.contains("AKID") && !shown.contains("s3cr3t"), "{shown}");
    }
}
