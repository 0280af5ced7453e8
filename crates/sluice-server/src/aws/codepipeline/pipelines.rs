//! CreatePipeline, GetPipeline, UpdatePipeline, DeletePipeline, ListPipelines.

use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::{self, input, pipeline_arn, timestamp};
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_model::source::Format;
use sluice_model::{Document, PipelineDeclaration};
use sluice_store::PipelineRow;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct CreateInput {
    pipeline: Value,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Deserialize)]
struct NameInput {
    name: String,
    #[serde(default)]
    version: Option<i64>,
}

#[derive(Deserialize)]
struct UpdateInput {
    pipeline: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    next_token: Option<String>,
    max_results: Option<i64>,
}

/// Checks a pipeline structure with the same validation as `sluice
/// validate`; every problem goes into one `InvalidStructureException`.
pub fn checked_declaration(value: &Value) -> Result<PipelineDeclaration, AwsError> {
    let text = value.to_string();
    Document::check_as(Format::Json, &text).into_result().map_err(|diagnostics| {
        let problems: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| if d.path.is_root() { d.message.clone() } else { format!("{}: {}", d.path, d.message) })
            .collect();
        AwsError::new("InvalidStructureException", problems.join("; "))
    })
}

fn metadata(app: &AppState, principal: &Principal, row: &PipelineRow) -> Value {
    json!({
        "pipelineArn": pipeline_arn(&principal.region, &app.account_id, &row.name),
        "created": timestamp(row.created_at),
        "updated": timestamp(row.updated_at),
    })
}

/// The stored declaration with its version, as the API returns it.
fn declaration_json(row: &PipelineRow) -> Value {
    let mut declaration = row.declaration.clone();
    if let Some(object) = declaration.as_object_mut() {
        object.insert("version".into(), json!(row.version));
    }
    declaration
}

pub async fn create(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "CreatePipeline")?;
    let request: CreateInput = input(value)?;
    let declaration = checked_declaration(&request.pipeline)?;
    let tags: BTreeMap<String, String> = request.tags.into_iter().map(|t| (t.key, t.value)).collect();
    let (row, _) = app.driver.create_pipeline_tagged(&declaration, &tags, &principal.arn(&app.account_id)).await?;
    Ok(json!({
        "pipeline": declaration_json(&row),
        "tags": tags.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
    }))
}

pub async fn get(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "GetPipeline")?;
    let request: NameInput = input(value)?;
    let store = app.driver.store();
    let row = store.get_pipeline(&request.name, request.version).await.map_err(crate::driver::Error::from)?;
    let Some(row) = row else {
        if request.version.is_some() && store.get_pipeline(&request.name, None).await.ok().flatten().is_some() {
            return Err(AwsError::new(
                "PipelineVersionNotFoundException",
                format!("Version {} of pipeline {} was not found", request.version.unwrap_or_default(), request.name),
            ));
        }
        return Err(AwsError::new(
            "PipelineNotFoundException",
            format!("Account does not have a pipeline with name '{}'", request.name),
        ));
    };
    Ok(json!({ "pipeline": declaration_json(&row), "metadata": metadata(app, principal, &row) }))
}

pub async fn update(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "UpdatePipeline")?;
    let request: UpdateInput = input(value)?;
    let declaration = checked_declaration(&request.pipeline)?;
    let row = app.driver.update_pipeline(&declaration).await?;
    Ok(json!({ "pipeline": declaration_json(&row) }))
}

pub async fn delete(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "DeletePipeline")?;
    let request: NameInput = input(value)?;
    app.driver.delete_pipeline(&request.name).await?;
    Ok(json!({}))
}

pub async fn list(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListPipelines")?;
    let request: ListInput = input(value)?;
    let size = wire::page_size(request.max_results, 100, 1000)?;
    let page = app.driver.store().list_pipelines(size, request.next_token.as_deref()).await.map_err(|e| match e {
        sluice_store::Error::InvalidToken => AwsError::new("InvalidNextTokenException", "The next token is not valid"),
        other => crate::driver::Error::from(other).into(),
    })?;
    let pipelines: Vec<Value> = page
        .items
        .iter()
        .map(|p| {
            let mut summary = json!({
                "name": p.name,
                "version": p.version,
                "created": timestamp(p.created_at),
                "updated": timestamp(p.updated_at),
            });
            for key in ["pipelineType", "executionMode"] {
                if let Some(v) = p.declaration.get(key) {
                    summary[key] = v.clone();
                }
            }
            if summary.get("executionMode").is_none() {
                summary["executionMode"] = json!("SUPERSEDED");
            }
            summary
        })
        .collect();
    let mut out = json!({ "pipelines": pipelines });
    if let Some(token) = page.next_token {
        out["nextToken"] = json!(token);
    }
    Ok(out)
}
