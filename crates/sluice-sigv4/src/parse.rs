//! Reading an `Authorization` header:
//! `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=…`.
//!
//! Parsing comes before verification so the server can look the access key up (and answer
//! `UnrecognizedClientException` for an unknown one) before it has a secret to verify with.

use crate::crypto::{ALGORITHM, Scope, TERMINATOR};
use crate::error::Error;

/// The parts of a SigV4 `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedAuth {
    pub access_key_id: String,
    /// The credential scope's date, `YYYYMMDD`; `verify` checks it is the `X-Amz-Date`'s.
    pub date: String,
    /// Any region: sluice serves every region the same, and the signature covers the name.
    pub region: String,
    /// The service the client signed for (`codepipeline`, `codebuild`, …), for the server to check.
    pub service: String,
    /// As listed by the client (lowercase and sorted, from a correct signer), verbatim.
    pub signed_headers: Vec<String>,
    /// Lowercase hex, as sent.
    pub signature: String,
}

impl ParsedAuth {
    /// `date/region/service/aws4_request`.
    pub fn scope(&self) -> String {
        self.scope_parts().to_string()
    }

    pub(crate) fn scope_parts(&self) -> Scope<'_> {
        Scope { date: &self.date, region: &self.region, service: &self.service }
    }
}

/// Parses a SigV4 `Authorization` header value. `Error::MissingAuthentication` for an empty one,
/// `Error::Incomplete` (IncompleteSignatureException) for anything malformed or missing.
pub fn parse_authorization<'a>(header: &'a str) -> Result<ParsedAuth, Error> {
    let header = header.trim();
    if header.is_empty() {
        return Err(Error::MissingAuthentication);
    }
    let (algorithm, rest) = header.split_once(' ').unwrap_or((header, ""));
    if algorithm != ALGORITHM {
        return Err(incomplete(format!("Unsupported AWS 'algorithm': '{algorithm}'; only '{ALGORITHM}' is accepted.")));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim).filter(|part| !part.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(incomplete(format!("Authorization header has a malformed part: '{part}'.")));
        };
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value.trim()).is_some() {
            return Err(incomplete(format!("Authorization header has '{key}' more than once.")));
        }
    }
    let given = |value: Option<&'a str>| value.filter(|value| !value.is_empty());
    let (credential, signed_headers, signature) = match (given(credential), given(signed_headers), given(signature)) {
        (Some(credential), Some(signed_headers), Some(signature)) => (credential, signed_headers, signature),
        (credential, signed_headers, signature) => {
            let missing: Vec<String> =
                [("Credential", credential), ("Signature", signature), ("SignedHeaders", signed_headers)]
                    .iter()
                    .filter(|(_, value)| value.is_none())
                    .map(|(name, _)| format!("Authorization header requires '{name}' parameter."))
                    .collect();
            return Err(incomplete(missing.join(" ")));
        }
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let &[access_key_id, date, region, service, terminator] = parts.as_slice() else {
        return Err(incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got \
             '{credential}'"
        )));
    };
    if access_key_id.is_empty() || date.is_empty() {
        return Err(incomplete(format!("Credential must name an access key and a date, got '{credential}'")));
    }
    if region.is_empty() {
        return Err(incomplete(format!("Credential should be scoped to a valid region, not '{region}'. ")));
    }
    if service.is_empty() {
        return Err(incomplete(format!("Credential should be scoped to a valid service, not '{service}'. ")));
    }
    if terminator != TERMINATOR {
        return Err(incomplete(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'. "
        )));
    }
    let signed_headers: Vec<String> = signed_headers.split(';').map(str::to_owned).collect();
    if signed_headers.iter().any(String::is_empty) {
        return Err(incomplete("SignedHeaders must list header names separated by ';', with no empty name.".into()));
    }
    Ok(ParsedAuth {
        access_key_id: access_key_id.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers,
        signature: signature.to_owned(),
    })
}

fn incomplete(message: String) -> Error {
    Error::Incomplete(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
                           SignedHeaders=content-type;host;x-amz-date, \
                           Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    fn incomplete_message(header: &str) -> String {
        match parse_authorization(header) {
            Err(Error::Incomplete(message)) => message,
            other => panic!("{header:?} gave {other:?}"),
        }
    }

    #[test]
    fn parses_the_aws_example() {
        let parsed = parse_authorization(EXAMPLE).unwrap();
        assert_eq!(
            parsed,
            ParsedAuth {
                access_key_id: "AKIDEXAMPLE".into(),
                date: "20150830".into(),
                region: "us-east-1".into(),
                service: "iam".into(),
                signed_headers: vec!["content-type".into(), "host".into(), "x-amz-date".into()],
                signature: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7".into(),
            }
        );
        assert_eq!(parsed.scope(), "20150830/us-east-1/iam/aws4_request");
    }

    #[test]
    fn spacing_and_order_of_parts_do_not_matter() {
        let compact = "AWS4-HMAC-SHA256 Signature=ab,SignedHeaders=host,Credential=K/20150830/r/s/aws4_request";
        let parsed = parse_authorization(compact).unwrap();
        assert_eq!((parsed.access_key_id.as_str(), parsed.signature.as_str()), ("K", "ab"));
        assert_eq!(parsed.signed_headers, ["host"]);
    }

    #[test]
    fn empty_header_is_missing_authentication() {
        assert_eq!(parse_authorization(""), Err(Error::MissingAuthentication));
        assert_eq!(parse_authorization("  "), Err(Error::MissingAuthentication));
    }

    #[test]
    fn missing_parts_are_all_named() {
        let message = incomplete_message("AWS4-HMAC-SHA256 SignedHeaders=host");
        assert_eq!(
            message,
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter."
        );
        assert!(incomplete_message("AWS4-HMAC-SHA256").contains("'SignedHeaders'"));
        assert!(
            incomplete_message("AWS4-HMAC-SHA256 Credential=, Signature=a, SignedHeaders=host").contains("Credential")
        );
    }

    #[test]
    fn malformed_headers_are_incomplete() {
        let scoped =
            |credential: &str| format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=a");
        assert!(incomplete_message("AWS k:sig").contains("Unsupported AWS 'algorithm': 'AWS'"));
        assert!(incomplete_message("Bearer abc").contains("'Bearer'"));
        assert!(incomplete_message("AWS4-HMAC-SHA256 Credential").contains("malformed"));
        assert!(incomplete_message(&format!("{EXAMPLE}, Signature=b")).contains("more than once"));
        assert!(incomplete_message(&scoped("K/20150830/r/s")).contains("exactly 5 slash-delimited"));
        assert!(incomplete_message(&scoped("K/20150830/r/s/aws4_request/x")).contains("exactly 5"));
        assert!(incomplete_message(&scoped("/20150830/r/s/aws4_request")).contains("access key"));
        assert!(incomplete_message(&scoped("K/20150830//s/aws4_request")).contains("valid region"));
        assert!(incomplete_message(&scoped("K/20150830/r//aws4_request")).contains("valid service"));
        assert!(incomplete_message(&scoped("K/20150830/r/s/aws5_request")).contains("valid terminator"));
        let empty_name = "AWS4-HMAC-SHA256 Credential=K/20150830/r/s/aws4_request, SignedHeaders=host;;x, Signature=a";
        assert!(incomplete_message(empty_name).contains("no empty name"));
    }
}
