//! HTTP Basic authentication for git: the user name is a sluice access key
//! id and the password its secret (git sends what the URL or its
//! credential helper holds).

use crate::auth::{Principal, Role};
use crate::http::AppState;
use axum::http::HeaderMap;

pub(crate) enum Refused {
    /// No credentials, or wrong ones: 401, so git asks its credential helper.
    Unauthorized,
    /// The credentials could not be checked.
    Internal,
}

/// The caller, checked against the store. The principal's region is empty:
/// git requests are not signed for a region.
pub(crate) async fn authenticate(app: &AppState, headers: &HeaderMap) -> Result<Principal, Refused> {
    let header = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some((id, secret)) = header.and_then(parse) else { return Err(Refused::Unauthorized) };
    let found = app.driver.store().find_access_key(&id).await.map_err(|e| {
        tracing::error!(error = %e, "looking up an access key failed");
        Refused::Internal
    })?;
    let Some((key, user)) = found.filter(|(key, _)| !key.disabled) else { return Err(Refused::Unauthorized) };
    if !same(key.secret.as_bytes(), secret.as_bytes()) {
        return Err(Refused::Unauthorized);
    }
    let Some(role) = Role::parse(&user.role) else {
        tracing::error!(user = %user.name, "a user has an unknown role");
        return Err(Refused::Internal);
    };
    Ok(Principal { user: user.name, role, access_key_id: key.id, region: String::new() })
}

/// `Basic <base64(user:password)>` → (user, password).
fn parse(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Standard base64 (RFC 4648 §4), padding optional.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    // 6 leftover bits cannot come from whole bytes.
    (count < 6).then_some(out)
}

/// Compares without stopping at the first difference, so the time taken
/// tells nothing about how much of a secret was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    let difference = a.iter().zip(b).fold(a.len() ^ b.len(), |acc, (x, y)| acc | usize::from(x ^ y));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_decoded() {
        // "AKIAEXAMPLE:se/cr+et:x" (a colon may appear in the password).
        let header = "Basic QUtJQUVYQU1QTEU6c2UvY3IrZXQ6eA==";
        assert_eq!(parse(header), Some(("AKIAEXAMPLE".into(), "se/cr+et:x".into())));
        assert_eq!(parse("basic QUtJQUVYQU1QTEU6c2UvY3IrZXQ6eA"), Some(("AKIAEXAMPLE".into(), "se/cr+et:x".into())));
        assert_eq!(parse("Bearer QUtJQUVYQU1QTEU6c2VjcmV0"), None);
        assert_eq!(parse("Basic QUtJQUVYQU1QTEU"), None, "no colon");
        assert_eq!(parse("Basic !!!"), None);
        assert_eq!(parse("Basic"), None);
    }

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, encoded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64_decode(encoded).as_deref(), Some(plain.as_bytes()), "{encoded}");
        }
        assert_eq!(base64_decode("Z"), None);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secret", b"secreT"));
        assert!(!same(b"secret", b"secret2"));
        assert!(!same(b"", b"x"));
    }
}
