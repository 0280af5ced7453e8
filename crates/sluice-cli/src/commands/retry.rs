//! `sluice retry NAME STAGE [--execution ID] [--all]`: `RetryStageExecution` of the stage's latest
//! execution (from `GetPipelineState`) unless one is named; failed actions only unless `--all`.

use super::{Global, answer};
use crate::client::shapes::{PipelineState, read};
use anyhow::Context as _;
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pipeline.
    name: String,
    /// The stage to retry.
    stage: String,
    /// The execution to retry [default: the stage's latest].
    #[arg(long, value_name = "ID")]
    execution: Option<String>,
    /// Run every action of the stage again, not only the failed ones.
    #[arg(long)]
    all: bool,
}

pub fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let client = global.client()?;
    let execution = match &args.execution {
        Some(id) => id.clone(),
        None => {
            let state: PipelineState =
                read("GetPipelineState", client.codepipeline("GetPipelineState", &json!({ "name": args.name }))?)?;
            latest_execution(&state, &args.stage)?
        }
    };
    let mode = if args.all { "ALL_ACTIONS" } else { "FAILED_ACTIONS" };
    let input = json!({
        "pipelineName": args.name,
        "stageName": args.stage,
        "pipelineExecutionId": execution,
        "retryMode": mode,
    });
    let response = client.codepipeline("RetryStageExecution", &input)?;
    answer(global, &response, || {
        let what = if args.all { "all actions" } else { "failed actions" };
        format!("retrying stage {} of execution {execution} ({what})\n", args.stage)
    });
    Ok(ExitCode::SUCCESS)
}

fn latest_execution(state: &PipelineState, stage: &str) -> anyhow::Result<String> {
    let found = state.stage(stage).with_context(|| {
        let names: Vec<&str> = state.stage_states.iter().map(|s| s.stage_name.as_str()).collect();
        format!("pipeline {} has no stage {stage} (its stages: {})", state.pipeline_name, names.join(", "))
    })?;
    let execution = found.latest_execution.as_ref().with_context(|| format!("stage {stage} has not run yet"))?;
    Ok(execution.pipeline_execution_id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_the_stage_s_latest_execution() {
        let state: PipelineState = read(
            "GetPipelineState",
            json!({"pipelineName": "web", "stageStates": [
                {"stageName": "Build", "latestExecution": {"pipelineExecutionId": "e-1", "status": "Failed"}},
                {"stageName": "Deploy"}
            ]}),
        )
        .unwrap();
        assert_eq!(latest_execution(&state, "Build").unwrap(), "e-1");
        assert_eq!(latest_execution(&state, "Deploy").unwrap_err().to_string(), "stage Deploy has not run yet");
        assert!(latest_execution(&state, "Test").unwrap_err().to_string().contains("no stage Test"));
    }
}
