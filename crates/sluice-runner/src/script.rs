//! The bash script that runs a Commands action: every command in one shell,
//! so `cd` and `export` carry from one command to the next, stopping at the
//! first that fails (`set -e`), then writing the declared output variables.

use std::collections::BTreeMap;
use std::path::Path;

/// Files the script writes for the runner, in the workspace's control
/// directory.
pub(crate) const STEP_FILE: &str = "step";
pub(crate) const VARIABLES_FILE: &str = "variables";

/// Each command runs through `eval` of a quoted string: a command with a
/// syntax error then fails alone instead of swallowing the ones after it.
/// The number of the running command is written before it starts, so a
/// failure can name it.
pub(crate) fn build(commands: &[String], output_variables: &[String], control: &Path) -> String {
    let step_file = quote(&control.join(STEP_FILE).to_string_lossy());
    let variables_file = quote(&control.join(VARIABLES_FILE).to_string_lossy());
    let mut script = String::from("set -e\n");
    for (index, command) in commands.iter().enumerate() {
        let quoted = quote(command);
        script.push_str(&format!("printf '%s' {} > {step_file}\n", index + 1));
        script.push_str(&format!("printf '[sluice] Running command %s\\n' {quoted}\n"));
        script.push_str(&format!("eval {quoted}\n"));
    }
    // A declared variable that is unset is left out (`${!name+x}` is empty
    // only when unset); names were checked to be identifiers.
    script.push_str(&format!("printf '%s' done > {step_file}\n"));
    script.push_str("for __sluice_name in");
    for name in output_variables {
        script.push(' ');
        script.push_str(name);
    }
    script.push_str("; do\n");
    script.push_str(
        "  if [ -n \"${!__sluice_name+x}\" ]; then printf '%s=%s\\0' \"$__sluice_name\" \"${!__sluice_name}\"; fi\n",
    );
    script.push_str(&format!("done > {variables_file}\n"));
    script
}

/// Output variables must be shell identifiers to be read from the shell.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `name=value` records separated by NUL (values may hold newlines).
pub(crate) fn parse_variables(data: &[u8], declared: &[String]) -> BTreeMap<String, String> {
    data.split(|&b| b == 0)
        .filter_map(|record| {
            let record = String::from_utf8_lossy(record);
            let (name, value) = record.split_once('=')?;
            declared.iter().any(|d| d == name).then(|| (name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// Single quotes for bash: nothing inside is special except `'` itself.
pub(crate) fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$HOME `x` \"y\""), "'$HOME `x` \"y\"'");
    }

    #[test]
    fn script_shape() {
        let script = build(&["echo 'hi'".into()], &["A".into(), "B".into()], Path::new("/ws/.sluice"));
        assert_eq!(
            script,
            concat!(
                "set -e\n",
                "printf '%s' 1 > '/ws/.sluice/step'\n",
                "printf '[sluice] Running command %s\\n' 'echo '\\''hi'\\'''\n",
                "eval 'echo '\\''hi'\\'''\n",
                "printf '%s' done > '/ws/.sluice/step'\n",
                "for __sluice_name in A B; do\n",
                "  if [ -n \"${!__sluice_name+x}\" ]; then printf '%s=%s\\0' \"$__sluice_name\" \"${!__sluice_name}\"; fi\n",
                "done > '/ws/.sluice/variables'\n",
            )
        );
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("COMMIT_ID") && is_identifier("_x1"));
        assert!(!is_identifier("") && !is_identifier("1a") && !is_identifier("a-b") && !is_identifier("a b"));
    }

    #[test]
    fn variables_file() {
        let data = b"A=1\0B=multi\nline=x\0UNDECLARED=z\0";
        let vars = parse_variables(data, &["A".into(), "B".into()]);
        assert_eq!(vars.len(), 2);
        assert_eq!(vars["B"], "multi\nline=x");
    }
}
