//! The shape of the pipeline: where source actions go, what must be unique,
//! and which features need a V2 pipeline.

use super::all_actions;
use crate::declaration::{ActionCategory, ExecutionMode, PipelineDeclaration, PipelineType};
use crate::diagnostic::Diagnostic;
use crate::path::Path;
use std::collections::HashMap;

/// Reports every name that appears a second time, pointing at the repeat.
fn check_unique<'a>(
    out: &mut Vec<Diagnostic>,
    what: &str,
    place: &str,
    items: impl IntoIterator<Item = (&'a str, Path)>,
) {
    let mut first: HashMap<&str, Path> = HashMap::new();
    for (name, path) in items {
        match first.get(name) {
            Some(earlier) => out.push(
                Diagnostic::error("duplicate", path, format!("{what} `{name}` is used twice{place}"))
                    .hint(format!("first used at {earlier}")),
            ),
            None => {
                first.insert(name, path);
            }
        }
    }
}

pub fn check(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    let root = Path::root();
    let actions = all_actions(pipeline);

    // Source actions live in the first stage, and only they do.
    for located in &actions {
        let is_source = located.action.action_type_id.category == ActionCategory::Source;
        let category_path = located.path().key("actionTypeId").key("category");
        if located.stage == 0 && !is_source {
            out.push(
                Diagnostic::error(
                    "first-stage-not-source",
                    category_path,
                    format!(
                        "the first stage `{}` may hold only Source actions, and `{}` is {} action",
                        located.stage_name,
                        located.action.name,
                        super::with_article(located.action.action_type_id.category.as_str())
                    ),
                )
                .hint("move it to a later stage"),
            );
        } else if located.stage > 0 && is_source {
            out.push(
                Diagnostic::error(
                    "source-not-first",
                    category_path,
                    format!(
                        "the Source action `{}` is in stage `{}`: Source actions belong in the first stage only",
                        located.action.name, located.stage_name
                    ),
                )
                .hint(format!("move it to the first stage `{}`", pipeline.stages[0].name)),
            );
        }
    }

    check_unique(
        out,
        "the stage name",
        "",
        pipeline
            .stages
            .iter()
            .enumerate()
            .map(|(s, stage)| (stage.name.as_str(), root.key("stages").index(s).key("name"))),
    );
    for (s, stage) in pipeline.stages.iter().enumerate() {
        check_unique(
            out,
            "the action name",
            &format!(" in stage `{}`", stage.name),
            stage
                .actions
                .iter()
                .enumerate()
                .map(|(a, action)| (action.name.as_str(), super::action_path(s, a).key("name"))),
        );
    }
    check_unique(
        out,
        "the output artifact name",
        "",
        actions.iter().flat_map(|l| {
            l.action.output_artifacts.iter().enumerate().map(move |(i, artifact)| {
                (artifact.name.as_str(), l.path().key("outputArtifacts").index(i).key("name"))
            })
        }),
    );
    check_unique(
        out,
        "the namespace",
        "",
        actions.iter().filter_map(|l| l.action.namespace.as_deref().map(|ns| (ns, l.path().key("namespace")))),
    );
    check_unique(
        out,
        "the pipeline variable",
        "",
        pipeline
            .variables
            .iter()
            .enumerate()
            .map(|(i, v)| (v.name.as_str(), root.key("variables").index(i).key("name"))),
    );

    if pipeline.artifact_store.is_some() && pipeline.artifact_stores.is_some() {
        out.push(
            Diagnostic::error(
                "artifact-store-conflict",
                root.key("artifactStores"),
                "both `artifactStore` and `artifactStores` are set",
            )
            .hint("use `artifactStore` for a single-region pipeline, `artifactStores` for several regions"),
        );
    }

    if pipeline.pipeline_type == Some(PipelineType::V1) {
        check_v1(pipeline, out);
    }
}

/// Features that exist only in V2 pipelines.
fn check_v1(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    let root = Path::root();
    let mut refuse = |path: Path, feature: &str| {
        out.push(
            Diagnostic::error("v2-only", path, format!("{feature}: only in V2 pipelines, and this one is V1"))
                .hint("set `pipelineType` to `V2`"),
        );
    };
    if !pipeline.variables.is_empty() {
        refuse(root.key("variables"), "pipeline variables");
    }
    if !pipeline.triggers.is_empty() {
        refuse(root.key("triggers"), "triggers");
    }
    if let Some(mode) = pipeline.execution_mode.filter(|m| *m != ExecutionMode::Superseded) {
        refuse(root.key("executionMode"), &format!("execution mode {mode}"));
    }
    for located in all_actions(pipeline) {
        if located.action.action_type_id.provider == "Commands"
            && located.action.action_type_id.category == ActionCategory::Compute
        {
            refuse(located.path().key("actionTypeId"), "the Commands action");
        }
    }
}
