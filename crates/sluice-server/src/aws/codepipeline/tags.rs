//! TagResource, UntagResource, ListTagsForResource: the tags of a pipeline,
//! named by its ARN `arn:aws:codepipeline:<region>:<account>:<name>`.

use super::lookup;
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::{self, input};
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_store::Tags;

/// AWS's limit of tags on one resource.
const MAX_TAGS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagInput {
    resource_arn: String,
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
struct Tag {
    key: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UntagInput {
    resource_arn: String,
    tag_keys: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    resource_arn: String,
    next_token: Option<String>,
    max_results: Option<i64>,
}

pub async fn tag(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "TagResource")?;
    let request: TagInput = input(value)?;
    let name = pipeline_name(&request.resource_arn, &app.account_id)?;
    let mut tags = Tags::new();
    for tag in request.tags {
        check_key(&tag.key)?;
        if tag.value.chars().count() > 256 {
            return Err(invalid_tags(format!("The value of tag {} is longer than 256 characters", tag.key)));
        }
        if tags.insert(tag.key.clone(), tag.value).is_some() {
            return Err(invalid_tags(format!("The tag {} is given more than once", tag.key)));
        }
    }
    let store = app.driver.store();
    let mut after = store.get_tags(&name).await.map_err(|e| not_found(e, &request.resource_arn))?;
    after.extend(tags.clone());
    if after.len() > MAX_TAGS {
        return Err(AwsError::new(
            "TooManyTagsException",
            format!("A pipeline can have at most {MAX_TAGS} tags; this would make {}", after.len()),
        ));
    }
    store.set_tags(&name, &tags).await.map_err(|e| not_found(e, &request.resource_arn))?;
    Ok(json!({}))
}

pub async fn untag(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "UntagResource")?;
    let request: UntagInput = input(value)?;
    let name = pipeline_name(&request.resource_arn, &app.account_id)?;
    for key in &request.tag_keys {
        wire::check_length("tagKeys", key, 1, 128)?;
    }
    app.driver.store().remove_tags(&name, &request.tag_keys).await.map_err(|e| not_found(e, &request.resource_arn))?;
    Ok(json!({}))
}

pub async fn list(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListTagsForResource")?;
    let request: ListInput = input(value)?;
    let name = pipeline_name(&request.resource_arn, &app.account_id)?;
    let size = wire::page_size(request.max_results, 100, 100)? as usize;
    let start = match &request.next_token {
        Some(token) => wire::decode_token(token)
            .and_then(|t| t.strip_prefix("tags:")?.parse::<usize>().ok())
            .ok_or_else(wire::invalid_next_token)?,
        None => 0,
    };
    let tags = app.driver.store().get_tags(&name).await.map_err(|e| not_found(e, &request.resource_arn))?;
    let page: Vec<Value> = tags.iter().skip(start).take(size).map(|(k, v)| json!({ "key": k, "value": v })).collect();
    let mut out = json!({ "tags": page });
    if tags.len() > start + size {
        out["nextToken"] = json!(wire::encode_token(&format!("tags:{}", start + size)));
    }
    Ok(out)
}

/// The pipeline a resource ARN names. A malformed ARN is an
/// `InvalidArnException`; a well-formed one that names no pipeline of this
/// account (another account, a webhook, an action type) a
/// `ResourceNotFoundException`.
fn pipeline_name(arn: &str, account_id: &str) -> Result<String, AwsError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && is_partition(parts[1])
        && parts[2] == "codepipeline"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && !parts[5].is_empty();
    if !well_formed {
        return Err(AwsError::new("InvalidArnException", format!("The ARN {arn} is not valid")));
    }
    let name = parts[5];
    if parts[4] != account_id || wire::check_name("resourceArn", name).is_err() {
        return Err(resource_not_found(arn));
    }
    Ok(name.to_string())
}

/// `aws`, or `aws-` and more words (`aws-cn`, `aws-us-gov`).
fn is_partition(text: &str) -> bool {
    text == "aws"
        || text.strip_prefix("aws-").is_some_and(|rest| {
            rest.split('-').all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        })
}

fn check_key(key: &str) -> Result<(), AwsError> {
    if key.is_empty() || key.chars().count() > 128 {
        return Err(invalid_tags(format!("The tag key {key:?} must have 1 to 128 characters")));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(invalid_tags(format!("The tag key {key} uses the reserved prefix aws:")));
    }
    Ok(())
}

fn invalid_tags(message: String) -> AwsError {
    AwsError::new("InvalidTagsException", message)
}

fn resource_not_found(arn: &str) -> AwsError {
    AwsError::new("ResourceNotFoundException", format!("The resource {arn} was not found"))
}

fn not_found(error: sluice_store::Error, arn: &str) -> AwsError {
    match error {
        sluice_store::Error::NotFound => resource_not_found(arn),
        other => lookup::store_error(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_arns_name_their_pipeline() {
        let account = "123456789012";
        assert_eq!(pipeline_name("arn:aws:codepipeline:us-east-1:123456789012:app", account).unwrap(), "app");
        assert_eq!(pipeline_name("arn:aws-us-gov:codepipeline:x:123456789012:a.b", account).unwrap(), "a.b");
        for invalid in [
            "app",
            "arn:aws:codepipeline:us-east-1:123456789012:",
            "arn:aws:codecommit:us-east-1:123456789012:app",
            "arn:aws:codepipeline::123456789012:app",
            "arn:aws:codepipeline:us-east-1:1234:app",
            "arn:awz:codepipeline:us-east-1:123456789012:app",
            "arn:aws-:codepipeline:us-east-1:123456789012:app",
        ] {
            assert_eq!(pipeline_name(invalid, account).unwrap_err().type_name, "InvalidArnException", "{invalid}");
        }
        for elsewhere in [
            "arn:aws:codepipeline:us-east-1:999999999999:app",
            "arn:aws:codepipeline:us-east-1:123456789012:webhook:hook",
            "arn:aws:codepipeline:us-east-1:123456789012:app/Stage/Action",
        ] {
            assert_eq!(pipeline_name(elsewhere, account).unwrap_err().type_name, "ResourceNotFoundException");
        }
    }

    #[test]
    fn tag_keys_are_checked() {
        assert!(check_key("team").is_ok());
        assert_eq!(check_key("").unwrap_err().type_name, "InvalidTagsException");
        assert_eq!(check_key("aws:cloudformation:stack").unwrap_err().type_name, "InvalidTagsException");
        assert!(check_key(&"k".repeat(129)).is_err());
    }
}
