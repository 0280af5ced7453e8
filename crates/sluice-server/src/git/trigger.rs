//! A push starts pipelines: every pipeline whose first stage has a
//! `Source/AWS/CodeCommit` action on the pushed repository and one of the
//! branches that moved starts an execution at once (trigger
//! `CloudWatchEvent`, as CodeCommit's EventBridge rule does in AWS), with
//! the pushed commit as that action's revision. sluice has no polling:
//! `PollForSourceChanges` changes nothing.

use crate::driver::{Driver, StartArgs};
use sluice_model::{ActionCategory, ActionOwner, PipelineDeclaration};
use std::collections::BTreeMap;

/// How AWS records an execution a CodeCommit change started.
pub const TRIGGER_TYPE: &str = "CloudWatchEvent";

/// An execution a push started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub pipeline: String,
    pub execution_id: String,
}

/// Starts what `changed` (branch → its new commit) of `repository`
/// triggers; one execution per pipeline, whatever the number of its
/// source actions that follow a changed branch. Failures are logged: the
/// push itself has happened.
pub async fn on_push(
    driver: &Driver,
    repository: &str,
    changed: &BTreeMap<String, String>,
    detail: &str,
) -> Vec<Started> {
    let mut started = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = match driver.store().list_pipelines(1000, token.as_deref()).await {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(repository, error = %e, "listing pipelines for a push failed");
                return started;
            }
        };
        for summary in &page.items {
            let declaration: PipelineDeclaration = match serde_json::from_value(summary.declaration.clone()) {
                Ok(declaration) => declaration,
                Err(e) => {
                    tracing::warn!(pipeline = %summary.name, error = %e, "a stored pipeline cannot be read");
                    continue;
                }
            };
            let source_revisions = source_revisions(&declaration, repository, changed);
            if source_revisions.is_empty() {
                continue;
            }
            let args = StartArgs {
                trigger_type: TRIGGER_TYPE.to_owned(),
                trigger_detail: detail.to_owned(),
                source_revisions,
                ..StartArgs::default()
            };
            match driver.start_execution(&summary.name, args).await {
                Ok(execution_id) => {
                    tracing::info!(pipeline = %summary.name, execution = %execution_id, repository, "a push started an execution");
                    started.push(Started { pipeline: summary.name.clone(), execution_id });
                }
                Err(e) => {
                    tracing::warn!(pipeline = %summary.name, error = %e, "starting an execution for a push failed")
                }
            }
        }
        match page.next_token {
            Some(next) => token = Some(next),
            None => return started,
        }
    }
}

/// The first-stage CodeCommit actions of `declaration` that follow one of
/// the changed branches of `repository`, with the commit each is to fetch.
pub fn source_revisions(
    declaration: &PipelineDeclaration,
    repository: &str,
    changed: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let Some(first) = declaration.stages.first() else { return BTreeMap::new() };
    first
        .actions
        .iter()
        .filter(|action| {
            let kind = &action.action_type_id;
            kind.category == ActionCategory::Source && kind.owner == ActionOwner::Aws && kind.provider == "CodeCommit"
        })
        .filter(|action| action.configuration.get("RepositoryName").map(String::as_str) == Some(repository))
        .filter_map(|action| {
            let commit = changed.get(action.configuration.get("BranchName")?)?;
            Some((action.name.clone(), commit.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_model::Document;
    use sluice_model::source::Format;

    const TWO_SOURCES: &str = r#"
name: p
stages:
  - name: Source
    actions:
      - name: App
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: main}
        outputArtifacts: [{name: A}]
      - name: Lib
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: lib, BranchName: main}
        outputArtifacts: [{name: L}]
      - name: Release
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: release}
        outputArtifacts: [{name: R}]
  - name: Build
    actions:
      - name: B
        actionTypeId: {category: Compute, owner: AWS, provider: Commands, version: "1"}
        commands: ["true"]
        inputArtifacts: [{name: A}]
"#;

    #[test]
    fn only_actions_on_the_pushed_repository_and_branch_match() {
        let document = Document::check_as(Format::Yaml, TWO_SOURCES);
        assert!(document.is_valid(), "{:#?}", document.diagnostics);
        let declaration = document.pipeline.unwrap();
        let changed = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(b, c)| (b.to_string(), c.to_string())).collect()
        };
        let found = source_revisions(&declaration, "app", &changed(&[("main", "c1")]));
        assert_eq!(found, changed(&[("App", "c1")]));
        let found = source_revisions(&declaration, "app", &changed(&[("main", "c1"), ("release", "c2")]));
        assert_eq!(found, changed(&[("App", "c1"), ("Release", "c2")]));
        assert!(source_revisions(&declaration, "app", &changed(&[("dev", "c3")])).is_empty());
        assert!(source_revisions(&declaration, "other", &changed(&[("main", "c3")])).is_empty());
        assert_eq!(source_revisions(&declaration, "lib", &changed(&[("main", "c4")])), changed(&[("Lib", "c4")]));
    }
}
