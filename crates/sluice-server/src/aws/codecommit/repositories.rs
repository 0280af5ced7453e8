//! CreateRepository, GetRepository, ListRepositories, DeleteRepository.

use super::{does_not_exist, io_failure, repository_name};
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::{input, timestamp};
use crate::clock::now_ms;
use crate::git::repo::{CreateError, Repos, Repository};
use crate::http::AppState;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// ListRepositories answers in batches of this many, as AWS.
const PAGE_SIZE: usize = 1000;
const MAX_TAGS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateInput {
    repository_name: Option<String>,
    repository_description: Option<String>,
    tags: Option<BTreeMap<String, String>>,
    // kmsKeyId is accepted and ignored: sluice does not encrypt repositories.
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NameInput {
    repository_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    next_token: Option<String>,
    sort_by: Option<String>,
    order: Option<String>,
}

/// `RepositoryMetadata`. The clone URL names the host the caller reached.
fn metadata(
    app: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    repository: &Repository,
    default_branch: Option<String>,
) -> Value {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:7700");
    let mut out = json!({
        "accountId": app.account_id,
        "repositoryId": repository.id,
        "repositoryName": repository.name,
        "lastModifiedDate": timestamp(repository.last_modified_ms),
        "creationDate": timestamp(repository.created_ms),
        "cloneUrlHttp": format!("http://{host}/git/{}", repository.name),
        "Arn": format!("arn:aws:codecommit:{}:{}:{}", principal.region, app.account_id, repository.name),
    });
    if let Some(description) = &repository.description {
        out["repositoryDescription"] = json!(description);
    }
    if let Some(branch) = default_branch {
        out["defaultBranch"] = json!(branch);
    }
    out
}

fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), AwsError> {
    if tags.len() > MAX_TAGS {
        return Err(AwsError::new("TooManyTagsException", format!("A repository can have at most {MAX_TAGS} tags")));
    }
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(AwsError::new(
                "InvalidTagsMapException",
                format!("Tag {key:?}: keys are 1 to 128 characters, values at most 256"),
            ));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(AwsError::new(
                "InvalidSystemTagUsageException",
                format!("Tag {key:?}: keys cannot start with aws:"),
            ));
        }
    }
    Ok(())
}

pub async fn create(
    app: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    value: Value,
) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "CreateRepository")?;
    let request: CreateInput = input(value)?;
    let name = repository_name(request.repository_name)?;
    if request.repository_description.as_ref().is_some_and(|d| d.chars().count() > 1000) {
        return Err(AwsError::new(
            "InvalidRepositoryDescriptionException",
            "The repository description is longer than 1000 characters",
        ));
    }
    let tags = request.tags.unwrap_or_default();
    check_tags(&tags)?;
    let repos = Repos::new(&app.data_dir);
    let repository = match repos.create(&name, request.repository_description, tags, now_ms()).await {
        Ok(repository) => repository,
        Err(CreateError::Exists(_)) => {
            return Err(AwsError::new(
                "RepositoryNameExistsException",
                format!("Repository named {name} already exists"),
            ));
        }
        Err(CreateError::Io(e)) => return Err(io_failure(&name, e)),
    };
    Ok(json!({ "repositoryMetadata": metadata(app, principal, headers, &repository, None) }))
}

pub async fn get(app: &AppState, principal: &Principal, headers: &HeaderMap, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "GetRepository")?;
    let request: NameInput = input(value)?;
    let name = repository_name(request.repository_name)?;
    let repos = Repos::new(&app.data_dir);
    let Some(repository) = repos.get(&name).await.map_err(|e| io_failure(&name, e))? else {
        return Err(does_not_exist(&name));
    };
    let heads = repos.heads(&name).await.map_err(|e| io_failure(&name, e))?;
    let default_branch = repos.default_branch(&name, &heads).await;
    Ok(json!({ "repositoryMetadata": metadata(app, principal, headers, &repository, default_branch) }))
}

pub async fn delete(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "DeleteRepository")?;
    let request: NameInput = input(value)?;
    let name = repository_name(request.repository_name)?;
    let repos = Repos::new(&app.data_dir);
    // As AWS: deleting a repository that does not exist succeeds, without an id.
    match repos.delete(&name).await.map_err(|e| io_failure(&name, e))? {
        Some(repository) => Ok(json!({ "repositoryId": repository.id })),
        None => Ok(json!({})),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortBy {
    Name,
    LastModified,
}

/// Where a page ends: the sort key of its last repository.
#[derive(Debug, PartialEq, Eq)]
struct Position {
    last_modified_ms: i64,
    name: String,
}

impl Position {
    fn of(repository: &Repository) -> Position {
        Position { last_modified_ms: repository.last_modified_ms, name: repository.name.clone() }
    }

    fn compare(&self, other: &Position, sort_by: SortBy) -> Ordering {
        match sort_by {
            SortBy::Name => self.name.cmp(&other.name),
            SortBy::LastModified => {
                self.last_modified_ms.cmp(&other.last_modified_ms).then_with(|| self.name.cmp(&other.name))
            }
        }
    }

    /// Opaque to callers: hex of `<ms>:<name>`.
    fn token(&self) -> String {
        format!("{}:{}", self.last_modified_ms, self.name).bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn from_token(token: &str) -> Option<Position> {
        if token.len() % 2 != 0 {
            return None;
        }
        let bytes: Option<Vec<u8>> =
            (0..token.len()).step_by(2).map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok()).collect();
        let text = String::from_utf8(bytes?).ok()?;
        let (ms, name) = text.split_once(':')?;
        Some(Position { last_modified_ms: ms.parse().ok()?, name: name.to_owned() })
    }
}

pub async fn list(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListRepositories")?;
    let request: ListInput = input(value)?;
    let sort_by = match request.sort_by.as_deref() {
        None | Some("repositoryName") => SortBy::Name,
        Some("lastModifiedDate") => SortBy::LastModified,
        Some(other) => {
            return Err(AwsError::new("InvalidSortByException", format!("{other} is not a valid sort criterion")));
        }
    };
    let descending = match request.order.as_deref() {
        None | Some("ascending") => false,
        Some("descending") => true,
        Some(other) => return Err(AwsError::new("InvalidOrderException", format!("{other} is not a valid order"))),
    };
    let after = match request.next_token.as_deref() {
        None => None,
        Some(token) => Some(Position::from_token(token).ok_or_else(|| {
            AwsError::new("InvalidContinuationTokenException", "The specified continuation token is not valid.")
        })?),
    };
    let ordering = |a: &Position, b: &Position| {
        let ordering = a.compare(b, sort_by);
        if descending { ordering.reverse() } else { ordering }
    };
    let mut repositories = Repos::new(&app.data_dir).list().await.map_err(|e| io_failure("*", e))?;
    repositories.sort_by(|a, b| ordering(&Position::of(a), &Position::of(b)));
    if let Some(after) = &after {
        repositories.retain(|r| ordering(&Position::of(r), after) == Ordering::Greater);
    }
    let more = repositories.len() > PAGE_SIZE;
    repositories.truncate(PAGE_SIZE);
    let listed: Vec<Value> =
        repositories.iter().map(|r| json!({ "repositoryName": r.name, "repositoryId": r.id })).collect();
    let mut out = json!({ "repositories": listed });
    if let Some(last) = repositories.last().filter(|_| more) {
        out["nextToken"] = json!(Position::of(last).token());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_garbage() {
        let position = Position { last_modified_ms: 1_700_000_000_123, name: "my.app-2".into() };
        assert_eq!(Position::from_token(&position.token()), Some(position));
        for bad in ["", "zz", "abc", "6162"] {
            assert_eq!(Position::from_token(bad), None, "{bad}");
        }
    }

    #[test]
    fn tags_are_checked() {
        let tags = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        assert!(check_tags(&tags(&[("team", "ci")])).is_ok());
        assert_eq!(check_tags(&tags(&[("aws:x", "y")])).unwrap_err().type_name, "InvalidSystemTagUsageException");
        assert_eq!(check_tags(&tags(&[("", "y")])).unwrap_err().type_name, "InvalidTagsMapException");
        let many: BTreeMap<String, String> = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        assert_eq!(check_tags(&many).unwrap_err().type_name, "TooManyTagsException");
    }
}
