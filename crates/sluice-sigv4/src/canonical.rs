//! The canonical request: the one text both sides build from a request and sign.
//!
//! Written to agree with botocore's `SigV4Auth` (what the AWS CLI and boto3 send), which for
//! every service but S3 normalizes the path and percent-encodes it once more, sorts the query,
//! and trims header values.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};

use crate::crypto::sha256_hex;
use crate::request::Request;

/// The header that, when present, stands for the body's hash in the canonical request.
pub(crate) const CONTENT_SHA256: &str = "x-amz-content-sha256";

/// Everything but RFC 3986's unreserved characters: how SigV4 URI-encodes names and values.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// The same, keeping `/`, for paths.
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Builds the canonical request over exactly `signed_headers`, in their order. `Err` names the
/// first signed header the request does not carry.
pub(crate) fn canonical_request<'n>(
    request: &Request<'_>,
    signed_headers: &'n [String],
    payload_hash: &str,
) -> Result<String, &'n str> {
    let mut text = format!("{}\n{}\n{}\n", request.method, canonical_uri(request.path), canonical_query(request.query));
    for name in signed_headers {
        let value = header_value(request, name).ok_or(name.as_str())?;
        text.push_str(name);
        text.push(':');
        text.push_str(&value);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&signed_headers.join(";"));
    text.push('\n');
    text.push_str(payload_hash);
    Ok(text)
}

/// The body's hash as the canonical request carries it: the `x-amz-content-sha256` header when
/// the client sent one (as botocore does), else hex SHA-256 of the body.
pub(crate) fn payload_hash(request: &Request<'_>) -> String {
    request.header(CONTENT_SHA256).map_or_else(|| sha256_hex(request.body), str::to_owned)
}

/// The path with dot segments and empty segments removed, then percent-encoded (again: the
/// path arrives encoded, and SigV4 encodes it a second time for every service but S3).
pub(crate) fn canonical_uri(path: &str) -> String {
    percent_encode(remove_dot_segments(path).as_bytes(), PATH).to_string()
}

/// RFC 3986's dot-segment removal, also collapsing `//` (AWS services want that too); `/` for
/// an empty path.
fn remove_dot_segments(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            segment => kept.push(segment),
        }
    }
    let first = if path.starts_with('/') { "/" } else { "" };
    let last = if path.ends_with('/') && !kept.is_empty() { "/" } else { "" };
    format!("{first}{}{last}", kept.join("/"))
}

/// `name=value` pairs sorted by name then value, each decoded and encoded again with SigV4's
/// set so that equivalent spellings (`%7E` and `~`) agree. A name without `=` gets an empty value;
/// empty pairs (`a=1&&b=2`) are dropped. A `+` is a literal plus (`%2B`), never a space.
pub(crate) fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (encode_again(name), encode_again(value))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
}

fn encode_again(text: &str) -> String {
    let raw: Vec<u8> = percent_decode_str(text).collect();
    percent_encode(&raw, UNRESERVED).to_string()
}

/// A header's canonical value: each value trimmed with inner runs of whitespace collapsed to one
/// space, repeated headers joined by commas in request order. `None` if the request lacks it.
pub(crate) fn header_value(request: &Request<'_>, name: &str) -> Option<String> {
    let values: Vec<String> =
        request.header_values(name).map(|value| value.split_ascii_whitespace().collect::<Vec<_>>().join(" ")).collect();
    (!values.is_empty()).then(|| values.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(headers: &[(&str, &str)]) -> Request<'a> {
        Request {
            method: "POST",
            path: "/",
            query: "",
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: b"{}",
        }
    }

    #[test]
    fn paths_are_normalized_then_encoded_again() {
        for (path, canonical) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/a/./b/../c", "/a/c"),
            ("/a//b/", "/a/b/"),
            ("/../..", "/"),
            ("/a b/ü", "/a%20b/%C3%BC"),
            ("/a%20b", "/a%2520b"),
            ("/~user/x-y_z.json", "/~user/x-y_z.json"),
            ("/a:b@c", "/a%3Ab%40c"),
        ] {
            assert_eq!(canonical_uri(path), canonical, "{path:?}");
        }
    }

    #[test]
    fn queries_are_sorted_and_encoded_once() {
        for (query, canonical) in [
            ("", ""),
            ("Action=ListUsers&Version=2010-05-08", "Action=ListUsers&Version=2010-05-08"),
            ("b=2&a=1&a=0", "a=0&a=1&b=2"),
            ("flag&a=", "a=&flag="),
            ("a=1&&b=2&", "a=1&b=2"),
            ("k=a%20b&j=%7e", "j=~&k=a%20b"),
            ("k=a b/c", "k=a%20b%2Fc"),
            ("k=1+1", "k=1%2B1"),
            ("B=1&a=1", "B=1&a=1"),
        ] {
            assert_eq!(canonical_query(query), canonical, "{query:?}");
        }
    }

    #[test]
    fn header_values_are_trimmed_collapsed_and_joined() {
        let request = request(&[("X-Multi", "  a   b\t c "), ("x-multi", "d"), ("Host", "example.com")]);
        assert_eq!(header_value(&request, "x-multi").as_deref(), Some("a b c,d"));
        assert_eq!(header_value(&request, "host").as_deref(), Some("example.com"));
        assert_eq!(header_value(&request, "absent"), None);
    }

    #[test]
    fn canonical_request_layout() {
        let request = request(&[("Host", "h:7700"), ("X-Amz-Date", "20150830T123600Z"), ("Other", "unsigned")]);
        let signed = ["host".to_string(), "x-amz-date".to_string()];
        let text = canonical_request(&request, &signed, &payload_hash(&request)).unwrap();
        assert_eq!(
            text,
            "POST\n/\n\nhost:h:7700\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        let missing = ["host".to_string(), "x-amz-target".to_string()];
        assert_eq!(canonical_request(&request, &missing, "h"), Err("x-amz-target"));
    }

    #[test]
    fn content_sha256_header_stands_for_the_body() {
        let with_header = request(&[(CONTENT_SHA256, "UNSIGNED-PAYLOAD")]);
        assert_eq!(payload_hash(&with_header), "UNSIGNED-PAYLOAD");
        assert_eq!(payload_hash(&request(&[])), sha256_hex(b"{}"));
    }
}
