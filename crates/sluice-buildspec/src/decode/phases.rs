//! `phases`: install, pre_build, build, post_build, always run in that order
//! whatever order the file lists them in.

use crate::model::{OnFailure, Phase, PhaseName};
use crate::read::{Diags, Obj, error, pairs, scalar, scalars};
use sluice_model::Path;
use sluice_model::source::{Node, Value};

const PHASE_KEYS: &[&str] = &["install", "pre_build", "build", "post_build"];
const KEYS: &[&str] = &["run-as", "on-failure", "runtime-versions", "commands", "finally"];

pub(super) fn phases(node: &Node, path: &Path, diags: &mut Diags) -> Option<Vec<Phase>> {
    let mut obj = Obj::open(node, path, diags)?;
    let mut phases = Vec::new();
    let mut complete = true;
    for name in PhaseName::ALL {
        if let Some((node, path)) = obj.take(name.key()) {
            match phase(name, node, &path, diags) {
                Some(phase) => phases.push(phase),
                None => complete = false,
            }
        }
    }
    obj.finish(PHASE_KEYS, diags);
    // Unknown keys alone were reported already, with a did-you-mean.
    let no_keys = match &node.value {
        Value::Object(members) => members.is_empty(),
        _ => true,
    };
    if phases.is_empty() && complete && no_keys {
        error(diags, "missing-key", path, node, "`phases` has no phase: add `build` with its `commands`");
    }
    complete.then_some(phases)
}

fn phase(name: PhaseName, node: &Node, path: &Path, diags: &mut Diags) -> Option<Phase> {
    let mut obj = Obj::open(node, path, diags)?;
    let run_as = obj.take("run-as").and_then(|(node, path)| super::user(node, &path, diags));
    let on_failure = obj.take("on-failure").and_then(|(node, path)| on_failure(node, &path, diags));
    let mut runtime_versions = Vec::new();
    if let Some((node, path)) = obj.take("runtime-versions") {
        if name == PhaseName::Install {
            runtime_versions = pairs(node, &path, diags).into_iter().map(|p| (p.key.name.clone(), p.value)).collect();
        } else {
            error(diags, "misplaced-key", &path, node, "`runtime-versions` belongs to the `install` phase only");
        }
    }
    let commands = match obj.take("commands") {
        Some((node, path)) => scalars(node, &path, false, diags),
        None if name == PhaseName::Install => Vec::new(),
        None => {
            error(diags, "missing-key", path, node, format!("phase `{}` needs `commands`", name.key()));
            Vec::new()
        }
    };
    let finally = obj.take("finally").map(|(node, path)| scalars(node, &path, false, diags)).unwrap_or_default();
    obj.finish(KEYS, diags);
    Some(Phase { name, run_as, on_failure, runtime_versions, commands, finally })
}

fn on_failure(node: &Node, path: &Path, diags: &mut Diags) -> Option<OnFailure> {
    match scalar(node, path, diags)?.as_str() {
        "ABORT" => Some(OnFailure::Abort),
        "CONTINUE" => Some(OnFailure::Continue),
        other => {
            let hint = match other.to_ascii_uppercase().as_str() {
                "ABORT" | "CONTINUE" => format!(" (write it in capitals: `{}`)", other.to_ascii_uppercase()),
                _ => String::new(),
            };
            error(diags, "bad-value", path, node, format!("`on-failure` is ABORT or CONTINUE, not `{other}`{hint}"));
            None
        }
    }
}
