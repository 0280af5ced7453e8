//! The server side: does this request carry a valid signature by this secret, made recently?

use hmac::Mac;

use crate::canonical::{CONTENT_SHA256, canonical_request, payload_hash};
use crate::crypto::{sha256_hex, signature_mac, string_to_sign};
use crate::error::Error;
use crate::parse::ParsedAuth;
use crate::request::Request;
use crate::time::{format_amz_date, parse_amz_date};

/// How far AWS lets `X-Amz-Date` be from its clock, either way: 15 minutes.
pub const AWS_MAX_SKEW_SECS: i64 = 15 * 60;

/// Checks that `parsed` (the request's `Authorization`, see [`crate::parse_authorization`]) is the
/// signature `secret` gives for `request`, and that its `X-Amz-Date` is within `max_skew_secs` of
/// `now_unix_secs`.
///
/// The signature is recomputed over exactly the headers the client listed as signed (`host` must
/// be one: a signature must not be replayable against another host), and compared in constant
/// time. When the request carries `x-amz-content-sha256`, the body must also hash to it: the
/// signature covers that header, not the body, so this check is what ties the body to it (and
/// why `UNSIGNED-PAYLOAD` is refused). The region is not checked; the service is the caller's to
/// check, from `parsed.service`.
pub fn verify(
    request: &Request<'_>,
    parsed: &ParsedAuth,
    secret: &str,
    now_unix_secs: i64,
    max_skew_secs: i64,
) -> Result<(), Error> {
    let amz_date = request
        .header("x-amz-date")
        .ok_or_else(|| Error::Incomplete("Authorization header requires existence of a 'X-Amz-Date' header.".into()))?
        .trim();
    let signed_at = parse_amz_date(amz_date).ok_or_else(|| {
        Error::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ))
    })?;
    if parsed.date != amz_date[..8] {
        return Err(Error::Invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', \
             from '{amz_date}'.",
            parsed.date,
            &amz_date[..8]
        )));
    }
    if !parsed.signed_headers.iter().any(|name| name.eq_ignore_ascii_case("host")) {
        return Err(Error::Incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    check_skew(amz_date, signed_at, now_unix_secs, max_skew_secs)?;

    let canonical = canonical_request(request, &parsed.signed_headers, &payload_hash(request)).map_err(|name| {
        Error::Invalid(format!("The request does not carry the header '{name}' that its signature covers."))
    })?;
    let string_to_sign = string_to_sign(amz_date, &parsed.scope_parts(), &canonical);
    let matches = hex::decode(&parsed.signature).is_ok_and(|provided| {
        signature_mac(secret, &parsed.scope_parts(), &string_to_sign).verify_slice(&provided).is_ok()
    });
    if !matches {
        return Err(Error::SignatureMismatch { canonical_request: canonical, string_to_sign });
    }
    if request.header(CONTENT_SHA256).is_some_and(|claimed| claimed != sha256_hex(request.body)) {
        return Err(Error::Invalid(format!(
            "The provided '{CONTENT_SHA256}' header does not match what was computed (an unsigned or changed body)."
        )));
    }
    Ok(())
}

/// AWS's two skew errors, with its messages (clients show them to explain a wrong clock).
fn check_skew(amz_date: &str, signed_at: i64, now: i64, max_skew_secs: i64) -> Result<(), Error> {
    let skew =
        if max_skew_secs % 60 == 0 { format!("{} min.", max_skew_secs / 60) } else { format!("{max_skew_secs} s") };
    let earliest = now.saturating_sub(max_skew_secs);
    let latest = now.saturating_add(max_skew_secs);
    if signed_at < earliest {
        return Err(Error::Expired(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - {skew})",
            format_amz_date(earliest),
            format_amz_date(now)
        )));
    }
    if signed_at > latest {
        return Err(Error::Expired(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + {skew})",
            format_amz_date(latest),
            format_amz_date(now)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
