//! `env`: the shell, variables (plain, from sluice secrets), the variables
//! exported to the pipeline.

use crate::model::{Env, SecretRef, Shell};
use crate::read::{Diags, Obj, Pair, error, pairs, scalar, scalars, warning, yes_no};
use sluice_model::Path;
use sluice_model::source::Node;

const KEYS: &[&str] =
    &["shell", "variables", "parameter-store", "secrets-manager", "exported-variables", "git-credential-helper"];

pub(super) fn env(node: &Node, path: &Path, diags: &mut Diags) -> Option<Env> {
    let mut obj = Obj::open(node, path, diags)?;
    let mut env = Env::default();
    if let Some((node, path)) = obj.take("shell") {
        env.shell = shell(node, &path, diags).unwrap_or_default();
    }
    if let Some((node, path)) = obj.take("variables") {
        env.variables =
            named(pairs(node, &path, diags), diags).into_iter().map(|p| (p.key.name.clone(), p.value)).collect();
    }
    if let Some((node, path)) = obj.take("parameter-store") {
        env.parameter_store = named(pairs(node, &path, diags), diags)
            .into_iter()
            .filter_map(|p| {
                let name = p.value.trim_start_matches('/').to_owned();
                if name.is_empty() {
                    error(diags, "bad-value", &p.path, p.node, "the parameter name is empty");
                    return None;
                }
                Some((p.key.name.clone(), p.value))
            })
            .collect();
    }
    if let Some((node, path)) = obj.take("secrets-manager") {
        env.secrets_manager = named(pairs(node, &path, diags), diags)
            .into_iter()
            .filter_map(|p| Some((p.key.name.clone(), secret(&p.value, &p.path, p.node, diags)?)))
            .collect();
    }
    if let Some((node, path)) = obj.take("exported-variables") {
        for (i, name) in scalars(node, &path, false, diags).into_iter().enumerate() {
            let item = node.index(i).unwrap_or(node);
            let path = path.index(i);
            if !is_identifier(&name) {
                error(diags, "bad-name", &path, item, format!("`{name}` is not a valid variable name"));
            } else if name.starts_with("AWS_") {
                error(
                    diags,
                    "bad-name",
                    &path,
                    item,
                    format!("`{name}`: variables starting with AWS_ cannot be exported"),
                );
            } else {
                env.exported_variables.push(name);
            }
        }
    }
    if let Some((node, path)) = obj.take("git-credential-helper")
        && yes_no(node, &path, diags) == Some(true)
    {
        warning(
            diags,
            "no-effect",
            &path,
            node,
            "sluice has no git credential helper: git uses the machine's own settings",
        );
    }
    obj.finish(KEYS, diags);
    Some(env)
}

fn shell(node: &Node, path: &Path, diags: &mut Diags) -> Option<Shell> {
    match scalar(node, path, diags)?.as_str() {
        "bash" | "/bin/bash" => Some(Shell::Bash),
        "sh" | "/bin/sh" => {
            warning(diags, "no-effect", path, node, "sluice runs the commands with bash (in POSIX mode for `sh`)");
            Some(Shell::Sh)
        }
        other => {
            error(diags, "bad-value", path, node, format!("shell `{other}` is not supported: use bash or /bin/sh"));
            None
        }
    }
}

/// Keeps the pairs whose names can be environment variables of a shell.
fn named<'n>(pairs: Vec<Pair<'n>>, diags: &mut Diags) -> Vec<Pair<'n>> {
    pairs
        .into_iter()
        .filter(|p| {
            let name = &p.key.name;
            if !is_identifier(name) {
                error(diags, "bad-name", &p.path, p.node, format!("`{name}` is not a valid environment variable name"));
                false
            } else if name.starts_with("CODEBUILD_") {
                error(diags, "bad-name", &p.path, p.node, format!("`{name}`: the CODEBUILD_ prefix is reserved"));
                false
            } else {
                true
            }
        })
        .collect()
}

/// `secret-id[:json-key]`. Version stages and ids (the third and fourth
/// fields) and ARNs are refused: sluice secrets have one version and a name.
fn secret(value: &str, path: &Path, node: &Node, diags: &mut Diags) -> Option<SecretRef> {
    if value.starts_with("arn:") {
        error(diags, "unsupported", path, node, "secret ARNs are not supported: name a sluice secret");
        return None;
    }
    let parts: Vec<&str> = value.split(':').collect();
    if parts.len() > 4 {
        error(diags, "bad-value", path, node, format!("`{value}` has too many `:`-separated fields (at most 4)"));
        return None;
    }
    if parts.iter().skip(2).any(|p| !p.is_empty()) {
        error(
            diags,
            "unsupported",
            path,
            node,
            format!("`{value}`: version stages and version ids are not supported; use `name` or `name:json-key`"),
        );
        return None;
    }
    let name = parts[0];
    if name.is_empty() {
        error(diags, "bad-value", path, node, "the secret name is empty");
        return None;
    }
    let json_key = parts.get(1).filter(|k| !k.is_empty()).map(|k| (*k).to_owned());
    Some(SecretRef { name: name.to_owned(), json_key })
}

pub(crate) fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
