//! The buildspec's top level: `version`, `run-as`, the sections each read by
//! their own file, and the keys sluice refuses or only warns about.

mod env;
mod outputs;
mod phases;

use crate::model::{Buildspec, Env, Version};
use crate::read::{Diags, Obj, error, scalar, scalars, warning};
use sluice_model::Path;
use sluice_model::source::{Node, Value};

const KEYS: &[&str] = &["version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts", "cache"];

pub(crate) fn buildspec(root: &Node, diags: &mut Diags) -> Option<Buildspec> {
    let top = Path::root();
    let mut obj = Obj::open(root, &top, diags)?;

    let version = match obj.take("version") {
        Some((node, path)) => version(node, &path, diags),
        None => {
            diags.push(
                sluice_model::Diagnostic::error("missing-key", top.clone(), "the buildspec has no `version`")
                    .at(root.pos)
                    .hint("start the file with `version: 0.2`"),
            );
            None
        }
    };
    let run_as = obj.take("run-as").and_then(|(node, path)| user(node, &path, diags));
    let env = obj.take("env").map(|(node, path)| env::env(node, &path, diags)).unwrap_or_else(|| Some(Env::default()));
    if let Some((node, path)) = obj.take("proxy") {
        proxy(node, &path, diags);
    }
    if let Some((node, path)) = obj.take("batch") {
        error(diags, "unsupported", &path, node, "batch builds are not supported by sluice: remove `batch`");
    }
    let phases = match obj.take("phases") {
        Some((node, path)) => phases::phases(node, &path, diags),
        None => {
            diags.push(
                sluice_model::Diagnostic::error("missing-key", top.clone(), "the buildspec has no `phases`")
                    .at(root.pos),
            );
            None
        }
    };
    let reports = obj.take("reports").map(|(node, path)| outputs::reports(node, &path, diags)).unwrap_or_default();
    let artifacts = match obj.take("artifacts") {
        Some((node, path)) => Some(outputs::artifacts(node, &path, true, diags)?),
        None => None,
    };
    let cache_paths = obj.take("cache").map(|(node, path)| cache(node, &path, diags)).unwrap_or_default();
    obj.finish(KEYS, diags);

    Some(Buildspec { version: version?, run_as, env: env?, phases: phases?, reports, artifacts, cache_paths })
}

fn version(node: &Node, path: &Path, diags: &mut Diags) -> Option<Version> {
    let text = match &node.value {
        Value::Number(text) | Value::String(text) => text.as_str(),
        _ => {
            error(diags, "wrong-type", path, node, format!("expected 0.2, found {}", node.kind()));
            return None;
        }
    };
    match text {
        "0.2" => Some(Version::V0_2),
        "0.1" => {
            warning(
                diags,
                "old-version",
                path,
                node,
                "buildspec version 0.1 runs every command in a shell of its own (`cd` and variables do not carry over); use 0.2",
            );
            Some(Version::V0_1)
        }
        other => {
            error(diags, "bad-version", path, node, format!("unsupported buildspec version `{other}`: use 0.2"));
            None
        }
    }
}

/// A Linux user name for `run-as`; whether it exists is checked when the
/// build runs, on the machine that runs it.
pub(super) fn user(node: &Node, path: &Path, diags: &mut Diags) -> Option<String> {
    let name = scalar(node, path, diags)?;
    let valid = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        && !name.starts_with('-');
    if !valid {
        error(diags, "bad-value", path, node, format!("`{name}` is not a Linux user name"));
        return None;
    }
    Some(name)
}

fn proxy(node: &Node, path: &Path, diags: &mut Diags) {
    let Some(mut obj) = Obj::open(node, path, diags) else { return };
    for key in ["upload-artifacts", "logs"] {
        if let Some((node, path)) = obj.take(key) {
            crate::read::yes_no(node, &path, diags);
        }
    }
    obj.finish(&["upload-artifacts", "logs"], diags);
    warning(diags, "no-effect", path, node, "`proxy` has no effect: sluice builds use the machine's network as it is");
}

fn cache(node: &Node, path: &Path, diags: &mut Diags) -> Vec<String> {
    let Some(mut obj) = Obj::open(node, path, diags) else { return Vec::new() };
    let paths = match obj.take("paths") {
        Some((node, path)) => scalars(node, &path, false, diags),
        None => {
            error(diags, "missing-key", path, node, "`cache` needs `paths`");
            Vec::new()
        }
    };
    obj.finish(&["paths"], diags);
    paths
}
