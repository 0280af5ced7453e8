//! Cross-check with the real AWS signer: botocore (what the AWS CLI and boto3 use) signs fixed
//! requests (`botocore_signer.py`), and this crate must both accept its signatures and produce the
//! very same ones. Runs only where `python3 -c 'import botocore'` works (set `SLUICE_TEST_PYTHON`
//! to pick another interpreter, e.g. a venv's); elsewhere it says so and passes.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::Value;
use sluice_sigv4::{AWS_MAX_SKEW_SECS, Credentials, Error, Request, parse_authorization, sign, verify};

/// The time botocore_signer.py pins botocore's clock to: 2015-08-30T12:36:00Z.
const SIGNED_AT: i64 = 1_440_938_160;
const ORIGIN: &str = "http://127.0.0.1:7700";

fn credentials() -> Credentials {
    Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
    }
}

fn python() -> String {
    std::env::var("SLUICE_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn botocore_available(python: &str) -> bool {
    Command::new(python).args(["-c", "import botocore"]).output().is_ok_and(|out| out.status.success())
}

#[test]
fn botocore_signatures_verify_and_match_ours() {
    let python = python();
    if !botocore_available(&python) {
        eprintln!(
            "note: `{python} -c 'import botocore'` failed: skipping the botocore cross-check (pip install botocore)"
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/botocore_signer.py");
    let creds = credentials();
    let out = Command::new(&python)
        .arg(&script)
        .args([&creds.access_key_id, &creds.secret_access_key])
        .output()
        .expect("run botocore_signer.py");
    assert!(out.status.success(), "botocore_signer.py failed: {}", String::from_utf8_lossy(&out.stderr));
    let cases: Vec<Value> = serde_json::from_slice(&out.stdout).expect("botocore_signer.py prints JSON");
    assert_eq!(cases.len(), 2);

    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let url = case["url"].as_str().unwrap().strip_prefix(ORIGIN).expect("URL on the test origin");
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let body = case["body"].as_str().unwrap().as_bytes();
        // botocore leaves Host to the HTTP layer, which sends the URL's authority.
        let mut headers = vec![("Host".to_owned(), "127.0.0.1:7700".to_owned())];
        for pair in case["headers"].as_array().unwrap() {
            headers.push((pair[0].as_str().unwrap().to_owned(), pair[1].as_str().unwrap().to_owned()));
        }
        let request = Request { method: "POST", path, query, headers, body };
        let botocore_authorization = request.header("authorization").expect("botocore signed").to_owned();

        // Verify what botocore signed, as the server will.
        let parsed = parse_authorization(&botocore_authorization).unwrap();
        assert_eq!((parsed.region.as_str(), parsed.service.as_str()), ("us-east-1", "codepipeline"));
        match verify(&request, &parsed, &creds.secret_access_key, SIGNED_AT + 60, AWS_MAX_SKEW_SECS) {
            Ok(()) => {}
            Err(Error::SignatureMismatch { canonical_request, .. }) => {
                assert_eq!(
                    canonical_request,
                    case["canonical_request"].as_str().unwrap(),
                    "{name}: canonical requests"
                );
                panic!("{name}: same canonical request, different signature");
            }
            Err(other) => panic!("{name}: botocore's signature refused: {other:?}"),
        }

        // Sign the same request ourselves: the same headers come out, signature included.
        let mut ours = request.clone();
        ours.remove_header("authorization");
        ours.remove_header("x-amz-date");
        let at = UNIX_EPOCH + Duration::from_secs(SIGNED_AT.unsigned_abs());
        sign(&mut ours, &creds, "us-east-1", "codepipeline", at).unwrap();
        assert_eq!(ours.header("x-amz-date"), request.header("x-amz-date"), "{name}");
        assert_eq!(ours.header("authorization"), Some(botocore_authorization.as_str()), "{name}");
    }
}
