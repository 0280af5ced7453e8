//! `secretsmanager.*`: sluice secrets through the Secrets Manager API, so
//! `aws secretsmanager create-secret` and every SDK manage them. Values are
//! sealed at rest (`crate::secrets`); reading a value back needs an admin.

use super::AwsError;
use crate::auth::{Permission, Principal};
use crate::aws::wire::{decode_token, encode_token, input, timestamp};
use crate::clock::now_ms;
use crate::http::AppState;
use crate::secrets::{self, KIND};
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_store::{ResourceQuery, ResourceRow};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateInput {
    name: String,
    secret_string: Option<String>,
    secret_binary: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutInput {
    secret_id: String,
    secret_string: Option<String>,
    secret_binary: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdInput {
    secret_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInput {
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub async fn dispatch(app: &AppState, principal: &Principal, operation: &str, body: Value) -> Result<Value, AwsError> {
    match operation {
        "CreateSecret" => create(app, principal, body).await,
        "PutSecretValue" => put(app, principal, body).await,
        "GetSecretValue" => get_value(app, principal, body).await,
        "DescribeSecret" => describe(app, principal, body).await,
        "ListSecrets" => list(app, principal, body).await,
        "DeleteSecret" => delete(app, principal, body).await,
        _ => Err(AwsError::new(
            "InvalidRequestException",
            format!("Secrets Manager operation {operation} is not supported by sluice"),
        )),
    }
}

fn arn(app: &AppState, principal: &Principal, name: &str) -> String {
    format!("arn:aws:secretsmanager:{}:{}:secret:{name}", principal.region, app.account_id)
}

/// A `SecretId` is a name or an ARN.
fn name_of(secret_id: &str) -> &str {
    secret_id.rsplit_once(":secret:").map_or(secret_id, |(_, name)| name)
}

fn not_found() -> AwsError {
    AwsError::new("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::new("InvalidParameterException", message)
}

fn store_failure(error: sluice_store::Error) -> AwsError {
    tracing::error!(error = %error, "a secrets store operation failed");
    AwsError::internal("The server could not complete the request")
}

/// Only text values: a secret ends up in a process environment.
fn string_value(secret_string: Option<String>, secret_binary: Option<String>) -> Result<String, AwsError> {
    match (secret_string, secret_binary) {
        (Some(value), None) if !value.contains('\0') => Ok(value),
        (Some(_), None) => Err(invalid("SecretString cannot contain NUL characters")),
        (None, Some(_)) => Err(invalid("SecretBinary is not supported by sluice: use SecretString")),
        (Some(_), Some(_)) => Err(invalid("You can't specify both a binary secret value and a string secret value")),
        (None, None) => Err(invalid("You must provide either SecretString or SecretBinary")),
    }
}

fn version_id(row_updated_at: i64) -> String {
    format!("v{row_updated_at}")
}

async fn create(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "CreateSecret")?;
    let input: CreateInput = input(body)?;
    secrets::check_name(&input.name).map_err(invalid)?;
    let value = string_value(input.secret_string, input.secret_binary)?;
    let now = now_ms();
    let row = ResourceRow {
        kind: KIND.into(),
        key: input.name.clone(),
        parent: None,
        sort_at: now,
        counter: 0,
        body: secrets::body(app.driver.cipher(), &input.name, &value, input.description.as_deref()),
        created_at: now,
        updated_at: now,
    };
    match app.driver.store().insert_resource(&row).await {
        Ok(()) => Ok(json!({
            "ARN": arn(app, principal, &input.name),
            "Name": input.name,
            "VersionId": version_id(now),
        })),
        Err(sluice_store::Error::NameInUse) => Err(AwsError::new(
            "ResourceExistsException",
            format!("The operation failed because the secret {} already exists.", input.name),
        )),
        Err(e) => Err(store_failure(e)),
    }
}

async fn put(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "PutSecretValue")?;
    let input: PutInput = input(body)?;
    let name = name_of(&input.secret_id).to_owned();
    let value = string_value(input.secret_string, input.secret_binary)?;
    let store = app.driver.store();
    let row = store.get_resource(KIND, &name).await.map_err(store_failure)?.ok_or_else(not_found)?;
    let description = row.body["description"].as_str();
    let now = now_ms();
    let body = secrets::body(app.driver.cipher(), &name, &value, description);
    match store.update_resource(KIND, &name, &body, now).await {
        Ok(()) => Ok(json!({ "ARN": arn(app, principal, &name), "Name": name, "VersionId": version_id(now) })),
        Err(sluice_store::Error::NotFound) => Err(not_found()),
        Err(e) => Err(store_failure(e)),
    }
}

async fn get_value(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "GetSecretValue")?;
    let IdInput { secret_id } = input(body)?;
    let name = name_of(&secret_id);
    let row = app.driver.store().get_resource(KIND, name).await.map_err(store_failure)?.ok_or_else(not_found)?;
    let value = secrets::value(app.driver.cipher(), &row).ok_or_else(|| {
        AwsError::new("DecryptionFailure", "the secret cannot be decrypted with this server's secret key")
    })?;
    Ok(json!({
        "ARN": arn(app, principal, name),
        "Name": name,
        "VersionId": version_id(row.updated_at),
        "SecretString": value,
        "VersionStages": ["AWSCURRENT"],
        "CreatedDate": timestamp(row.updated_at),
    }))
}

fn described(app: &AppState, principal: &Principal, row: &ResourceRow) -> Value {
    let mut out = json!({
        "ARN": arn(app, principal, &row.key),
        "Name": row.key,
        "CreatedDate": timestamp(row.created_at),
        "LastChangedDate": timestamp(row.updated_at),
        "VersionIdsToStages": { version_id(row.updated_at): ["AWSCURRENT"] },
    });
    if let Some(description) = row.body["description"].as_str() {
        out["Description"] = json!(description);
    }
    out
}

async fn describe(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "DescribeSecret")?;
    let IdInput { secret_id } = input(body)?;
    let row = app
        .driver
        .store()
        .get_resource(KIND, name_of(&secret_id))
        .await
        .map_err(store_failure)?
        .ok_or_else(not_found)?;
    Ok(described(app, principal, &row))
}

async fn list(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListSecrets")?;
    let input: ListInput = input(body)?;
    let size = match input.max_results {
        None => 100,
        Some(n @ 1..=100) => n as u32,
        Some(n) => return Err(invalid(format!("MaxResults {n} is out of range: 1 to 100"))),
    };
    let token = match input.next_token.as_deref() {
        Some(token) => Some(decode_token(token).ok_or_else(|| invalid("The next token is not valid"))?),
        None => None,
    };
    let query = ResourceQuery { kind: KIND, parent: None, newest_first: false };
    let page = app.driver.store().list_resources(&query, size, token.as_deref()).await.map_err(|e| match e {
        sluice_store::Error::InvalidToken => invalid("The next token is not valid"),
        e => store_failure(e),
    })?;
    let list: Vec<Value> = page.items.iter().map(|row| described(app, principal, row)).collect();
    let mut out = json!({ "SecretList": list });
    if let Some(next) = page.next_token {
        out["NextToken"] = json!(encode_token(&next));
    }
    Ok(out)
}

/// Deletes at once: sluice keeps no recovery window.
async fn delete(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "DeleteSecret")?;
    let IdInput { secret_id } = input(body)?;
    let name = name_of(&secret_id).to_owned();
    match app.driver.store().delete_resource(KIND, &name).await {
        Ok(()) => Ok(json!({ "ARN": arn(app, principal, &name), "Name": name, "DeletionDate": timestamp(now_ms()) })),
        Err(sluice_store::Error::NotFound) => Err(not_found()),
        Err(e) => Err(store_failure(e)),
    }
}
