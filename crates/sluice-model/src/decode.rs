//! Turning a [`Node`] tree into typed declarations, collecting every problem
//! instead of stopping at the first.
//!
//! Each declaration type implements [`Decode`] by opening its object with
//! [`Fields`], asking for each field by its AWS name, and finishing, which
//! reports the keys nobody asked for (with a did-you-mean).

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::path::Path;
use crate::source::{Key, Node, Value};
use std::collections::BTreeMap;

/// Problems found while decoding, and whether any of them lost data.
#[derive(Default)]
pub struct Context {
    pub diagnostics: Vec<Diagnostic>,
    /// True when a value was dropped or replaced (a missing required field,
    /// a wrong type). Checks that relate parts of the pipeline to each other
    /// are skipped then, because they would report consequences of the loss
    /// rather than real problems.
    pub lossy: bool,
}

impl Context {
    /// Records a problem that dropped a value.
    pub fn lost(&mut self, diagnostic: Diagnostic) {
        self.lossy = true;
        self.diagnostics.push(diagnostic);
    }

    fn wrong_type(&mut self, node: &Node, path: &Path, expected: &str) {
        self.lost(
            Diagnostic::error("wrong-type", path.clone(), format!("expected {expected}, found {}", node.kind()))
                .at(node.pos),
        );
    }
}

pub trait Decode: Sized {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self>;
}

impl Decode for String {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(_) | Value::Bool(_) => {
                let text = text_of(node);
                cx.wrong_type(node, path, "a string");
                cx.diagnostics.last_mut().expect("just pushed").hint = Some(format!("write \"{text}\" in quotes"));
                None
            }
            _ => {
                cx.wrong_type(node, path, "a string");
                None
            }
        }
    }
}

fn text_of(node: &Node) -> String {
    match &node.value {
        Value::Number(text) | Value::String(text) => text.clone(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Integers: JSON or YAML numbers without a fraction.
impl Decode for i64 {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        match &node.value {
            Value::Number(text) => match text.trim_start_matches('+').parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    cx.lost(
                        Diagnostic::error(
                            "wrong-type",
                            path.clone(),
                            format!("expected a whole number, found `{text}`"),
                        )
                        .at(node.pos),
                    );
                    None
                }
            },
            Value::String(text) if text.parse::<i64>().is_ok() => {
                cx.wrong_type(node, path, "a number");
                cx.diagnostics.last_mut().expect("just pushed").hint = Some(format!("write {text} without quotes"));
                None
            }
            _ => {
                cx.wrong_type(node, path, "a number");
                None
            }
        }
    }
}

impl Decode for bool {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                cx.wrong_type(node, path, "true or false");
                None
            }
        }
    }
}

/// Lists: items that fail to decode are dropped (and reported).
impl<T: Decode> Decode for Vec<T> {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        match &node.value {
            Value::Array(items) => {
                Some(items.iter().enumerate().filter_map(|(i, item)| T::decode(item, &path.index(i), cx)).collect())
            }
            _ => {
                cx.wrong_type(node, path, "a list");
                None
            }
        }
    }
}

/// String-to-string maps, such as an action's `configuration`. Booleans and
/// numbers are accepted and kept as their text, since YAML authors write
/// `PollForSourceChanges: false` and mean the string the API expects.
impl Decode for BTreeMap<String, String> {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let Value::Object(members) = &node.value else {
            cx.wrong_type(node, path, "an object of names to strings");
            return None;
        };
        let mut map = BTreeMap::new();
        for (key, value) in members {
            let text = match &value.value {
                Value::String(s) | Value::Number(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                _ => {
                    cx.wrong_type(value, &path.key(&key.name), "a string");
                    continue;
                }
            };
            map.insert(key.name.clone(), text);
        }
        Some(map)
    }
}

/// Reads the fields of one object.
pub struct Fields<'n> {
    node: &'n Node,
    members: &'n [(Key, Node)],
    path: Path,
    asked: Vec<&'static str>,
}

impl<'n> Fields<'n> {
    /// Opens `node` as an object, or reports that it is not one.
    pub fn open(node: &'n Node, path: &Path, cx: &mut Context) -> Option<Self> {
        match &node.value {
            Value::Object(members) => Some(Fields { node, members, path: path.clone(), asked: Vec::new() }),
            _ => {
                cx.wrong_type(node, path, "an object");
                None
            }
        }
    }

    fn find(&mut self, key: &'static str) -> Option<&'n Node> {
        self.asked.push(key);
        self.members.iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
    }

    /// A field that must be present. Reports and returns `None` when it is
    /// missing or malformed.
    pub fn required<T: Decode>(&mut self, cx: &mut Context, key: &'static str) -> Option<T> {
        match self.find(key) {
            Some(node) if node.value != Value::Null => T::decode(node, &self.path.key(key), cx),
            _ => {
                cx.lost(
                    Diagnostic::error("missing-field", self.path.key(key), format!("missing required field `{key}`"))
                        .at(self.node.pos),
                );
                None
            }
        }
    }

    /// A field that may be absent (or `null`).
    pub fn optional<T: Decode>(&mut self, cx: &mut Context, key: &'static str) -> Option<T> {
        match self.find(key) {
            Some(node) if node.value != Value::Null => T::decode(node, &self.path.key(key), cx),
            _ => None,
        }
    }

    /// A list field that may be absent: absent is the empty list.
    pub fn list<T: Decode>(&mut self, cx: &mut Context, key: &'static str) -> Vec<T> {
        self.optional(cx, key).unwrap_or_default()
    }

    /// Reports every key that was never asked for.
    pub fn finish(self, cx: &mut Context) {
        for (key, _) in self.members {
            if self.asked.contains(&key.name.as_str()) {
                continue;
            }
            let mut diagnostic =
                Diagnostic::error("unknown-key", self.path.key(&key.name), format!("unknown key `{}`", key.name))
                    .at(key.pos);
            diagnostic.hint = Some(match did_you_mean(&key.name, self.asked.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("expected one of: {}", self.asked.join(", ")),
            });
            cx.diagnostics.push(diagnostic);
        }
    }
}

/// Declares an enum whose values are spelled exactly as on the wire, with
/// serde, `Display`, `FromStr`-like lookup and a [`Decode`] that suggests
/// the closest value on a typo.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::decode::Decode for $name {
            fn decode(node: &$crate::source::Node, path: &$crate::path::Path, cx: &mut $crate::decode::Context) -> Option<Self> {
                let text = <String as $crate::decode::Decode>::decode(node, path, cx)?;
                if let Some(value) = Self::parse(&text) {
                    return Some(value);
                }
                let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                let hint = match $crate::diagnostic::did_you_mean(&text, names.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("expected one of: {}", names.join(", ")),
                };
                cx.lost(
                    $crate::diagnostic::Diagnostic::error("unknown-value", path.clone(), format!("`{text}` is not a valid {}", stringify!($name)))
                        .at(node.pos)
                        .hint(hint),
                );
                None
            }
        }
    };
}
pub(crate) use wire_enum;
