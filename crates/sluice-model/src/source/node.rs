//! A document as a tree of values that remember where they came from.
//!
//! JSON and YAML are both read into this one shape so that decoding and
//! validation never care which format a file was written in, and every
//! problem can be pointed at a line and column.

/// A position in a source text: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }
}

/// A key of an object, with the position of the key itself (not its value).
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Numbers keep their source text: integers stay exact, and a YAML
    /// `1.0` versus `1` distinction is not lost before decoding decides.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in document order. Duplicate keys are refused by the readers.
    Object(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

impl Node {
    pub fn new(pos: Pos, value: Value) -> Self {
        Node { pos, value }
    }

    /// What kind of value this is, as a user would say it in an error message.
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        }
    }

    /// The member `key` of an object, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The position of the key `key` of an object.
    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(k, _)| k.name == key).map(|(k, _)| k.pos),
            _ => None,
        }
    }

    pub fn index(&self, i: usize) -> Option<&Node> {
        match &self.value {
            Value::Array(items) => items.get(i),
            _ => None,
        }
    }

    /// Converts to a `serde_json::Value`, dropping positions. Numbers that
    /// are not valid JSON numbers (YAML's `.inf`) become strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => {
                serde_json::from_str::<serde_json::Number>(n).map(J::Number).unwrap_or_else(|_| J::String(n.clone()))
            }
            Value::String(s) => J::String(s.clone()),
            Value::Array(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Object(members) => J::Object(members.iter().map(|(k, v)| (k.name.clone(), v.to_json())).collect()),
        }
    }
}

/// A syntax error: the text could not be read as JSON or YAML at all.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.pos.line, self.pos.column, self.message)
    }
}

impl std::error::Error for SyntaxError {}
