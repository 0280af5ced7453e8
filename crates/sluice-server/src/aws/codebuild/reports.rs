//! BatchGetReports, DescribeTestCases, ListReportGroups.

use super::{batch, invalid, newest_first, not_found, page_by_position, store_failure};
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::{decode_token, encode_token, input, page_size};
use crate::codebuild::{REPORT, REPORT_GROUP, reports};
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Arns {
    report_arns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescribeInput {
    report_arn: String,
    next_token: Option<String>,
    max_results: Option<i64>,
    #[serde(default)]
    filter: Filter,
}

#[derive(Deserialize, Default)]
struct Filter {
    status: Option<String>,
    keyword: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListGroupsInput {
    sort_order: Option<String>,
    sort_by: Option<String>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

const STATUSES: [&str; 5] = ["SUCCEEDED", "FAILED", "ERROR", "SKIPPED", "UNKNOWN"];

pub async fn batch_get(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "BatchGetReports")?;
    let Arns { report_arns } = input(body)?;
    let arns = batch(report_arns, "reportArns")?;
    let store = app.driver.store();
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    for arn in arns {
        match store.get_resource(REPORT, &arn).await.map_err(store_failure)? {
            Some(row) => found.push(reports::wire(&row)),
            None => missing.push(arn),
        }
    }
    Ok(json!({ "reports": found, "reportsNotFound": missing }))
}

pub async fn describe_test_cases(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "DescribeTestCases")?;
    let input: DescribeInput = input(body)?;
    let size = page_size(input.max_results, 50, 100).map_err(|e| invalid(e.message))?;
    if let Some(status) = &input.filter.status
        && !STATUSES.contains(&status.as_str())
    {
        return Err(invalid(format!("filter.status {status} is not one of {}", STATUSES.join(", "))));
    }
    let row = app
        .driver
        .store()
        .get_resource(REPORT, &input.report_arn)
        .await
        .map_err(store_failure)?
        .ok_or_else(|| not_found(format!("Report cannot be found: {}", input.report_arn)))?;
    let keyword = input.filter.keyword.as_deref().map(str::to_lowercase);
    let matching: Vec<Value> = reports::test_cases(&row)
        .into_iter()
        .filter(|case| input.filter.status.as_deref().is_none_or(|s| case["status"] == s))
        .filter(|case| {
            keyword.as_deref().is_none_or(|k| {
                let text = |key: &str| case[key].as_str().unwrap_or_default().to_lowercase();
                text("name").contains(k) || text("prefix").contains(k)
            })
        })
        .collect();
    let start = match input.next_token.as_deref() {
        None => 0,
        Some(token) => decode_token(token)
            .and_then(|t| t.parse::<usize>().ok())
            .ok_or_else(|| invalid("The next token is not valid"))?,
    };
    let size = size as usize;
    let page: Vec<&Value> = matching.iter().skip(start).take(size).collect();
    let mut out = json!({ "testCases": page });
    if start + size < matching.len() {
        out["nextToken"] = json!(encode_token(&(start + size).to_string()));
    }
    Ok(out)
}

pub async fn list_groups(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListReportGroups")?;
    let input: ListGroupsInput = input(body)?;
    let size = page_size(input.max_results, 100, 100).map_err(|e| invalid(e.message))? as usize;
    let newest = newest_first(input.sort_order.as_deref())?;
    let mut rows = app.driver.store().all_resources(REPORT_GROUP).await.map_err(store_failure)?;
    match input.sort_by.as_deref() {
        None | Some("CREATED_TIME") => rows.sort_by_key(|r| (r.created_at, r.key.clone())),
        Some("NAME") => rows.sort_by(|a, b| a.body["name"].as_str().cmp(&b.body["name"].as_str())),
        Some("LAST_MODIFIED_TIME") => rows.sort_by_key(|r| (r.updated_at, r.key.clone())),
        Some(other) => return Err(invalid(format!("sortBy {other} is not NAME, CREATED_TIME or LAST_MODIFIED_TIME"))),
    }
    if newest {
        rows.reverse();
    }
    let arns = rows.into_iter().map(|r| r.key).collect();
    page_by_position(arns, input.next_token.as_deref(), size, "reportGroups")
}
