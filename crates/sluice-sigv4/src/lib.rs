//! AWS Signature Version 4, both sides: [`sign`] for the `sluice` CLI calling the server, and
//! [`parse_authorization`] + [`verify`] for the server checking what the AWS CLI, boto3 or
//! `sluice` sent.
//!
//! The API is AWS's JSON protocol (`POST /` with `X-Amz-Target`), so this crate does what
//! botocore's `SigV4Auth` does for non-S3 services, including the double encoding of the path.
//! It does no IO and reads no clock: the time is an argument, so the server's clock skew check
//! and the signing date are both testable, and errors carry AWS's exception names and messages
//! ([`Error::aws_type`]) so clients see what AWS would have said.
//!
//! Not supported, on purpose: presigned URLs (query-string auth), session tokens, chunked
//! (`STREAMING-…`) and `UNSIGNED-PAYLOAD` bodies. sluice's API is small JSON bodies, and refusing
//! an unsigned body keeps every byte a request carries covered by its signature.

mod canonical;
mod crypto;
mod error;
mod parse;
mod request;
mod sign;
mod time;
mod verify;

pub use error::Error;
pub use parse::{ParsedAuth, parse_authorization};
pub use request::{Credentials, Request};
pub use sign::sign;
pub use time::{format_amz_date, parse_amz_date};
pub use verify::{AWS_MAX_SKEW_SECS, verify};
