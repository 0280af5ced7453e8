//! `verify` against AWS's example, against `sign`, and against every way a request can be wrong.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{AWS_MAX_SKEW_SECS, Credentials, Error, Request, parse_authorization, sign, verify};

/// 2015-08-30T12:36:00Z, the time of AWS's example.
const NOW: i64 = 1_440_938_160;
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn credentials() -> Credentials {
    Credentials { access_key_id: "AKIDEXAMPLE".into(), secret_access_key: SECRET.into() }
}

fn owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

/// A ListPipelines call as the `sluice` CLI makes it, signed at `signed_at`.
fn signed_call(body: &'static [u8], signed_at: i64) -> Request<'static> {
    let mut request = Request {
        method: "POST",
        path: "/",
        query: "",
        headers: owned(&[
            ("Host", "127.0.0.1:7700"),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", "CodePipeline_20150709.ListPipelines"),
            ("User-Agent", "sluice/0.1"),
        ]),
        body,
    };
    sign(&mut request, &credentials(), "eu-west-3", "codepipeline", at(signed_at)).unwrap();
    request
}

fn at(unix_secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(unix_secs).unwrap())
}

fn check(request: &Request<'_>, now: i64) -> Result<(), Error> {
    let parsed = parse_authorization(request.header("authorization").expect("signed"))?;
    verify(request, &parsed, SECRET, now, AWS_MAX_SKEW_SECS)
}

fn set_header(request: &mut Request<'_>, name: &str, value: &str) {
    request.remove_header(name);
    request.headers.push((name.to_owned(), value.to_owned()));
}

/// Replaces the `SignedHeaders` list and re-signs nothing: the signature no longer matters when
/// the check that refuses the request comes before it.
fn with_signed_headers(request: &mut Request<'_>, signed_headers: &str) {
    let authorization = request.header("authorization").unwrap().to_owned();
    let start = authorization.find("SignedHeaders=").unwrap() + "SignedHeaders=".len();
    let end = start + authorization[start..].find(',').unwrap();
    set_header(
        request,
        "Authorization",
        &format!("{}{signed_headers}{}", &authorization[..start], &authorization[end..]),
    );
}

#[test]
fn the_aws_documentation_example_verifies() {
    let request = Request {
        method: "GET",
        path: "/",
        query: "Action=ListUsers&Version=2010-05-08",
        headers: owned(&[
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ("Host", "iam.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, \
                 Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            ),
        ]),
        body: b"",
    };
    check(&request, NOW).unwrap();
    check(&request, NOW + 300).unwrap();

    // AWS documents the example's canonical request hash too: a mismatch reports the same text.
    let err = verify(&request, &parse_authorization(request.header("authorization").unwrap()).unwrap(), "x", NOW, 900)
        .unwrap_err();
    let Error::SignatureMismatch { string_to_sign, .. } = err else { panic!("{err:?}") };
    assert_eq!(
        string_to_sign,
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n\
         f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    );
}

#[test]
fn signed_requests_verify() {
    let request = signed_call(b"{}", NOW);
    check(&request, NOW).unwrap();
    let parsed = parse_authorization(request.header("authorization").unwrap()).unwrap();
    assert_eq!((parsed.region.as_str(), parsed.service.as_str()), ("eu-west-3", "codepipeline"));
    assert_eq!(parsed.signed_headers, ["content-type", "host", "x-amz-date", "x-amz-target"]);

    // As a server sees it: names lowercased by the HTTP library, values padded, unsigned headers added.
    let mut seen = request.clone();
    seen.headers = request.headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), format!(" {v} "))).collect();
    seen.headers.extend(owned(&[("content-length", "2"), ("accept-encoding", "identity")]));
    set_header(&mut seen, "user-agent", "aws-cli/2");
    check(&seen, NOW).unwrap();
}

#[test]
fn a_changed_body_header_or_request_line_is_refused() {
    let original = signed_call(b"{}", NOW);
    let mut changes: Vec<(&str, Request<'static>)> = Vec::new();

    let mut body = original.clone();
    body.body = b"{\"nextToken\":\"x\"}";
    changes.push(("body", body));
    let mut target = original.clone();
    set_header(&mut target, "X-Amz-Target", "CodePipeline_20150709.DeletePipeline");
    changes.push(("signed header", target));
    let mut host = original.clone();
    set_header(&mut host, "Host", "127.0.0.1:7701");
    changes.push(("host", host));
    let mut date = original.clone();
    set_header(&mut date, "X-Amz-Date", "20150830T123601Z");
    changes.push(("date", date));
    let mut method = original.clone();
    method.method = "PUT";
    changes.push(("method", method));
    let mut path = original.clone();
    path.path = "/other";
    changes.push(("path", path));
    let mut query = original.clone();
    query.query = "a=1";
    changes.push(("query", query));

    for (what, request) in changes {
        let err = check(&request, NOW).unwrap_err();
        assert!(matches!(err, Error::SignatureMismatch { .. }), "{what}: {err:?}");
        assert_eq!(err.aws_type(), "InvalidSignatureException");
    }
}

#[test]
fn a_wrong_secret_or_a_garbled_signature_is_refused() {
    let request = signed_call(b"{}", NOW);
    let parsed = parse_authorization(request.header("authorization").unwrap()).unwrap();
    let err = verify(&request, &parsed, "not the secret", NOW, AWS_MAX_SKEW_SECS).unwrap_err();
    assert!(matches!(err, Error::SignatureMismatch { .. }), "{err:?}");
    for signature in ["zz", "abc", "", &parsed.signature[..62]] {
        let garbled = crate::ParsedAuth { signature: signature.into(), ..parsed.clone() };
        let err = verify(&request, &garbled, SECRET, NOW, AWS_MAX_SKEW_SECS).unwrap_err();
        assert!(matches!(err, Error::SignatureMismatch { .. }), "{signature:?}: {err:?}");
    }
}

#[test]
fn signatures_outside_the_skew_are_refused_with_aws_messages() {
    let request = signed_call(b"{}", NOW);
    check(&request, NOW + AWS_MAX_SKEW_SECS).unwrap();
    check(&request, NOW - AWS_MAX_SKEW_SECS).unwrap();

    let err = check(&request, NOW + AWS_MAX_SKEW_SECS + 1).unwrap_err();
    assert_eq!(
        err,
        Error::Expired(
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"
                .into()
        )
    );
    assert_eq!(err.aws_type(), "InvalidSignatureException");
    let err = check(&request, NOW - AWS_MAX_SKEW_SECS - 1).unwrap_err();
    assert_eq!(
        err,
        Error::Expired(
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z \
             (20150830T122059Z + 15 min.)"
                .into()
        )
    );

    let parsed = parse_authorization(request.header("authorization").unwrap()).unwrap();
    let err = verify(&request, &parsed, SECRET, NOW + 31, 30).unwrap_err();
    assert!(err.message().ends_with("- 30 s)"), "{err}");
}

#[test]
fn a_signed_header_missing_from_the_request_is_refused() {
    let mut request = signed_call(b"{}", NOW);
    request.remove_header("x-amz-target");
    let err = check(&request, NOW).unwrap_err();
    assert_eq!(
        err,
        Error::Invalid("The request does not carry the header 'x-amz-target' that its signature covers.".into())
    );
}

#[test]
fn host_must_be_signed() {
    let mut request = signed_call(b"{}", NOW);
    with_signed_headers(&mut request, "content-type;x-amz-date;x-amz-target");
    let err = check(&request, NOW).unwrap_err();
    assert_eq!(err.aws_type(), "IncompleteSignatureException");
    assert!(err.message().contains("'Host'"), "{err}");
}

#[test]
fn the_date_must_be_present_well_formed_and_the_scope_date() {
    let mut missing = signed_call(b"{}", NOW);
    missing.remove_header("x-amz-date");
    let err = check(&missing, NOW).unwrap_err();
    assert_eq!(err.aws_type(), "IncompleteSignatureException");
    assert!(err.message().contains("'X-Amz-Date'"), "{err}");

    let mut malformed = signed_call(b"{}", NOW);
    set_header(&mut malformed, "X-Amz-Date", "2015-08-30T12:36:00Z");
    let err = check(&malformed, NOW).unwrap_err();
    assert_eq!(err.aws_type(), "IncompleteSignatureException");
    assert!(err.message().starts_with("Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'."), "{err}");

    // Signed just before midnight, dated just after: the scope says the 30th, the header the 31st.
    let mut next_day = signed_call(b"{}", NOW);
    set_header(&mut next_day, "X-Amz-Date", "20150831T000000Z");
    let err = check(&next_day, NOW).unwrap_err();
    assert_eq!(
        err,
        Error::Invalid(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150830' != \
             '20150831', from '20150831T000000Z'."
                .into()
        )
    );
}

#[test]
fn a_content_sha256_header_must_be_the_body_hash() {
    let signed_with = |value: &str, body: &'static [u8]| {
        let headers = owned(&[("Host", "h"), ("X-Amz-Content-Sha256", value)]);
        let mut request = Request { method: "POST", path: "/", query: "", headers, body };
        sign(&mut request, &credentials(), "us-east-1", "codepipeline", at(NOW)).unwrap();
        request
    };
    let body_hash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    let good = signed_with(body_hash, b"{}");
    assert!(good.header("authorization").unwrap().contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"));
    check(&good, NOW).unwrap();

    // The signature covers the header, not the body: only the hash check catches a swapped body.
    let mut swapped = good.clone();
    swapped.body = b"{\"pipeline\":{}}";
    let err = check(&swapped, NOW).unwrap_err();
    assert!(matches!(&err, Error::Invalid(m) if m.contains("x-amz-content-sha256")), "{err:?}");

    let unsigned = signed_with("UNSIGNED-PAYLOAD", b"{}");
    let err = check(&unsigned, NOW).unwrap_err();
    assert_eq!(err.aws_type(), "InvalidSignatureException");
    assert!(err.message().contains("x-amz-content-sha256"), "{err}");
}
