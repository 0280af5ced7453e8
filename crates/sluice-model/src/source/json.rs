//! A JSON reader that keeps the position of every value and key.
//!
//! serde_json forgets positions once a value is built, and pointing at the
//! exact key of a problem is the point of `sluice validate`, so this small
//! recursive-descent reader builds [`Node`]s directly. It follows RFC 8259
//! strictly (no comments, no trailing commas) because the files it reads are
//! the ones the `aws` CLI accepts.

use super::node::{Key, Node, Pos, SyntaxError, Value};

/// Deeper nesting than this is refused rather than risking the stack; a
/// pipeline declaration is never more than a dozen levels deep.
const MAX_DEPTH: usize = 128;

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut reader = Reader { chars: text.chars().peekable(), pos: Pos::new(1, 1), depth: 0 };
    reader.skip_whitespace();
    if reader.peek().is_none() {
        return Err(reader.error("the file is empty: expected a JSON object"));
    }
    let node = reader.value()?;
    reader.skip_whitespace();
    if let Some(c) = reader.peek() {
        return Err(reader.error(format!("unexpected {} after the end of the document", describe(c))));
    }
    Ok(node)
}

struct Reader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    pos: Pos,
    depth: usize,
}

fn describe(c: char) -> String {
    match c {
        '\n' => "end of line".into(),
        c if c.is_control() => format!("control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

impl Reader<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError { pos: self.pos, message: message.into() }
    }

    fn unexpected(&mut self, expected: &str) -> SyntaxError {
        match self.peek() {
            Some('/') => self.error(format!("expected {expected}, found `/`: JSON does not allow comments")),
            Some(c) => self.error(format!("expected {expected}, found {}", describe(c))),
            None => self.error(format!("expected {expected}, found the end of the file")),
        }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, c: char, expected: &str) -> Result<(), SyntaxError> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        let pos = self.pos;
        let value = match self.peek() {
            Some('{') => self.nested(Self::object)?,
            Some('[') => self.nested(Self::array)?,
            Some('"') => Value::String(self.string()?),
            Some('t') => self.keyword("true", Value::Bool(true))?,
            Some('f') => self.keyword("false", Value::Bool(false))?,
            Some('n') => self.keyword("null", Value::Null)?,
            Some('-' | '0'..='9') => Value::Number(self.number()?),
            _ => return Err(self.unexpected("a value")),
        };
        Ok(Node::new(pos, value))
    }

    fn nested(&mut self, read: fn(&mut Self) -> Result<Value, SyntaxError>) -> Result<Value, SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn keyword(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        let start = self.pos;
        for expected in word.chars() {
            if self.peek() != Some(expected) {
                return Err(SyntaxError { pos: start, message: format!("invalid literal: expected `{word}`") });
            }
            self.bump();
        }
        if matches!(self.peek(), Some(c) if c.is_alphanumeric()) {
            return Err(SyntaxError { pos: start, message: format!("invalid literal: expected `{word}`") });
        }
        Ok(value)
    }

    fn object(&mut self) -> Result<Value, SyntaxError> {
        self.bump(); // '{'
        let mut members: Vec<(Key, Node)> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some('"') {
                return Err(self.unexpected("a member name in double quotes"));
            }
            let key_pos = self.pos;
            let name = self.string()?;
            if members.iter().any(|(k, _)| k.name == name) {
                return Err(SyntaxError { pos: key_pos, message: format!("duplicate key `{name}`") });
            }
            self.skip_whitespace();
            self.expect(':', "`:` after the member name")?;
            self.skip_whitespace();
            let value = self.value()?;
            members.push((Key { name, pos: key_pos }, value));
            self.skip_whitespace();
            match self.peek() {
                Some(',') => {
                    let comma = self.pos;
                    self.bump();
                    self.skip_whitespace();
                    if self.peek() == Some('}') {
                        return Err(SyntaxError { pos: comma, message: "trailing comma before `}`".into() });
                    }
                }
                Some('}') => {
                    self.bump();
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.unexpected("`,` or `}` after an object member")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, SyntaxError> {
        self.bump(); // '['
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(',') => {
                    let comma = self.pos;
                    self.bump();
                    self.skip_whitespace();
                    if self.peek() == Some(']') {
                        return Err(SyntaxError { pos: comma, message: "trailing comma before `]`".into() });
                    }
                }
                Some(']') => {
                    self.bump();
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.unexpected("`,` or `]` after a list item")),
            }
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(SyntaxError { pos: start, message: "unterminated string".into() }),
                Some('"') => return Ok(out),
                Some('\\') => {
                    let escape_pos = self.pos;
                    match self.bump() {
                        Some('"') => out.push('"'),
                        Some('\\') => out.push('\\'),
                        Some('/') => out.push('/'),
                        Some('b') => out.push('\u{8}'),
                        Some('f') => out.push('\u{c}'),
                        Some('n') => out.push('\n'),
                        Some('r') => out.push('\r'),
                        Some('t') => out.push('\t'),
                        Some('u') => out.push(self.unicode_escape(escape_pos)?),
                        _ => return Err(SyntaxError { pos: escape_pos, message: "invalid escape sequence".into() }),
                    }
                }
                Some('\n') => {
                    return Err(SyntaxError {
                        pos: start,
                        message: "unterminated string: the line ends before the closing quote".into(),
                    });
                }
                Some(c) if (c as u32) < 0x20 => {
                    return Err(self.error(format!("{} inside a string (escape it)", describe(c))));
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn hex4(&mut self, at: Pos) -> Result<u32, SyntaxError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = self.bump().and_then(|c| c.to_digit(16));
            match digit {
                Some(d) => code = code * 16 + d,
                None => {
                    return Err(SyntaxError { pos: at, message: "invalid \\u escape: expected 4 hex digits".into() });
                }
            }
        }
        Ok(code)
    }

    fn unicode_escape(&mut self, at: Pos) -> Result<char, SyntaxError> {
        let first = self.hex4(at)?;
        let code = if (0xD800..0xDC00).contains(&first) {
            // A high surrogate must be followed by `\u` and a low surrogate.
            if self.bump() != Some('\\') || self.bump() != Some('u') {
                return Err(SyntaxError { pos: at, message: "unpaired surrogate in \\u escape".into() });
            }
            let second = self.hex4(at)?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(SyntaxError { pos: at, message: "unpaired surrogate in \\u escape".into() });
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| SyntaxError { pos: at, message: "unpaired surrogate in \\u escape".into() })
    }

    fn number(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        let mut text = String::new();
        let invalid = || SyntaxError { pos: start, message: "invalid number".into() };
        if self.peek() == Some('-') {
            text.push('-');
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                text.push('0');
                self.bump();
            }
            Some('1'..='9') => self.digits(&mut text),
            _ => return Err(invalid()),
        }
        if self.peek() == Some('.') {
            text.push('.');
            self.bump();
            if !matches!(self.peek(), Some('0'..='9')) {
                return Err(invalid());
            }
            self.digits(&mut text);
        }
        if let Some(e @ ('e' | 'E')) = self.peek() {
            text.push(e);
            self.bump();
            if let Some(sign @ ('+' | '-')) = self.peek() {
                text.push(sign);
                self.bump();
            }
            if !matches!(self.peek(), Some('0'..='9')) {
                return Err(invalid());
            }
            self.digits(&mut text);
        }
        if matches!(self.peek(), Some(c) if c.is_alphanumeric() || c == '.') {
            return Err(invalid());
        }
        Ok(text)
    }

    fn digits(&mut self, text: &mut String) {
        while let Some(c @ '0'..='9') = self.peek() {
            text.push(c);
            self.bump();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let node = parse("{\n  \"a\": [1, \"x\"],\n  \"b\": null\n}").unwrap();
        assert_eq!(node.pos, Pos::new(1, 1));
        assert_eq!(node.key_pos("b"), Some(Pos::new(3, 3)));
        let a = node.get("a").unwrap();
        assert_eq!(a.pos, Pos::new(2, 8));
        assert_eq!(a.index(1).unwrap().pos, Pos::new(2, 12));
    }

    #[test]
    fn reads_escapes_and_surrogate_pairs() {
        let node = parse(r#""a\n\u00e9\ud83d\ude00\/""#).unwrap();
        assert_eq!(node.value, Value::String("a\né😀/".into()));
    }

    #[test]
    fn refuses_what_the_aws_cli_refuses() {
        for (text, message) in [
            ("", "the file is empty"),
            ("{\"a\": 1,}", "trailing comma"),
            ("{\"a\": 1 \"b\": 2}", "expected `,` or `}`"),
            ("{\"a\": 1, \"a\": 2}", "duplicate key `a`"),
            ("[01]", "invalid number"),
            ("{\"a\": tru}", "invalid literal"),
            ("\"abc", "unterminated string"),
            ("{} x", "after the end of the document"),
            ("{a: 1}", "member name in double quotes"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.message.contains(message), "{text:?}: {err}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000);
        assert!(parse(&text).unwrap_err().message.contains("nesting"));
    }
}
