//! Small readers over the position-keeping YAML tree: objects whose unread
//! keys become errors (with a did-you-mean), scalars, lists and yes/no.

use sluice_model::diagnostic::did_you_mean;
use sluice_model::source::{Key, Node, Value};
use sluice_model::{Diagnostic, Path};

pub(crate) type Diags = Vec<Diagnostic>;

pub(crate) fn error(diags: &mut Diags, code: &'static str, path: &Path, node: &Node, message: impl Into<String>) {
    diags.push(Diagnostic::error(code, path.clone(), message).at(node.pos));
}

pub(crate) fn warning(diags: &mut Diags, code: &'static str, path: &Path, node: &Node, message: impl Into<String>) {
    diags.push(Diagnostic::warning(code, path.clone(), message).at(node.pos));
}

fn wrong_type(diags: &mut Diags, path: &Path, node: &Node, expected: &str) {
    error(diags, "wrong-type", path, node, format!("expected {expected}, found {}", node.kind()));
}

/// An object being read: each key asked for is marked, and [`Obj::finish`]
/// reports the others.
pub(crate) struct Obj<'n> {
    pub(crate) path: Path,
    members: &'n [(Key, Node)],
    used: Vec<bool>,
}

impl<'n> Obj<'n> {
    /// `null` (a key with nothing under it) reads as an empty object.
    pub(crate) fn open(node: &'n Node, path: &Path, diags: &mut Diags) -> Option<Self> {
        let members: &'n [(Key, Node)] = match &node.value {
            Value::Object(members) => members,
            Value::Null => &[],
            _ => {
                wrong_type(diags, path, node, "a mapping");
                return None;
            }
        };
        Some(Obj { path: path.clone(), members, used: vec![false; members.len()] })
    }

    /// The value under `key`, and its path.
    pub(crate) fn take(&mut self, key: &str) -> Option<(&'n Node, Path)> {
        let index = self.members.iter().position(|(k, _)| k.name == key)?;
        self.used[index] = true;
        Some((&self.members[index].1, self.path.key(key)))
    }

    /// The members not read yet, in file order, all marked read.
    pub(crate) fn rest(&mut self) -> Vec<(&'n Key, &'n Node, Path)> {
        let mut out = Vec::new();
        for (index, (key, node)) in self.members.iter().enumerate() {
            if !self.used[index] {
                self.used[index] = true;
                out.push((key, node, self.path.key(&key.name)));
            }
        }
        out
    }

    /// Every key nobody read is an error, with the closest known key.
    pub(crate) fn finish(self, known: &[&str], diags: &mut Diags) {
        for (index, (key, _)) in self.members.iter().enumerate() {
            if self.used[index] {
                continue;
            }
            let mut diagnostic =
                Diagnostic::error("unknown-key", self.path.key(&key.name), format!("unknown key `{}`", key.name))
                    .at(key.pos);
            if let Some(close) = did_you_mean(&key.name, known.iter().copied()) {
                diagnostic = diagnostic.hint(format!("did you mean `{close}`?"));
            } else {
                diagnostic = diagnostic.hint(format!("known keys here: {}", known.join(", ")));
            }
            diags.push(diagnostic);
        }
    }
}

/// A scalar as text: YAML numbers and booleans keep their source spelling
/// (`PORT: 8080` is the string `8080`).
pub(crate) fn scalar(node: &Node, path: &Path, diags: &mut Diags) -> Option<String> {
    match &node.value {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => {
            wrong_type(diags, path, node, "a string");
            None
        }
    }
}

/// A list of scalars. With `single`, one scalar is read as a list of one.
pub(crate) fn scalars(node: &Node, path: &Path, single: bool, diags: &mut Diags) -> Vec<String> {
    match &node.value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let path = path.index(i);
                if let Value::Object(members) = &item.value {
                    // `- echo a: b` is a mapping to YAML, not a command.
                    let hint = members.first().map(|(k, _)| k.name.clone()).unwrap_or_default();
                    diags.push(
                        Diagnostic::error("wrong-type", path, "expected a string, found a mapping")
                            .at(item.pos)
                            .hint(format!("an item that contains `: ` must be quoted: \"{hint}: ...\"")),
                    );
                    return None;
                }
                scalar(item, &path, diags)
            })
            .collect(),
        Value::String(_) | Value::Number(_) | Value::Bool(_) if single => {
            scalar(node, path, diags).into_iter().collect()
        }
        _ => {
            wrong_type(diags, path, node, "a list");
            Vec::new()
        }
    }
}

/// `yes`/`no`, `true`/`false`, in any case.
pub(crate) fn yes_no(node: &Node, path: &Path, diags: &mut Diags) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "yes" | "true" => Some(true),
            "no" | "false" => Some(false),
            _ => {
                error(diags, "bad-value", path, node, format!("expected yes or no, found `{s}`"));
                None
            }
        },
        _ => {
            wrong_type(diags, path, node, "yes or no");
            None
        }
    }
}

/// One `name: value` of a mapping of scalars.
pub(crate) struct Pair<'n> {
    pub(crate) key: &'n Key,
    pub(crate) value: String,
    pub(crate) path: Path,
    pub(crate) node: &'n Node,
}

/// A mapping of names to scalars, in file order.
pub(crate) fn pairs<'n>(node: &'n Node, path: &Path, diags: &mut Diags) -> Vec<Pair<'n>> {
    let Some(mut obj) = Obj::open(node, path, diags) else { return Vec::new() };
    obj.rest()
        .into_iter()
        .filter_map(|(key, node, path)| {
            let value = scalar(node, &path, diags)?;
            Some(Pair { key, value, path, node })
        })
        .collect()
}
