//! Why a request's authentication was refused, in AWS's words.
//!
//! The JSON services answer authentication failures with a handful of exceptions; clients (the
//! AWS CLI, boto3) show their `__type` and `message`, and scripts match on them. So each variant
//! maps to AWS's exception name, and its `Display` is AWS's message where AWS has a fixed one.

/// An authentication failure. `Display` is the message to send back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No `Authorization` header at all. The server raises it; parsing an empty header does too.
    #[error("Request is missing Authentication Token")]
    MissingAuthentication,
    /// The header or the request lacks a part the signature needs, or a part is malformed.
    #[error("{0}")]
    Incomplete(String),
    /// The access key id is not one the server knows (or it is disabled). The server raises it
    /// after parsing: this crate does not know the keys.
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,
    /// The signature is not the one the secret gives for this request. Carries the canonical
    /// request and string to sign the server computed (no secret in either), as AWS does, so a
    /// client author can diff them against their own.
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret \
         Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for \
         this request should have been\n'{canonical_request}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
    )]
    SignatureMismatch { canonical_request: String, string_to_sign: String },
    /// `X-Amz-Date` is further from the server's clock than the allowed skew, either way.
    #[error("{0}")]
    Expired(String),
    /// Any other reason the signature cannot be accepted: the scope's date is not the request's,
    /// a signed header is missing, the body does not match `x-amz-content-sha256`.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// The AWS exception name, for the response's `__type` (and `x-amzn-ErrorType`).
    pub fn aws_type(&self) -> &'static str {
        match self {
            Error::MissingAuthentication => "MissingAuthenticationTokenException",
            Error::Incomplete(_) => "IncompleteSignatureException",
            Error::UnknownAccessKey => "UnrecognizedClientException",
            Error::SignatureMismatch { .. } | Error::Expired(_) | Error::Invalid(_) => "InvalidSignatureException",
        }
    }

    /// The message, for the response's `message` field.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The HTTP status AWS answers with: 403 for a missing token (as AWS's common errors list
    /// it), 400 for everything else, as the JSON services do for signature errors.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::MissingAuthentication => 403,
            _ => 400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_statuses_and_messages_are_aws_ones() {
        let cases = [
            (Error::MissingAuthentication, "MissingAuthenticationTokenException", 403),
            (Error::Incomplete("x".into()), "IncompleteSignatureException", 400),
            (Error::UnknownAccessKey, "UnrecognizedClientException", 400),
            (
                Error::SignatureMismatch { canonical_request: "c".into(), string_to_sign: "s".into() },
                "InvalidSignatureException",
                400,
            ),
            (Error::Expired("Signature expired: …".into()), "InvalidSignatureException", 400),
            (Error::Invalid("x".into()), "InvalidSignatureException", 400),
        ];
        for (error, aws_type, status) in cases {
            assert_eq!((error.aws_type(), error.http_status()), (aws_type, status), "{error:?}");
        }
        assert_eq!(Error::UnknownAccessKey.message(), "The security token included in the request is invalid.");
        let mismatch = Error::SignatureMismatch { canonical_request: "CR".into(), string_to_sign: "STS".into() };
        let message = mismatch.message();
        assert!(message.starts_with("The request signature we calculated does not match the signature you provided."));
        assert!(message.contains("should have been\n'CR'") && message.contains("should have been\n'STS'"), "{message}");
    }
}
