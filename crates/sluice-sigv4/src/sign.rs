//! The client side: adding `X-Amz-Date` and `Authorization` to a request, as botocore does.

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::Mac;

use crate::canonical::{canonical_request, payload_hash};
use crate::crypto::{ALGORITHM, Scope, signature_mac, string_to_sign};
use crate::error::Error;
use crate::request::{Credentials, Request};
use crate::time::format_amz_date;

/// Headers never signed, as botocore leaves them out: hop-by-hop headers a proxy may change,
/// and `user-agent`/`x-amzn-trace-id`, which tools rewrite on the way. Plus `authorization`,
/// which holds the signature itself.
const UNSIGNED_HEADERS: [&str; 12] = [
    "authorization",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// Signs `request` in place for `region` and `service` at `now`: replaces any `Authorization` and
/// `X-Amz-Date` with fresh ones, signing every other header present (except the few above).
///
/// The request must already carry every header the transport will send as it is: `Host` (refused
/// without it, as every AWS service requires it signed), `Content-Type`, `X-Amz-Target`. Headers
/// the transport adds afterwards (`Content-Length`, `Accept-Encoding`) are simply not signed. An
/// `X-Amz-Content-Sha256` header the caller added is signed and used as the body hash.
pub fn sign(
    request: &mut Request<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    now: SystemTime,
) -> Result<(), Error> {
    if request.header("host").is_none() {
        return Err(Error::Incomplete("the request has no Host header to sign".into()));
    }
    let amz_date = format_amz_date(unix_secs(now));
    request.remove_header("authorization");
    request.remove_header("x-amz-date");
    request.headers.push(("X-Amz-Date".to_owned(), amz_date.clone()));

    let mut signed_headers: Vec<String> = request
        .headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .filter(|name| !UNSIGNED_HEADERS.contains(&name.as_str()))
        .collect();
    signed_headers.sort();
    signed_headers.dedup();

    let canonical = canonical_request(request, &signed_headers, &payload_hash(request))
        .expect("every signed header was taken from the request");
    let scope = Scope { date: &amz_date[..8], region, service };
    let string_to_sign = string_to_sign(&amz_date, &scope, &canonical);
    let signature =
        hex::encode(signature_mac(&credentials.secret_access_key, &scope, &string_to_sign).finalize().into_bytes());
    let authorization = format!(
        "{ALGORITHM} Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
        credentials.access_key_id,
        signed_headers.join(";"),
    );
    request.headers.push(("Authorization".to_owned(), authorization));
    Ok(())
}

/// Seconds since the epoch, negative before it (which only a broken clock gives).
fn unix_secs(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |secs| -secs),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// AWS's documented example: IAM ListUsers, 2015-08-30T12:36:00Z.
    #[test]
    fn signs_the_aws_documentation_example() {
        let mut request = Request {
            method: "GET",
            path: "/",
            query: "Action=ListUsers&Version=2010-05-08",
            headers: vec![
                ("Content-Type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
                ("Host".into(), "iam.amazonaws.com".into()),
            ],
            body: b"",
        };
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        sign(&mut request, &credentials, "us-east-1", "iam", now).unwrap();
        assert_eq!(request.header("x-amz-date"), Some("20150830T123600Z"));
        assert_eq!(
            request.header("authorization"),
            Some(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, \
                 Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
            )
        );

        // Signing again (a retry) replaces the date and the signature instead of adding more.
        sign(&mut request, &credentials, "us-east-1", "iam", now + Duration::from_secs(60)).unwrap();
        assert_eq!(request.header_values("x-amz-date").collect::<Vec<_>>(), ["20150830T123700Z"]);
        assert_eq!(request.header_values("authorization").count(), 1);
        assert!(request.header("authorization").unwrap().contains("SignedHeaders=content-type;host;x-amz-date,"));
    }

    #[test]
    fn hop_by_hop_and_user_agent_headers_are_not_signed() {
        let mut request = Request {
            method: "POST",
            path: "/",
            query: "",
            headers: vec![
                ("Host".into(), "127.0.0.1:7700".into()),
                ("User-Agent".into(), "sluice/0.1".into()),
                ("Connection".into(), "keep-alive".into()),
                ("X-Amz-Target".into(), "CodePipeline_20150709.ListPipelines".into()),
            ],
            body: b"{}",
        };
        let credentials = Credentials { access_key_id: "K".into(), secret_access_key: "S".into() };
        sign(&mut request, &credentials, "us-east-1", "codepipeline", UNIX_EPOCH).unwrap();
        let authorization = request.header("authorization").unwrap();
        assert!(authorization.contains("SignedHeaders=host;x-amz-date;x-amz-target,"), "{authorization}");
        assert!(
            authorization.starts_with("AWS4-HMAC-SHA256 Credential=K/19700101/us-east-1/codepipeline/aws4_request")
        );
    }

    #[test]
    fn a_request_without_host_is_refused() {
        let mut request = Request { method: "POST", path: "/", query: "", headers: vec![], body: b"" };
        let credentials = Credentials { access_key_id: "K".into(), secret_access_key: "S".into() };
        let err = sign(&mut request, &credentials, "us-east-1", "codepipeline", UNIX_EPOCH).unwrap_err();
        assert_eq!(err.aws_type(), "IncompleteSignatureException");
        assert!(request.headers.is_empty(), "nothing is added to a request that cannot be signed");
    }

    #[test]
    fn times_before_the_epoch_are_negative() {
        assert_eq!(unix_secs(UNIX_EPOCH - Duration::from_secs(5)), -5);
        assert_eq!(unix_secs(UNIX_EPOCH + Duration::from_secs(5)), 5);
    }
}
