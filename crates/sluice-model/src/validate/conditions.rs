//! Stage conditions (`beforeEntry`, `onSuccess`, `onFailure`) and the
//! results they may ask for.

use super::check_count;
use super::names::{ENTITY, check_name};
use crate::declaration::{Condition, ConditionResult, ExecutionMode, PipelineDeclaration};
use crate::diagnostic::Diagnostic;
use crate::path::Path;
use std::collections::HashSet;

pub fn check(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    for (s, stage) in pipeline.stages.iter().enumerate() {
        let stage_path = Path::root().key("stages").index(s);
        let mut results: Vec<(Path, ConditionResult)> = Vec::new();
        if let Some(on_failure) = &stage.on_failure {
            let path = stage_path.key("onFailure");
            if let Some(result) = on_failure.result {
                results.push((path.key("result"), result));
                if result == ConditionResult::Skip {
                    out.push(
                        Diagnostic::error("invalid-result", path.key("result"), "SKIP is not a result for `onFailure`")
                            .hint("use ROLLBACK, FAIL or RETRY"),
                    );
                }
            }
            if on_failure.retry_configuration.is_some() && on_failure.result != Some(ConditionResult::Retry) {
                out.push(
                    Diagnostic::error(
                        "field-not-allowed",
                        path.key("retryConfiguration"),
                        "`retryConfiguration` is for `result: RETRY` only",
                    )
                    .hint("set `result` to `RETRY`, or remove `retryConfiguration`"),
                );
            }
            if let Some(conditions) = &on_failure.conditions {
                check_conditions(out, &path, conditions, &mut results);
            }
        }
        if let Some(on_success) = &stage.on_success {
            check_conditions(out, &stage_path.key("onSuccess"), &on_success.conditions, &mut results);
        }
        if let Some(before_entry) = &stage.before_entry {
            check_conditions(out, &stage_path.key("beforeEntry"), &before_entry.conditions, &mut results);
        }
        for (path, _) in results.into_iter().filter(|(_, r)| *r == ConditionResult::Rollback) {
            if s == 0 {
                out.push(
                    Diagnostic::error("rollback-not-allowed", path.clone(), "the source stage cannot roll back")
                        .hint("rollback re-runs a later stage with an earlier execution's sources"),
                );
            }
            if pipeline.mode() == ExecutionMode::Parallel {
                out.push(
                    Diagnostic::error("rollback-not-allowed", path, "a PARALLEL pipeline cannot roll back a stage")
                        .hint("use QUEUED or SUPERSEDED mode, or another result"),
                );
            }
        }
    }
}

fn check_conditions(
    out: &mut Vec<Diagnostic>,
    path: &Path,
    conditions: &[Condition],
    results: &mut Vec<(Path, ConditionResult)>,
) {
    let path = path.key("conditions");
    check_count(out, path.clone(), "conditions", conditions.len(), 1, 1);
    for (c, condition) in conditions.iter().enumerate() {
        let path = path.index(c);
        if let Some(result) = condition.result {
            results.push((path.key("result"), result));
        }
        check_count(out, path.key("rules"), "rules", condition.rules.len(), 1, 5);
        let mut names = HashSet::new();
        for (r, rule) in condition.rules.iter().enumerate() {
            let rule_path = path.key("rules").index(r);
            check_name(out, rule_path.key("name"), &rule.name, &ENTITY);
            if !names.insert(rule.name.as_str()) {
                out.push(Diagnostic::error(
                    "duplicate",
                    rule_path.key("name"),
                    format!("the rule name `{}` is used twice", rule.name),
                ));
            }
        }
        if !condition.rules.is_empty() {
            out.push(
                Diagnostic::warning(
                    "rules-not-evaluated",
                    path.key("rules"),
                    "condition rules are accepted but not evaluated by sluice yet",
                )
                .hint("the stage behaves as if the condition were met"),
            );
        }
    }
}
