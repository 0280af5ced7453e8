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
