//! No input makes reading a pipeline file panic. CI runs a few hundred cases;
//! the long run is `PROPTEST_CASES=200000 cargo test -p sluice-model --test it no_panic`.

use proptest::prelude::*;
use sluice_model::Document;
use sluice_model::source::Format;

const SEED: &str = include_str!("../corpus/valid/02-codecommit-codebuild-codedeploy.yaml");
const SEED_JSON: &str = include_str!("../corpus/valid/01-s3-to-codedeploy-tutorial.json");

/// Text that is mostly a real pipeline with a few edits, which reaches far
/// deeper into decoding and validation than random bytes do.
fn mutated(seed: &'static str) -> impl Strategy<Value = String> {
    let len = seed.len();
    prop::collection::vec(
        (
            0..len,
            prop::sample::select(
                &[
                    "",
                    "{",
                    "}",
                    "[",
                    "]",
                    ",",
                    ":",
                    "\"",
                    "#{",
                    "}",
                    "-",
                    "\n",
                    "  ",
                    "\t",
                    "null",
                    "0",
                    "-1",
                    "999999999999999999999",
                    "&a",
                    "*a",
                    "!!str",
                    "'",
                    "\\u",
                    "\u{0}",
                    "é",
                    "stages",
                    "actions",
                    "#{x.y}",
                ][..],
            ),
        ),
        1..8,
    )
    .prop_map(move |edits| {
        let mut text = seed.to_string();
        for (at, insert) in edits {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, insert);
        }
        text
    })
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        let _ = Document::check_as(Format::Json, &text);
        let _ = Document::check_as(Format::Yaml, &text);
    }

    #[test]
    fn edited_yaml_pipelines_never_panic(text in mutated(SEED)) {
        let _ = Document::check_as(Format::Yaml, &text);
    }

    #[test]
    fn edited_json_pipelines_never_panic(text in mutated(SEED_JSON)) {
        let _ = Document::check_as(Format::Json, &text);
    }
}
