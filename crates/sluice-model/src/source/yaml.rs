//! A YAML reader that builds position-keeping [`Node`]s from yaml-rust2's
//! marked event stream.
//!
//! Scalars are typed with the YAML 1.2 core schema (so `on`/`yes` stay
//! strings, unlike YAML 1.1). Aliases are expanded, with a cap on the total
//! size so a "billion laughs" file is an error instead of an out-of-memory.

use super::node::{Key, Node, Pos, SyntaxError, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

const MAX_DEPTH: usize = 128;
/// The most nodes a document may expand to, counting alias copies.
const MAX_NODES: usize = 1_000_000;

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(err) = parser.load(&mut builder, true) {
        let mark = err.marker();
        return Err(SyntaxError { pos: pos(mark), message: explain(err.info()) });
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    match builder.documents.len() {
        0 if text.trim().is_empty() => {
            Err(SyntaxError { pos: Pos::new(1, 1), message: "the file is empty: expected a YAML mapping".into() })
        }
        0 => Err(SyntaxError { pos: Pos::new(1, 1), message: "no YAML document: the file holds only comments".into() }),
        1 => Ok(builder.documents.pop().expect("one document")),
        _ => Err(SyntaxError {
            pos: builder.second_document_at,
            message: "more than one YAML document in the file (`---`): put each pipeline in its own file".into(),
        }),
    }
}

/// The parser's message, with the cause spelled out for the common slips.
fn explain(info: &str) -> String {
    if info.contains("tabs disallowed") {
        "YAML indentation must use spaces, not tabs".to_string()
    } else if info.contains("mapping values are not allowed") {
        format!("{info} (a value that contains `: ` must be quoted)")
    } else if info.contains("did not find expected '-' indicator") || info.contains("did not find expected key") {
        format!("{info} (check the indentation of this line against the lines above)")
    } else {
        info.to_string()
    }
}

fn pos(mark: &Marker) -> Pos {
    Pos::new(mark.line() as u32, mark.col() as u32 + 1)
}

enum Open {
    Sequence { pos: Pos, anchor: usize, items: Vec<Node> },
    Mapping { pos: Pos, anchor: usize, members: Vec<(Key, Node)>, pending_key: Option<Key> },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: std::collections::HashMap<usize, Node>,
    documents: Vec<Node>,
    second_document_at: Pos,
    nodes: usize,
    error: Option<SyntaxError>,
}

impl Builder {
    fn fail(&mut self, pos: Pos, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(SyntaxError { pos, message: message.into() });
        }
    }

    /// Places a finished node into its parent (or as a document).
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.documents.len() == 1 {
                    self.second_document_at = node.pos;
                }
                self.documents.push(node);
            }
            Some(Open::Sequence { items, .. }) => items.push(node),
            Some(Open::Mapping { members, pending_key, .. }) => match pending_key.take() {
                None => {
                    let Value::String(name) = scalar_as_key(&node) else {
                        let at = node.pos;
                        self.fail(at, format!("a mapping key must be a plain string, found {}", node.kind()));
                        return;
                    };
                    if members.iter().any(|(k, _)| k.name == name) {
                        let at = node.pos;
                        self.fail(at, format!("duplicate key `{name}`"));
                        return;
                    }
                    *pending_key = Some(Key { name, pos: node.pos });
                }
                Some(key) => members.push((key, node)),
            },
        }
    }

    fn count(&mut self, n: usize, at: Pos) -> bool {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            self.fail(at, format!("the document expands to more than {MAX_NODES} values (aliases)"));
            return false;
        }
        true
    }
}

/// Keys are compared as text: `1: x` has the key "1".
fn scalar_as_key(node: &Node) -> Value {
    match &node.value {
        Value::String(s) | Value::Number(s) => Value::String(s.clone()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Null => Value::String(String::new()),
        other => other.clone(),
    }
}

fn size(node: &Node) -> usize {
    1 + match &node.value {
        Value::Array(items) => items.iter().map(size).sum(),
        Value::Object(members) => members.iter().map(|(_, v)| size(v)).sum(),
        _ => 0,
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let at = pos(&mark);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if !self.count(1, at) {
                    return;
                }
                let explicit_string = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if style != TScalarStyle::Plain || explicit_string {
                    Value::String(text)
                } else {
                    plain_scalar(text)
                };
                self.push(Node::new(at, value), anchor);
            }
            Event::SequenceStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(at, format!("nesting deeper than {MAX_DEPTH} levels"));
                }
                self.stack.push(Open::Sequence { pos: at, anchor, items: Vec::new() });
            }
            Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(at, format!("nesting deeper than {MAX_DEPTH} levels"));
                }
                self.stack.push(Open::Mapping { pos: at, anchor, members: Vec::new(), pending_key: None });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Sequence { pos, anchor, items }) => (Node::new(pos, Value::Array(items)), anchor),
                    Some(Open::Mapping { pos, anchor, members, .. }) => {
                        // A block mapping's start is reported after its first
                        // key; point at the key, where a person sees it begin.
                        let pos = members.first().map(|(k, _)| k.pos).filter(|k| *k < pos).unwrap_or(pos);
                        (Node::new(pos, Value::Object(members)), anchor)
                    }
                    None => return self.fail(at, "unbalanced end of a collection"),
                };
                if !self.count(1, at) {
                    return;
                }
                self.push(node, anchor);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(mut node) => {
                    if !self.count(size(&node), at) {
                        return;
                    }
                    node.pos = at;
                    self.push(node, 0);
                }
                None => self.fail(at, "alias to an unknown anchor"),
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
}

/// Types a plain (unquoted) scalar by the YAML 1.2 core schema.
fn plain_scalar(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        t if is_core_number(t) => Value::Number(t.to_string()),
        _ => Value::String(text),
    }
}

fn is_core_number(t: &str) -> bool {
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if unsigned.is_empty() {
        return false;
    }
    let is_int = unsigned.bytes().all(|b| b.is_ascii_digit());
    let is_float = {
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
            None => (unsigned, None),
        };
        let mantissa_ok = {
            let mut parts = mantissa.splitn(2, '.');
            let whole = parts.next().unwrap_or("");
            let frac = parts.next();
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            digits(whole) && frac.is_none_or(digits) && (whole.len() + frac.map_or(0, str::len)) > 0
        };
        let exponent_ok = exponent.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        });
        mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
    };
    is_int || is_float
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_types_scalars_by_the_core_schema() {
        let node =
            parse("name: p\nstages:\n  - name: S\n    runOrder: 2\n    on: yes\n    q: \"3\"\n    n: ~\n").unwrap();
        assert_eq!(node.key_pos("stages"), Some(Pos::new(2, 1)));
        let stage = node.get("stages").unwrap().index(0).unwrap();
        assert_eq!(stage.key_pos("runOrder"), Some(Pos::new(4, 5)));
        assert_eq!(stage.get("runOrder").unwrap().value, Value::Number("2".into()));
        assert_eq!(stage.get("runOrder").unwrap().pos, Pos::new(4, 15));
        assert_eq!(stage.get("on").unwrap().value, Value::String("yes".into()));
        assert_eq!(stage.get("q").unwrap().value, Value::String("3".into()));
        assert_eq!(stage.get("n").unwrap().value, Value::Null);
    }

    #[test]
    fn expands_aliases_but_refuses_exponential_ones() {
        let node = parse("a: &x {k: v}\nb: *x\n").unwrap();
        assert_eq!(node.get("b").unwrap().get("k").unwrap().value, Value::String("v".into()));
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            bomb.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        assert!(parse(&bomb).unwrap_err().message.contains("expands"));
    }

    #[test]
    fn reports_syntax_errors_and_duplicates_with_positions() {
        let err = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.pos, Pos::new(2, 1));
        assert!(err.message.contains("duplicate key `a`"));
        assert!(parse("a: [1, 2\n").is_err());
        assert!(parse("").unwrap_err().message.contains("empty"));
        assert!(parse("a: 1\n---\nb: 2\n").unwrap_err().message.contains("more than one"));
    }

    #[test]
    fn numbers_follow_the_core_schema() {
        for yes in ["1", "-2", "+3", "1.5", "1e3", "-1.5E-3", ".5"] {
            assert!(is_core_number(yes), "{yes}");
        }
        for no in ["", "-", "1.2.3", "0x1F", "1e", "abc", "."] {
            assert!(!is_core_number(no), "{no}");
        }
    }
}
