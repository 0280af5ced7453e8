use sluice_model::Document;
use sluice_model::render::render;
use std::path::{Path, PathBuf};

fn corpus(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn report(path: &Path) -> (Document, String) {
    let text = std::fs::read_to_string(path).expect("corpus files are UTF-8");
    let name = path.file_name().expect("file name").to_string_lossy().to_string();
    let document = Document::check(&name, &text);
    let rendered: String = document.diagnostics.iter().map(|d| render(d, &name, &text) + "\n").collect();
    (document, rendered)
}

#[test]
fn every_valid_pipeline_is_accepted() {
    let files = corpus("valid");
    assert!(files.len() >= 20, "the valid corpus has {} files", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let (document, rendered) = report(path);
            (!document.is_valid()).then(|| format!("{}\n{rendered}", path.display()))
        })
        .collect();
    assert!(failures.is_empty(), "valid pipelines were refused:\n{}", failures.join("\n"));
}

#[test]
fn every_invalid_pipeline_is_refused_with_its_diagnostics() {
    let files = corpus("invalid");
    assert!(files.len() >= 100, "the invalid corpus has {} files", files.len());
    insta::glob!("..", "corpus/invalid/*", |path| {
        let (document, rendered) = report(path);
        assert!(!document.is_valid(), "{} was accepted", path.display());
        insta::assert_snapshot!(rendered);
    });
}
