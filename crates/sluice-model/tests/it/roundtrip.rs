//! A declaration written back as JSON reads back to the same declaration:
//! what the API stores and returns is what the user wrote.

use sluice_model::Document;
use sluice_model::source::Format;
use std::path::Path;

#[test]
fn valid_pipelines_survive_a_json_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/valid");
    for entry in std::fs::read_dir(dir).expect("corpus directory") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        let Some(pipeline) = Document::check(&path.to_string_lossy(), &text).pipeline else { continue };
        let json = serde_json::to_string(&pipeline).expect("serializes");
        let again = Document::check_as(Format::Json, &json);
        assert_eq!(again.pipeline.as_ref(), Some(&pipeline), "{}", path.display());
        let via_serde: sluice_model::PipelineDeclaration = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(via_serde, pipeline, "{}", path.display());
    }
}
