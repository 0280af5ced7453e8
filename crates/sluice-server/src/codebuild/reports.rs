//! Test reports of builds and their report groups. A build's report for the
//! buildspec's `reports.<group>` goes into the group `<project>-<group>`,
//! created on first use, as CodeBuild does. Test cases are kept with their
//! report (a report is written once, when its build completes).

use super::{REPORT, REPORT_GROUP, arn};
use crate::aws::wire::timestamp;
use serde_json::{Value, json};
use sluice_protocol::{TestCaseStatus, TestReport};
use sluice_store::{ResourceRow, Store};
use std::collections::BTreeMap;

/// Stores the build's reports (and their groups when new); returns their ARNs.
pub async fn store_all(
    store: &Store,
    project_arn: &str,
    project: &str,
    build_id: &str,
    build_arn: &str,
    reports: &[TestReport],
    now: i64,
) -> Result<Vec<String>, sluice_store::Error> {
    let mut arns = Vec::new();
    for report in reports {
        let group_name = format!("{project}-{}", report.group);
        let group_arn = arn::report_group(project_arn, &group_name);
        ensure_group(store, &group_arn, &group_name, now).await?;
        let report_arn = arn::report(project_arn, &group_name, build_id);
        let body = json!({
            "arn": report_arn,
            "type": "TEST",
            "name": group_name,
            "reportGroupArn": group_arn,
            "executionId": build_arn,
            "status": report.status,
            "created": timestamp(now),
            "exportConfig": {"exportConfigType": "NO_EXPORT"},
            "truncated": false,
            "testSummary": summary(report),
            "_testCases": report.test_cases.iter().map(|case| json!({
                "reportArn": report_arn,
                "testRawDataPath": case.test_raw_data_path,
                "prefix": case.prefix,
                "name": case.name,
                "status": case.status,
                "durationInNanoSeconds": case.duration_ns,
                "message": case.message,
                "testSuiteName": case.prefix,
            })).collect::<Vec<_>>(),
        });
        let row = ResourceRow {
            kind: REPORT.into(),
            key: report_arn.clone(),
            parent: Some(group_arn),
            sort_at: now,
            counter: 0,
            body,
            created_at: now,
            updated_at: now,
        };
        match store.insert_resource(&row).await {
            // The same build reported again (its job was run again): the new run wins.
            Err(sluice_store::Error::NameInUse) => store.update_resource(REPORT, &row.key, &row.body, now).await?,
            other => other?,
        }
        arns.push(report_arn);
    }
    Ok(arns)
}

async fn ensure_group(store: &Store, arn: &str, name: &str, now: i64) -> Result<(), sluice_store::Error> {
    let group = ResourceRow {
        kind: REPORT_GROUP.into(),
        key: arn.to_owned(),
        parent: None,
        sort_at: now,
        counter: 0,
        body: json!({
            "arn": arn,
            "name": name,
            "type": "TEST",
            "exportConfig": {"exportConfigType": "NO_EXPORT"},
            "status": "ACTIVE",
            "tags": [],
        }),
        created_at: now,
        updated_at: now,
    };
    match store.insert_resource(&group).await {
        Ok(()) | Err(sluice_store::Error::NameInUse) => Ok(()),
        Err(e) => Err(e),
    }
}

fn summary(report: &TestReport) -> Value {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for case in &report.test_cases {
        *counts.entry(status_name(case.status)).or_default() += 1;
    }
    json!({
        "total": report.test_cases.len(),
        "statusCounts": counts,
        "durationInNanoSeconds": report.duration_ns,
    })
}

fn status_name(status: TestCaseStatus) -> &'static str {
    match status {
        TestCaseStatus::Succeeded => "SUCCEEDED",
        TestCaseStatus::Failed => "FAILED",
        TestCaseStatus::Error => "ERROR",
        TestCaseStatus::Skipped => "SKIPPED",
        TestCaseStatus::Unknown => "UNKNOWN",
    }
}

/// The stored report as `Report` on the wire (without its test cases).
pub fn wire(row: &ResourceRow) -> Value {
    let mut report = row.body.clone();
    if let Some(fields) = report.as_object_mut() {
        fields.remove("_testCases");
    }
    report
}

/// The report's test cases as `TestCase`s, in the order the report had them.
pub fn test_cases(row: &ResourceRow) -> Vec<Value> {
    row.body["_testCases"].as_array().cloned().unwrap_or_default()
}
