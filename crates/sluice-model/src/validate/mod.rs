//! Checks that a decoded pipeline is one sluice can run, reporting every
//! problem at once.
//!
//! Each file checks one family of rules. Checks that relate parts of the
//! pipeline to each other (artifacts, variables, triggers) run only on a
//! lossless decode: after a dropped action they would report its
//! consequences rather than real problems.

mod actions;
mod artifacts;
mod conditions;
mod limits;
mod names;
mod references;
mod structure;
mod triggers;

use crate::declaration::{ActionDeclaration, PipelineDeclaration};
use crate::diagnostic::Diagnostic;
use crate::path::Path;

/// Validates a decoded pipeline. `lossy` says whether decoding dropped or
/// replaced values (see [`crate::decode::Context::lossy`]).
pub fn validate(pipeline: &PipelineDeclaration, lossy: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    names::check(pipeline, &mut out);
    limits::check(pipeline, &mut out);
    structure::check(pipeline, &mut out);
    actions::check(pipeline, lossy, &mut out);
    conditions::check(pipeline, &mut out);
    if !lossy {
        limits::check_counts(pipeline, &mut out);
        artifacts::check(pipeline, &mut out);
        references::check(pipeline, &mut out);
        triggers::check(pipeline, &mut out);
    }
    out
}

/// An action together with where it is.
pub(crate) struct Located<'p> {
    pub stage: usize,
    pub index: usize,
    pub stage_name: &'p str,
    pub action: &'p ActionDeclaration,
}

impl Located<'_> {
    pub fn path(&self) -> Path {
        action_path(self.stage, self.index)
    }

    /// Whether this action finishes before `other` starts, in every execution.
    pub fn precedes(&self, other: &Located<'_>) -> bool {
        self.stage < other.stage || (self.stage == other.stage && self.action.run_order() < other.action.run_order())
    }
}

pub(crate) fn action_path(stage: usize, action: usize) -> Path {
    Path::root().key("stages").index(stage).key("actions").index(action)
}

pub(crate) fn all_actions(pipeline: &PipelineDeclaration) -> Vec<Located<'_>> {
    pipeline
        .stages
        .iter()
        .enumerate()
        .flat_map(|(s, stage)| {
            stage.actions.iter().enumerate().map(move |(a, action)| Located {
                stage: s,
                index: a,
                stage_name: &stage.name,
                action,
            })
        })
        .collect()
}

/// "a Build action", "an Approval action".
pub(crate) fn with_article(word: &str) -> String {
    let vowel = word.chars().next().is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {word}", if vowel { "an" } else { "a" })
}

/// Reports a list or text whose length is outside `min..=max`.
pub(crate) fn check_count(out: &mut Vec<Diagnostic>, path: Path, what: &str, count: usize, min: usize, max: usize) {
    if count < min || count > max {
        let expected = if min == max {
            format!("exactly {min} required")
        } else if count < min {
            format!("at least {min} required")
        } else {
            format!("at most {max} allowed")
        };
        out.push(Diagnostic::error("count", path, format!("{what}: {count} given, {expected}")));
    }
}
