//! `sluice approve|reject NAME STAGE/ACTION [--summary S]`: reads the approval's token from
//! `GetPipelineState`, then answers with `PutApprovalResult`.

use super::{Global, answer, stage_and_action};
use crate::client::shapes::{PipelineState, read};
use anyhow::{Context as _, bail};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pipeline.
    name: String,
    /// The approval action, as STAGE/ACTION.
    #[arg(value_name = "STAGE/ACTION")]
    target: String,
    /// Why (recorded with the decision).
    #[arg(long, value_name = "TEXT")]
    summary: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    fn status(self) -> &'static str {
        match self {
            Decision::Approve => "Approved",
            Decision::Reject => "Rejected",
        }
    }

    fn past(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Reject => "rejected",
        }
    }
}

pub fn run(global: &Global, args: &Args, decision: Decision) -> anyhow::Result<ExitCode> {
    let (stage, action) = stage_and_action(&args.target)?;
    let client = global.client()?;
    let state: PipelineState =
        read("GetPipelineState", client.codepipeline("GetPipelineState", &json!({ "name": args.name }))?)?;
    let token = approval_token(&state, &stage, &action)?;
    let summary = args.summary.clone().unwrap_or_else(|| format!("{} with the sluice CLI", decision.status()));
    let input = json!({
        "pipelineName": args.name,
        "stageName": stage,
        "actionName": action,
        "result": { "status": decision.status(), "summary": summary },
        "token": token,
    });
    let response = client.codepipeline("PutApprovalResult", &input)?;
    answer(global, &response, || format!("{} {stage}/{action} of pipeline {}\n", decision.past(), args.name));
    Ok(ExitCode::SUCCESS)
}

/// The token of the approval waiting at `stage`/`action`, or why there is none.
fn approval_token(state: &PipelineState, stage: &str, action: &str) -> anyhow::Result<String> {
    let found = state.stage(stage).with_context(|| {
        let names: Vec<&str> = state.stage_states.iter().map(|s| s.stage_name.as_str()).collect();
        format!("pipeline {} has no stage {stage} (its stages: {})", state.pipeline_name, names.join(", "))
    })?;
    let found = found.action(action).with_context(|| {
        let names: Vec<&str> = found.action_states.iter().map(|a| a.action_name.as_str()).collect();
        format!("stage {stage} has no action {action} (its actions: {})", names.join(", "))
    })?;
    match &found.latest_execution {
        Some(execution) if execution.status == "InProgress" => match &execution.token {
            Some(token) => Ok(token.clone()),
            None => bail!("{stage}/{action} is running but is not an approval waiting for an answer"),
        },
        Some(execution) => {
            bail!("{stage}/{action} is not waiting for approval (its latest run is {})", execution.status)
        }
        None => bail!("{stage}/{action} is not waiting for approval (it has not run)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> PipelineState {
        read(
            "GetPipelineState",
            json!({"pipelineName": "web", "stageStates": [
                {"stageName": "Gate", "actionStates": [
                    {"actionName": "Review", "latestExecution": {"status": "InProgress", "token": "tok-1"}},
                    {"actionName": "Build", "latestExecution": {"status": "InProgress"}},
                    {"actionName": "Done", "latestExecution": {"status": "Succeeded"}},
                    {"actionName": "Later"}
                ]}
            ]}),
        )
        .unwrap()
    }

    #[test]
    fn the_token_comes_from_the_waiting_approval() {
        assert_eq!(approval_token(&state(), "Gate", "Review").unwrap(), "tok-1");
    }

    #[test]
    fn anything_else_says_why_not() {
        let state = state();
        let err = |stage, action| approval_token(&state, stage, action).unwrap_err().to_string();
        assert_eq!(err("Deploy", "Review"), "pipeline web has no stage Deploy (its stages: Gate)");
        assert_eq!(err("Gate", "Nope"), "stage Gate has no action Nope (its actions: Review, Build, Done, Later)");
        assert!(err("Gate", "Build").contains("not an approval"));
        assert!(err("Gate", "Done").contains("its latest run is Succeeded"));
        assert!(err("Gate", "Later").contains("it has not run"));
    }
}
