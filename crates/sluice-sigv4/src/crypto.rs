//! The cryptographic half of SigV4: the string to sign, the derived signing key, the HMAC.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The one algorithm SigV4 headers name.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The last element of every credential scope.
pub(crate) const TERMINATOR: &str = "aws4_request";

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// What a signing key is derived for: one day, one region, one service.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scope<'a> {
    /// `YYYYMMDD`.
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

impl fmt::Display for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{TERMINATOR}", self.date, self.region, self.service)
    }
}

/// Lowercase hex SHA-256, the form SigV4 puts hashes in.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `AWS4-HMAC-SHA256 \n <X-Amz-Date> \n <scope> \n hex(sha256(canonical request))`.
pub(crate) fn string_to_sign(amz_date: &str, scope: &Scope<'_>, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// The HMAC of the string to sign under the key derived from the secret and the scope, ready to
/// be finalized (signing) or compared in constant time (`verify_slice`, verifying).
pub(crate) fn signature_mac(secret: &str, scope: &Scope<'_>, string_to_sign: &str) -> HmacSha256 {
    let key_date = hmac(format!("AWS4{secret}").as_bytes(), scope.date.as_bytes());
    let key_region = hmac(&key_date, scope.region.as_bytes());
    let key_service = hmac(&key_region, scope.service.as_bytes());
    let key_signing = hmac(&key_service, TERMINATOR.as_bytes());
    let mut mac = new_mac(&key_signing);
    mac.update(string_to_sign.as_bytes());
    mac
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = new_mac(key);
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn new_mac(key: &[u8]) -> HmacSha256 {
    // HMAC hashes long keys and pads short ones: every length is valid.
    HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_hash_is_the_well_known_one() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    /// The derived key of AWS's documentation ("Examples of how to derive a signing key").
    #[test]
    fn signing_key_derivation_matches_aws_example() {
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let key_date = hmac(format!("AWS4{secret}").as_bytes(), b"20120215");
        let key_region = hmac(&key_date, b"us-east-1");
        let key_service = hmac(&key_region, b"iam");
        let key_signing = hmac(&key_service, b"aws4_request");
        assert_eq!(hex::encode(key_signing), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    }

    #[test]
    fn scope_reads_as_aws_writes_it() {
        let scope = Scope { date: "20150830", region: "us-east-1", service: "iam" };
        assert_eq!(scope.to_string(), "20150830/us-east-1/iam/aws4_request");
    }
}
