//! Reading what the operations show: the store's rows decoded into the
//! model's and the engine's types, with the service model's exceptions for
//! whatever is missing.

use crate::aws::AwsError;
use crate::http::AppState;
use sluice_engine::Execution;
use sluice_model::PipelineDeclaration;
use sluice_store::{ExecutionRow, PipelineRow};
use std::collections::BTreeMap;

/// A store failure as the API reports it (logged when it is the server's fault).
pub fn store_error(error: sluice_store::Error) -> AwsError {
    crate::driver::Error::from(error).into()
}

pub fn pipeline_not_found(name: &str) -> AwsError {
    AwsError::new("PipelineNotFoundException", format!("Account does not have a pipeline with name '{name}'"))
}

pub fn execution_not_found(pipeline: &str, id: &str) -> AwsError {
    AwsError::new(
        "PipelineExecutionNotFoundException",
        format!("Pipeline execution with id '{id}' does not exist in pipeline with name '{pipeline}'"),
    )
}

/// The current version of a pipeline.
pub async fn pipeline(app: &AppState, name: &str) -> Result<PipelineRow, AwsError> {
    app.driver.store().get_pipeline(name, None).await.map_err(store_error)?.ok_or_else(|| pipeline_not_found(name))
}

pub fn declaration_of(row: &PipelineRow) -> Result<PipelineDeclaration, AwsError> {
    serde_json::from_value(row.declaration.clone()).map_err(|e| corrupt(&row.name, &e))
}

pub fn execution_of(row: &ExecutionRow) -> Result<Execution, AwsError> {
    serde_json::from_value(row.body.clone()).map_err(|e| corrupt(&row.pipeline, &e))
}

fn corrupt(pipeline: &str, error: &serde_json::Error) -> AwsError {
    tracing::error!(pipeline, error = %error, "stored pipeline data cannot be read");
    AwsError::internal("The server could not read the pipeline's stored data")
}

/// An execution of `pipeline` as last committed; an id unknown to the store,
/// or belonging to another pipeline, is `PipelineExecutionNotFoundException`.
pub async fn execution(app: &AppState, pipeline: &str, id: &str) -> Result<Execution, AwsError> {
    match stored_execution(app, pipeline, id).await? {
        Some(row) => execution_of(&row),
        None => Err(execution_not_found(pipeline, id)),
    }
}

/// The stored row of an execution of `pipeline`, if there is one.
pub async fn stored_execution(app: &AppState, pipeline: &str, id: &str) -> Result<Option<ExecutionRow>, AwsError> {
    let row = app.driver.store().get_execution(id).await.map_err(store_error)?;
    Ok(row.filter(|r| r.pipeline == pipeline))
}

/// The declarations of a pipeline's versions, each read once.
pub struct Versions<'a> {
    app: &'a AppState,
    pipeline: String,
    loaded: BTreeMap<i64, Option<PipelineDeclaration>>,
}

impl<'a> Versions<'a> {
    pub fn new(app: &'a AppState, pipeline: &str) -> Versions<'a> {
        Versions { app, pipeline: pipeline.to_string(), loaded: BTreeMap::new() }
    }

    /// Starts with a version already read.
    pub fn with(mut self, version: i64, declaration: PipelineDeclaration) -> Versions<'a> {
        self.loaded.insert(version, Some(declaration));
        self
    }

    /// The declaration of `version`; `None` if the store does not have it
    /// (an execution's view then falls back to what the execution holds).
    pub async fn get(&mut self, version: i64) -> Result<Option<&PipelineDeclaration>, AwsError> {
        if !self.loaded.contains_key(&version) {
            let row = self.app.driver.store().get_pipeline(&self.pipeline, Some(version)).await.map_err(store_error)?;
            let declaration = row.as_ref().map(declaration_of).transpose()?;
            self.loaded.insert(version, declaration);
        }
        Ok(self.loaded[&version].as_ref())
    }
}
