//! `sluice executions NAME [--max N]`: `ListPipelineExecutions` as a table.

use super::{Global, answer};
use crate::client::shapes::{ExecutionSummary, read};
use crate::view::style::status_color;
use crate::view::{Color, Style, Table, one_line, short_revision, time, who};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pipeline.
    name: String,
    /// How many executions to show, newest first.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
    max: u32,
}

pub fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let input = json!({ "pipelineName": args.name, "maxResults": args.max });
    let response = global.client()?.codepipeline("ListPipelineExecutions", &input)?;
    let text = if global.json() {
        String::new()
    } else {
        let list: crate::client::shapes::ExecutionList = read("ListPipelineExecutions", response.clone())?;
        table(&args.name, &list.pipeline_execution_summaries, Style::for_stdout())
    };
    answer(global, &response, || text);
    Ok(ExitCode::SUCCESS)
}

fn table(pipeline: &str, executions: &[ExecutionSummary], style: Style) -> String {
    if executions.is_empty() {
        return format!("pipeline {pipeline} has no executions yet: start one with `sluice start {pipeline}`\n");
    }
    let mut table = Table::new(&["ID", "STATUS", "STARTED (UTC)", "TRIGGER", "REVISION"]);
    for e in executions {
        let status = if e.execution_type.as_deref() == Some("ROLLBACK") {
            format!("{} (rollback)", e.status)
        } else {
            e.status.clone()
        };
        table.colored_row(vec![
            (e.pipeline_execution_id.clone(), None),
            (status, status_color(&e.status)),
            (time::utc_or_blank(e.start_time), None),
            (trigger(e), None),
            (revision(e, style), None),
        ]);
    }
    table.render(style)
}

/// `StartPipelineExecution by alice`, `Webhook`, ...
fn trigger(execution: &ExecutionSummary) -> String {
    let Some(trigger) = &execution.trigger else { return String::new() };
    let kind = trigger.trigger_type.clone().unwrap_or_default();
    match trigger.trigger_detail.as_deref().filter(|d| d.contains(":user/")) {
        Some(detail) => format!("{kind} by {}", who(detail)),
        None => kind,
    }
}

/// The first source revision: short commit and the first line of its summary.
fn revision(execution: &ExecutionSummary, style: Style) -> String {
    let Some(source) = execution.source_revisions.iter().find(|s| s.revision_id.is_some()) else {
        return String::new();
    };
    let id = style.paint(Color::Yellow, &short_revision(source.revision_id.as_deref().unwrap_or_default()));
    match source.revision_summary.as_deref().map(|s| one_line(s, 50)).filter(|s| !s.is_empty()) {
        Some(summary) => format!("{id} {summary}"),
        None => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_are_a_table_newest_first() {
        let list: crate::client::shapes::ExecutionList = read(
            "ListPipelineExecutions",
            json!({"pipelineExecutionSummaries": [
                {
                    "pipelineExecutionId": "0d8a7b1c-5e2f-4a9b-8c7d-6e5f4a3b2c1d",
                    "status": "InProgress",
                    "startTime": 1735790645.5,
                    "trigger": {"triggerType": "StartPipelineExecution", "triggerDetail": "arn:aws:iam::000000000000:user/alice"},
                    "sourceRevisions": [{"actionName": "Src", "revisionId": "3f1c2ab9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8",
                                         "revisionSummary": "Fix the login page\n\nbody"}]
                },
                {
                    "pipelineExecutionId": "7c0e5f4e-2a55-4c3b-9d1f-0b6f7d3c1e21",
                    "status": "Failed",
                    "executionType": "ROLLBACK",
                    "startTime": 1735787045,
                    "trigger": {"triggerType": "CreatePipeline", "triggerDetail": "arn:aws:iam::000000000000:user/admin"},
                    "sourceRevisions": [{"actionName": "Src"}]
                }
            ]}),
        )
        .unwrap();
        insta::assert_snapshot!(table("web", &list.pipeline_execution_summaries, Style::PLAIN), @r"
        ID                                    STATUS             STARTED (UTC)        TRIGGER                          REVISION
        0d8a7b1c-5e2f-4a9b-8c7d-6e5f4a3b2c1d  InProgress         2025-01-02 04:04:05  StartPipelineExecution by alice  3f1c2ab Fix the login page
        7c0e5f4e-2a55-4c3b-9d1f-0b6f7d3c1e21  Failed (rollback)  2025-01-02 03:04:05  CreatePipeline by admin
        ");
        assert!(table("web", &[], Style::PLAIN).contains("`sluice start web`"));
    }
}
