//! Any text, however broken, gives diagnostics and never a panic. Texts are
//! built from buildspec fragments at random indentation, so that they reach
//! past the YAML reader into every section's decoder.

use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "version: 0.2",
    "version: 0.1",
    "version: [x]",
    "run-as: root",
    "env:",
    "variables:",
    "A: b",
    "secrets-manager:",
    "S: 'x:y:z:w:v'",
    "parameter-store:",
    "exported-variables:",
    "- A",
    "- {a: b}",
    "phases:",
    "install:",
    "build:",
    "post_build:",
    "on-failure: CONTINUE",
    "runtime-versions:",
    "commands:",
    "finally:",
    "- echo hi",
    "- ",
    "reports:",
    "g:",
    "files: ['**/*']",
    "file-format: junitxml",
    "artifacts:",
    "secondary-artifacts:",
    "discard-paths: yes",
    "exclude-paths: x",
    "cache:",
    "paths:",
    "batch:",
    "proxy:",
    "null",
    "~",
    "&a x",
    "*a",
    "? complex",
    "\"unterminated",
    "key: : :",
];

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec((0usize..4, prop::sample::select(FRAGMENTS)), 0..30)
        .prop_map(|lines| lines.into_iter().map(|(indent, text)| format!("{}{text}\n", "  ".repeat(indent))).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn fragments_never_panic(text in document()) {
        let parsed = sluice_buildspec::parse(&text);
        prop_assert!(parsed.buildspec.is_some() || parsed.errors().count() > 0);
        let _ = sluice_buildspec::summary(&parsed.diagnostics, "buildspec.yml");
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = sluice_buildspec::parse(&text);
    }
}
