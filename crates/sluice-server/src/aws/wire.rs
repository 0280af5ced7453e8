//! Small helpers shared by the operations: reading inputs, timestamps and
//! ARNs as the AWS JSON protocol writes them.

use super::AwsError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Reads an operation's input; a shape mismatch is a `ValidationException`
/// naming the field.
pub fn input<T: DeserializeOwned>(value: Value) -> Result<T, AwsError> {
    serde_json::from_value(value).map_err(|e| AwsError::validation(format!("invalid request: {e}")))
}

/// Timestamps are epoch seconds (with a fraction) in the JSON protocols.
pub fn timestamp(ms: i64) -> Value {
    serde_json::json!(ms as f64 / 1000.0)
}

pub fn pipeline_arn(region: &str, account_id: &str, name: &str) -> String {
    format!("arn:aws:codepipeline:{region}:{account_id}:{name}")
}

/// Page sizes: AWS's default and bounds for a `maxResults`.
pub fn page_size(max_results: Option<i64>, default: u32, max: u32) -> Result<u32, AwsError> {
    match max_results {
        None => Ok(default),
        Some(n) if n >= 1 && n <= i64::from(max) => Ok(n as u32),
        Some(n) => Err(AwsError::validation(format!("maxResults {n} is out of range: 1 to {max}"))),
    }
}

/// A string input's length (in characters), bounded as in the service model.
pub fn check_length(field: &str, value: &str, min: usize, max: usize) -> Result<(), AwsError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(AwsError::validation(format!(
            "Value at '{field}' failed to satisfy constraint: Member must have length between {min} and {max}"
        )));
    }
    Ok(())
}

/// A pipeline, stage or action name: `[A-Za-z0-9.@\-_]+`, 1 to 100 characters.
pub fn check_name(field: &str, value: &str) -> Result<(), AwsError> {
    check_length(field, value, 1, 100)?;
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_')) {
        return Err(AwsError::validation(format!(
            "Value '{value}' at '{field}' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+"
        )));
    }
    Ok(())
}

/// A pagination token sluice makes itself, opaque to clients.
pub fn encode_token(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The text of a token made by [`encode_token`]; `None` for anything else.
pub fn decode_token(token: &str) -> Option<String> {
    if token.is_empty() || token.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..token.len()).step_by(2).map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok()).collect();
    String::from_utf8(bytes?).ok()
}

pub fn invalid_next_token() -> AwsError {
    AwsError::new("InvalidNextTokenException", "The next token is not valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_what_they_did_not_make() {
        let token = encode_token("3\n1700000000000:a-b");
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(decode_token(&token).as_deref(), Some("3\n1700000000000:a-b"));
        for bad in ["", "abc", "zz", "ff", "é1"] {
            assert_eq!(decode_token(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_follow_the_model_pattern() {
        assert!(check_name("stageName", "Build-1.a@b_c").is_ok());
        assert_eq!(check_name("stageName", "").unwrap_err().type_name, "ValidationException");
        assert_eq!(check_name("stageName", "no spaces").unwrap_err().type_name, "ValidationException");
        assert!(check_name("stageName", &"x".repeat(101)).is_err());
    }
}
