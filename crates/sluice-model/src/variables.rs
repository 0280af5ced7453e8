//! Variable references in action configuration: `#{Namespace.Variable}`.
//!
//! Parsing lives here, beside the model, because validation checks the
//! references offline and the engine resolves them when an action starts:
//! both must read `#{...}` exactly the same way.

use std::fmt;

/// One `#{namespace.name}` found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub namespace: String,
    pub name: String,
    /// Byte offsets of the whole `#{...}` in the text.
    pub start: usize,
    pub end: usize,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{{{}.{}}}", self.namespace, self.name)
    }
}

/// The namespace of pipeline-level variables: `#{variables.NAME}`.
pub const PIPELINE_VARIABLES: &str = "variables";
/// The namespace of values CodePipeline itself provides.
pub const CODEPIPELINE: &str = "codepipeline";
/// The variables of the `codepipeline` namespace.
pub const CODEPIPELINE_VARIABLES: &[&str] = &["PipelineExecutionId"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceError {
    pub offset: usize,
    pub message: String,
}

/// Finds every reference in `text`. A `#{` that does not form a valid
/// reference is an error, since AWS would pass it through literally and the
/// user almost certainly meant a variable.
pub fn parse(text: &str) -> Result<Vec<Reference>, ReferenceError> {
    let mut references = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("#{") {
        let start = rest + found;
        let body_start = start + 2;
        let Some(close) = text[body_start..].find('}') else {
            return Err(ReferenceError {
                offset: start,
                message: "unterminated variable reference: `#{` without `}`".into(),
            });
        };
        let body = &text[body_start..body_start + close];
        let end = body_start + close + 1;
        let Some((namespace, name)) = body.split_once('.') else {
            return Err(ReferenceError {
                offset: start,
                message: format!("`#{{{body}}}` is not a variable reference: expected `#{{Namespace.Variable}}`"),
            });
        };
        let valid =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@'));
        if !valid(namespace) || !valid(name) {
            return Err(ReferenceError {
                offset: start,
                message: format!(
                    "`#{{{body}}}` is not a valid variable reference: namespace and name use letters, digits, `_`, `-` and `@`"
                ),
            });
        }
        references.push(Reference { namespace: namespace.to_string(), name: name.to_string(), start, end });
        rest = end;
    }
    Ok(references)
}

/// Replaces every reference in `text` by `lookup(namespace, name)`.
/// Returns the first reference the lookup cannot resolve as an error.
pub fn substitute(text: &str, mut lookup: impl FnMut(&str, &str) -> Option<String>) -> Result<String, Reference> {
    // Unparseable text is left as written: validation refused it before the
    // pipeline was stored, so this only happens for values that are not
    // meant as references at all.
    let Ok(references) = parse(text) else { return Ok(text.to_string()) };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for reference in references {
        out.push_str(&text[copied..reference.start]);
        match lookup(&reference.namespace, &reference.name) {
            Some(value) => out.push_str(&value),
            None => return Err(reference),
        }
        copied = reference.end;
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_with_offsets() {
        let refs = parse("a #{Source.CommitId} b #{variables.env}").unwrap();
        assert_eq!(refs.len(), 2);
        assert_eq!(
            (refs[0].namespace.as_str(), refs[0].name.as_str(), refs[0].start, refs[0].end),
            ("Source", "CommitId", 2, 20)
        );
        assert_eq!(refs[1].to_string(), "#{variables.env}");
        assert!(parse("no references, # { here }").unwrap().is_empty());
    }

    #[test]
    fn refuses_malformed_references() {
        assert!(parse("#{NoDot}").unwrap_err().message.contains("expected `#{Namespace.Variable}`"));
        assert!(parse("x #{Source.CommitId").unwrap_err().message.contains("unterminated"));
        assert!(parse("#{a b.c}").is_err());
        assert!(parse("#{.c}").is_err());
    }

    #[test]
    fn substitutes_values_and_reports_the_missing_one() {
        let lookup = |ns: &str, name: &str| (ns == "S" && name == "Id").then(|| "abc".to_string());
        assert_eq!(substitute("id=#{S.Id}!", lookup).unwrap(), "id=abc!");
        assert_eq!(substitute("#{S.Nope}", lookup).unwrap_err().name, "Nope");
    }
}
