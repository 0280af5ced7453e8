//! What a build leaves behind: `reports` and `artifacts`.

use crate::model::{Artifacts, ReportGroup};
use crate::read::{Diags, Obj, error, scalar, scalars, warning, yes_no};
use sluice_model::Path;
use sluice_model::source::Node;

const REPORT_KEYS: &[&str] = &["files", "base-directory", "discard-paths", "file-format"];
/// Formats CodeBuild knows; sluice reads the JUnit ones.
const TEST_FORMATS: &[&str] = &["JUNITXML", "CUCUMBERJSON", "NUNITXML", "NUNIT3XML", "TESTNGXML", "VISUALSTUDIOTRX"];
const COVERAGE_FORMATS: &[&str] = &["CLOVERXML", "COBERTURAXML", "JACOCOXML", "SIMPLECOV"];
const ARTIFACT_KEYS: &[&str] = &[
    "files",
    "name",
    "discard-paths",
    "base-directory",
    "exclude-paths",
    "enable-symlinks",
    "s3-prefix",
    "secondary-artifacts",
];

pub(super) fn reports(node: &Node, path: &Path, diags: &mut Diags) -> Vec<ReportGroup> {
    let Some(mut obj) = Obj::open(node, path, diags) else { return Vec::new() };
    obj.rest().into_iter().filter_map(|(key, node, path)| report(&key.name, node, &path, diags)).collect()
}

fn report(name: &str, node: &Node, path: &Path, diags: &mut Diags) -> Option<ReportGroup> {
    let mut obj = Obj::open(node, path, diags)?;
    let files = match obj.take("files") {
        Some((node, path)) => scalars(node, &path, false, diags),
        None => {
            error(diags, "missing-key", path, node, format!("report group `{name}` needs `files`"));
            Vec::new()
        }
    };
    let base_directory = obj.take("base-directory").and_then(|(node, path)| scalar(node, &path, diags));
    let discard_paths = obj.take("discard-paths").and_then(|(node, path)| yes_no(node, &path, diags)).unwrap_or(false);
    let mut file_format = "JUNITXML".to_owned();
    if let Some((node, path)) = obj.take("file-format")
        && let Some(format) = scalar(node, &path, diags)
    {
        file_format = format.to_ascii_uppercase();
        if COVERAGE_FORMATS.contains(&file_format.as_str()) {
            warning(
                diags,
                "no-effect",
                &path,
                node,
                format!("{file_format}: sluice does not read code coverage reports"),
            );
        } else if file_format != "JUNITXML" && TEST_FORMATS.contains(&file_format.as_str()) {
            warning(diags, "no-effect", &path, node, format!("{file_format}: sluice reads JUNITXML test reports only"));
        } else if file_format != "JUNITXML" {
            let known = [TEST_FORMATS, COVERAGE_FORMATS].concat().join(", ");
            error(diags, "bad-value", &path, node, format!("unknown report format `{format}` (known: {known})"));
        }
    }
    obj.finish(REPORT_KEYS, diags);
    Some(ReportGroup { name: name.to_owned(), files, base_directory, discard_paths, file_format })
}

/// `artifacts`, or with `primary` false one of its `secondary-artifacts`.
pub(super) fn artifacts(node: &Node, path: &Path, primary: bool, diags: &mut Diags) -> Option<Artifacts> {
    let mut obj = Obj::open(node, path, diags)?;
    let mut artifacts = Artifacts::default();
    match obj.take("files") {
        Some((node, path)) => artifacts.files = scalars(node, &path, false, diags),
        None => error(diags, "missing-key", path, node, "artifacts need `files`"),
    }
    artifacts.name = obj.take("name").and_then(|(node, path)| {
        let name = scalar(node, &path, diags)?;
        warning(diags, "no-effect", &path, node, "`name` has no effect: the pipeline names the output artifacts");
        Some(name)
    });
    if let Some((node, path)) = obj.take("discard-paths") {
        artifacts.discard_paths = yes_no(node, &path, diags).unwrap_or(false);
    }
    artifacts.base_directory = obj.take("base-directory").and_then(|(node, path)| scalar(node, &path, diags));
    if let Some((node, path)) = obj.take("exclude-paths") {
        artifacts.exclude_paths = scalars(node, &path, true, diags);
    }
    if let Some((node, path)) = obj.take("enable-symlinks") {
        artifacts.enable_symlinks = yes_no(node, &path, diags).unwrap_or(false);
        if artifacts.enable_symlinks {
            warning(
                diags,
                "no-effect",
                &path,
                node,
                "symlinks inside the source are stored as the files they point to",
            );
        }
    }
    if let Some((node, path)) = obj.take("s3-prefix") {
        scalar(node, &path, diags);
        warning(
            diags,
            "no-effect",
            &path,
            node,
            "`s3-prefix` has no effect: CodePipeline names the artifact's location",
        );
    }
    if primary {
        if let Some((node, path)) = obj.take("secondary-artifacts")
            && let Some(mut secondary) = Obj::open(node, &path, diags)
        {
            for (key, node, path) in secondary.rest() {
                if let Some(found) = artifacts_of(node, &path, diags) {
                    artifacts.secondary.push((key.name.clone(), found));
                }
            }
        }
        obj.finish(ARTIFACT_KEYS, diags);
    } else {
        obj.finish(&ARTIFACT_KEYS[..ARTIFACT_KEYS.len() - 1], diags);
    }
    Some(artifacts)
}

fn artifacts_of(node: &Node, path: &Path, diags: &mut Diags) -> Option<Artifacts> {
    artifacts(node, path, false, diags)
}
