//! A pipeline file from text to checked declaration: read, decode,
//! validate, and point every problem at a line and column.

use crate::declaration::PipelineDeclaration;
use crate::decode::{Context, Decode};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::path::{Path, Segment};
use crate::source::{self, Format, Node, Value};

/// A checked pipeline file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The declaration, when the file could be decoded at all. It may still
    /// have errors; see [`Document::is_valid`].
    pub pipeline: Option<PipelineDeclaration>,
    /// Every problem, errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Document {
    /// Reads and checks `text`. `file_name` picks the format (`.json`,
    /// `.yaml`, `.yml`; otherwise the text decides).
    pub fn check(file_name: &str, text: &str) -> Document {
        Self::check_as(Format::detect(file_name, text), text)
    }

    pub fn check_as(format: Format, text: &str) -> Document {
        let root = match source::parse(text, format) {
            Ok(root) => root,
            Err(err) => {
                let diagnostic = Diagnostic::error("syntax", Path::root(), err.message).at(err.pos);
                return Document { pipeline: None, diagnostics: vec![diagnostic] };
            }
        };
        let mut cx = Context::default();
        let node = unwrap(&root, &mut cx);
        let pipeline = node.and_then(|node| PipelineDeclaration::decode(node, &Path::root(), &mut cx));
        let mut diagnostics = cx.diagnostics;
        if let Some(pipeline) = &pipeline {
            diagnostics.extend(crate::validate::validate(pipeline, cx.lossy));
        }
        if let Some(node) = node {
            for diagnostic in diagnostics.iter_mut().filter(|d| d.pos.is_none()) {
                let at_key = diagnostic.code == "unknown-configuration";
                diagnostic.pos =
                    Some(if at_key { locate_key(node, &diagnostic.path) } else { locate(node, &diagnostic.path) });
            }
        }
        for diagnostic in &mut diagnostics {
            if let (Some(pos), Some(prefix)) = (diagnostic.pos, diagnostic.within.as_deref()) {
                diagnostic.pos = Some(shift_within(text, pos, prefix));
            }
        }
        diagnostics.sort_by(|a, b| (a.pos, &a.path).cmp(&(b.pos, &b.path)));
        diagnostics.dedup();
        Document { pipeline, diagnostics }
    }

    /// True when there is no error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.pipeline.is_some() && !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The declaration if it has no errors, else every diagnostic.
    pub fn into_result(self) -> Result<PipelineDeclaration, Vec<Diagnostic>> {
        match self.pipeline {
            Some(pipeline) if !self.diagnostics.iter().any(Diagnostic::is_error) => Ok(pipeline),
            _ => Err(self.diagnostics),
        }
    }
}

/// The pipeline object: either the whole document, or its `pipeline`
/// member when the document is what `aws codepipeline get-pipeline` prints.
fn unwrap<'n>(root: &'n Node, cx: &mut Context) -> Option<&'n Node> {
    let Value::Object(members) = &root.value else {
        cx.lost(
            Diagnostic::error("wrong-type", Path::root(), format!("expected a pipeline object, found {}", root.kind()))
                .at(root.pos),
        );
        return None;
    };
    let wrapped = root.get("pipeline").is_some() && root.get("stages").is_none();
    if !wrapped {
        return Some(root);
    }
    for (key, _) in members {
        if key.name != "pipeline" && key.name != "metadata" {
            let mut diagnostic = Diagnostic::error(
                "unknown-key",
                Path::root().key(&key.name),
                format!("unknown key `{}` beside `pipeline`", key.name),
            )
            .at(key.pos);
            diagnostic.hint = Some(match did_you_mean(&key.name, ["pipeline", "metadata"]) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "the top level holds `pipeline` and, optionally, `metadata`".to_string(),
            });
            cx.diagnostics.push(diagnostic);
        }
    }
    root.get("pipeline")
}

/// Moves `pos`, the start of a text value, past `prefix` inside it, when the
/// source spells that prefix literally on the same line (no escapes, no line
/// folding); otherwise the value's start is the best place to point at.
fn shift_within(text: &str, pos: source::Pos, prefix: &str) -> source::Pos {
    let Some(line) = text.lines().nth(pos.line.saturating_sub(1) as usize) else { return pos };
    let rest: String = line.chars().skip(pos.column.saturating_sub(1) as usize).collect();
    let quoted = rest.starts_with(['"', '\'']);
    let body = if quoted { &rest[1..] } else { rest.as_str() };
    if !body.starts_with(prefix) {
        return pos;
    }
    let shift = u32::from(quoted) + prefix.chars().count() as u32;
    source::Pos::new(pos.line, pos.column + shift)
}

/// The position of the key a path ends with (or of the value, if the path
/// does not end with a key that exists).
pub fn locate_key(root: &Node, path: &Path) -> source::Pos {
    if let Some((Segment::Key(key), parent)) = path.segments().split_last() {
        let mut node = root;
        for segment in parent {
            let next = match segment {
                Segment::Key(k) => node.get(k),
                Segment::Index(i) => node.index(*i),
            };
            match next {
                Some(child) => node = child,
                None => return locate(root, path),
            }
        }
        if let Some(pos) = node.key_pos(key) {
            return pos;
        }
    }
    locate(root, path)
}

/// The position a path points at: the deepest node along it that exists.
/// Containers are pointed at by their key (a line a person can find), and
/// scalars by their value.
pub fn locate(root: &Node, path: &Path) -> source::Pos {
    let mut node = root;
    let mut pos = root.pos;
    for segment in path.segments() {
        let next = match segment {
            Segment::Key(key) => node.get(key).map(|child| {
                let at = match child.value {
                    Value::Object(_) | Value::Array(_) => node.key_pos(key).unwrap_or(child.pos),
                    _ => child.pos,
                };
                (child, at)
            }),
            Segment::Index(i) => node.index(*i).map(|child| (child, child.pos)),
        };
        match next {
            Some((child, at)) => {
                node = child;
                pos = at;
            }
            None => break,
        }
    }
    pos
}
