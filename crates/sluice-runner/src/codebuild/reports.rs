//! The buildspec's `reports`: each group's files read as JUnit XML into a
//! [`TestReport`]. A failing test makes its report FAILED; whether the build
//! fails is up to the commands' exit codes, as in CodeBuild.

use super::files::{Selection, pick};
use super::junit;
use crate::log::JobLog;
use sluice_buildspec::ReportGroup;
use sluice_protocol::{ReportStatus, TestCaseStatus, TestReport};
use std::path::Path;

/// Reads every group; problems make a report INCOMPLETE and are logged,
/// never failing the build.
pub(crate) fn collect(src: &Path, groups: &[ReportGroup], log: &JobLog) -> Vec<TestReport> {
    groups.iter().filter_map(|group| report(src, group, log)).collect()
}

fn report(src: &Path, group: &ReportGroup, log: &JobLog) -> Option<TestReport> {
    let name = &group.name;
    if group.file_format != "JUNITXML" {
        log.line(&format!("report group `{name}`: {} reports are not read by sluice", group.file_format));
        return None;
    }
    let selection = Selection { base_directory: group.base_directory.as_deref(), files: &group.files, exclude: &[] };
    let mut report = TestReport {
        group: name.clone(),
        file_format: group.file_format.clone(),
        status: ReportStatus::Succeeded,
        test_cases: Vec::new(),
        duration_ns: 0,
    };
    let files = match pick(src, &selection) {
        Ok(files) => files,
        Err(e) => {
            log.line(&format!("report group `{name}`: {e}"));
            report.status = ReportStatus::Incomplete;
            return Some(report);
        }
    };
    if files.is_empty() {
        log.line(&format!("report group `{name}`: no report files match {}", group.files.join(", ")));
        report.status = ReportStatus::Incomplete;
        return Some(report);
    }
    for file in files {
        let parsed = std::fs::read(&file.path)
            .map_err(|e| e.to_string())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .and_then(|xml| {
                // `discard-paths` names raw report files without their directories.
                let raw =
                    if group.discard_paths { file.rel.rsplit('/').next().unwrap_or(&file.rel) } else { &file.from_src };
                junit::parse(&xml, raw)
            });
        match parsed {
            Ok(cases) => report.test_cases.extend(cases),
            Err(e) => {
                log.line(&format!("report group `{name}`: {}: {e}", file.from_src));
                report.status = ReportStatus::Incomplete;
            }
        }
    }
    report.duration_ns = report.test_cases.iter().map(|c| c.duration_ns).fold(0i64, i64::saturating_add);
    let failed = report.test_cases.iter().any(|c| matches!(c.status, TestCaseStatus::Failed | TestCaseStatus::Error));
    if failed && report.status == ReportStatus::Succeeded {
        report.status = ReportStatus::Failed;
    }
    let passed = report.test_cases.iter().filter(|c| c.status == TestCaseStatus::Succeeded).count();
    log.line(&format!(
        "report group `{name}`: {} test cases, {passed} passed, status {:?}",
        report.test_cases.len(),
        report.status
    ));
    Some(report)
}
