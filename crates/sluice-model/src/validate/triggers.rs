//! V2 triggers: each names a source action that can be triggered, with
//! filters AWS would accept.

use super::check_count;
use crate::declaration::{ActionCategory, FilterCriteria, PipelineDeclaration};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::path::Path;
use crate::providers;
use std::collections::HashSet;

pub fn check(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    let sources: Vec<_> = pipeline
        .stages
        .first()
        .map(|stage| stage.actions.iter().filter(|a| a.action_type_id.category == ActionCategory::Source).collect())
        .unwrap_or_default();
    let mut triggered = HashSet::new();
    for (t, trigger) in pipeline.triggers.iter().enumerate() {
        let path = Path::root().key("triggers").index(t).key("gitConfiguration");
        let git = &trigger.git_configuration;
        let name_path = path.key("sourceActionName");
        let named = pipeline.stages.iter().flat_map(|s| &s.actions).find(|a| a.name == git.source_action_name);
        match sources.iter().find(|a| a.name == git.source_action_name) {
            None if named.is_some() => out.push(
                Diagnostic::error(
                    "unknown-source-action",
                    name_path.clone(),
                    format!("`{}` is not a source action", git.source_action_name),
                )
                .hint("a trigger names a source action of the first stage"),
            ),
            None => {
                let hint = match did_you_mean(&git.source_action_name, sources.iter().map(|a| a.name.as_str())) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "name a source action of the first stage".to_string(),
                };
                out.push(
                    Diagnostic::error(
                        "unknown-source-action",
                        name_path.clone(),
                        format!("there is no source action `{}`", git.source_action_name),
                    )
                    .hint(hint),
                );
            }
            Some(action) if !providers::find(&action.action_type_id).is_some_and(|p| p.triggers) => out.push(
                Diagnostic::error(
                    "trigger-not-supported",
                    name_path.clone(),
                    format!(
                        "`{}` is a {} action, which triggers cannot filter",
                        action.name, action.action_type_id.provider
                    ),
                )
                .hint("triggers with filters work on CodeStarSourceConnection source actions"),
            ),
            Some(_) => {}
        }
        if !triggered.insert(git.source_action_name.as_str()) {
            out.push(Diagnostic::error(
                "duplicate",
                name_path,
                format!("a second trigger for the source action `{}`", git.source_action_name),
            ));
        }
        if git.push.is_none() && git.pull_request.is_none() {
            out.push(
                Diagnostic::error(
                    "empty-trigger",
                    path.clone(),
                    "the trigger has neither `push` nor `pullRequest` filters",
                )
                .hint("add a `push` or `pullRequest` filter"),
            );
        }
        if let Some(push) = &git.push {
            check_count(out, path.key("push"), "push filters", push.len(), 1, 3);
            for (i, filter) in push.iter().enumerate() {
                let path = path.key("push").index(i);
                match (&filter.branches, &filter.tags) {
                    (Some(_), Some(_)) => out.push(
                        Diagnostic::error(
                            "filter-conflict",
                            path.key("tags"),
                            "this push filter has both `branches` and `tags`",
                        )
                        .hint("split it into two push filters"),
                    ),
                    (None, None) => out.push(Diagnostic::error(
                        "missing-field",
                        path.clone(),
                        "a push filter needs `branches` or `tags`",
                    )),
                    _ => {}
                }
                if filter.file_paths.is_some() && filter.branches.is_none() {
                    out.push(Diagnostic::error(
                        "filter-conflict",
                        path.key("filePaths"),
                        "`filePaths` filters need `branches` in the same push filter",
                    ));
                }
                check_criteria(out, &path, "tags", filter.tags.as_ref());
                check_criteria(out, &path, "branches", filter.branches.as_ref());
                check_criteria(out, &path, "filePaths", filter.file_paths.as_ref());
            }
        }
        if let Some(pull_requests) = &git.pull_request {
            check_count(out, path.key("pullRequest"), "pull request filters", pull_requests.len(), 1, 3);
            for (i, filter) in pull_requests.iter().enumerate() {
                let path = path.key("pullRequest").index(i);
                if filter.branches.is_none() {
                    out.push(Diagnostic::error(
                        "missing-field",
                        path.key("branches"),
                        "a pull request filter needs `branches`",
                    ));
                }
                if let Some(events) = &filter.events {
                    check_count(out, path.key("events"), "events", events.len(), 1, 3);
                    let mut seen = HashSet::new();
                    for (e, event) in events.iter().enumerate() {
                        if !seen.insert(event) {
                            out.push(Diagnostic::error(
                                "duplicate",
                                path.key("events").index(e),
                                format!("the event {event} is listed twice"),
                            ));
                        }
                    }
                }
                check_criteria(out, &path, "branches", filter.branches.as_ref());
                check_criteria(out, &path, "filePaths", filter.file_paths.as_ref());
            }
        }
    }
}

fn check_criteria(out: &mut Vec<Diagnostic>, path: &Path, key: &str, criteria: Option<&FilterCriteria>) {
    let Some(criteria) = criteria else { return };
    let path = path.key(key);
    if criteria.includes.is_none() && criteria.excludes.is_none() {
        out.push(Diagnostic::error("missing-field", path.clone(), format!("`{key}` needs `includes` or `excludes`")));
    }
    for (list, name) in [(&criteria.includes, "includes"), (&criteria.excludes, "excludes")] {
        if let Some(patterns) = list {
            check_count(out, path.key(name), &format!("`{key}.{name}` patterns"), patterns.len(), 1, 8);
            for (i, pattern) in patterns.iter().enumerate() {
                if pattern.is_empty() || pattern.len() > 255 {
                    out.push(Diagnostic::error("length", path.key(name).index(i), "a pattern is 1 to 255 characters"));
                }
            }
        }
    }
}
