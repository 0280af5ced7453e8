//! Names and identifiers: lengths and allowed characters, as the service
//! model's patterns state them.

use super::all_actions;
use crate::declaration::PipelineDeclaration;
use crate::diagnostic::Diagnostic;
use crate::path::Path;

/// `[A-Za-z0-9.@\-_]+`: pipeline, stage, action and rule names.
fn entity_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_')
}

/// `[a-zA-Z0-9_\-]+`: artifact names.
fn artifact_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

/// `[A-Za-z0-9@\-_]+`: namespaces and pipeline variable names.
fn namespace_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '@' | '-' | '_')
}

/// `[A-Za-z0-9_]+`: environment and output variable names.
fn env_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

pub(crate) struct NameRule {
    pub what: &'static str,
    pub max: usize,
    pub allowed: fn(char) -> bool,
    pub allowed_text: &'static str,
}

pub(crate) const ENTITY: NameRule =
    NameRule { what: "name", max: 100, allowed: entity_char, allowed_text: "letters, digits, `.`, `@`, `-` and `_`" };
const ARTIFACT: NameRule =
    NameRule { what: "artifact name", max: 100, allowed: artifact_char, allowed_text: "letters, digits, `-` and `_`" };
const NAMESPACE: NameRule = NameRule {
    what: "namespace",
    max: 100,
    allowed: namespace_char,
    allowed_text: "letters, digits, `@`, `-` and `_`",
};
const VARIABLE: NameRule = NameRule {
    what: "variable name",
    max: 128,
    allowed: namespace_char,
    allowed_text: "letters, digits, `@`, `-` and `_`",
};
const ENV_VAR: NameRule =
    NameRule { what: "variable name", max: 128, allowed: env_char, allowed_text: "letters, digits and `_`" };

pub(crate) fn check_name(out: &mut Vec<Diagnostic>, path: Path, name: &str, rule: &NameRule) {
    let length = name.chars().count();
    if length == 0 {
        out.push(Diagnostic::error("invalid-name", path, format!("the {} is empty", rule.what)));
        return;
    }
    if length > rule.max {
        out.push(Diagnostic::error(
            "invalid-name",
            path,
            format!("the {} is {length} characters long, at most {} allowed", rule.what, rule.max),
        ));
        return;
    }
    let mut bad: Vec<String> = Vec::new();
    for c in name.chars().filter(|c| !(rule.allowed)(*c)) {
        let described = describe(c);
        if !bad.contains(&described) {
            bad.push(described);
        }
    }
    if !bad.is_empty() {
        let listed = match bad.len() {
            1 => bad[0].clone(),
            n => format!("{} and {}", bad[..n - 1].join(", "), bad[n - 1]),
        };
        out.push(
            Diagnostic::error("invalid-name", path, format!("the {} `{name}` contains {listed}", rule.what))
                .hint(format!("use only {}", rule.allowed_text)),
        );
    }
}

fn describe(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

pub fn check(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    let root = Path::root();
    check_name(out, root.key("name"), &pipeline.name, &ENTITY);
    for (i, variable) in pipeline.variables.iter().enumerate() {
        check_name(out, root.key("variables").index(i).key("name"), &variable.name, &VARIABLE);
    }
    for (s, stage) in pipeline.stages.iter().enumerate() {
        check_name(out, root.key("stages").index(s).key("name"), &stage.name, &ENTITY);
    }
    for located in all_actions(pipeline) {
        let path = located.path();
        let action = located.action;
        check_name(out, path.key("name"), &action.name, &ENTITY);
        if let Some(namespace) = &action.namespace {
            check_name(out, path.key("namespace"), namespace, &NAMESPACE);
        }
        for (i, artifact) in action.input_artifacts.iter().enumerate() {
            check_name(out, path.key("inputArtifacts").index(i).key("name"), &artifact.name, &ARTIFACT);
        }
        for (i, artifact) in action.output_artifacts.iter().enumerate() {
            check_name(out, path.key("outputArtifacts").index(i).key("name"), &artifact.name, &ARTIFACT);
        }
        for (i, variable) in action.environment_variables.iter().flatten().enumerate() {
            check_name(out, path.key("environmentVariables").index(i).key("name"), &variable.name, &ENV_VAR);
        }
        for (i, name) in action.output_variables.iter().flatten().enumerate() {
            check_name(out, path.key("outputVariables").index(i), name, &ENV_VAR);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(name: &str, rule: &NameRule) -> Vec<String> {
        let mut out = Vec::new();
        check_name(&mut out, Path::root(), name, rule);
        out.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn names_follow_the_service_model_patterns() {
        assert!(problems("My.Pipeline@1-x_y", &ENTITY).is_empty());
        assert_eq!(problems("my pipeline", &ENTITY), ["the name `my pipeline` contains a space"]);
        assert_eq!(problems("a.b", &ARTIFACT), ["the artifact name `a.b` contains `.`"]);
        assert_eq!(problems(&"x".repeat(101), &ENTITY), ["the name is 101 characters long, at most 100 allowed"]);
        assert!(problems(&"x".repeat(128), &VARIABLE).is_empty());
        assert_eq!(problems("", &NAMESPACE), ["the namespace is empty"]);
    }
}
