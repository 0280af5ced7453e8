//! `sluice transitions enable|disable NAME STAGE [--reason R]`: the transition into STAGE
//! (`Enable/DisableStageTransition` with `transitionType: Inbound`).

use super::{Global, answer};
use serde_json::json;
use std::process::ExitCode;

/// What a reason says when none is given (AWS requires one to disable).
const DEFAULT_REASON: &str = "Disabled with the sluice CLI";

#[derive(clap::Subcommand)]
pub enum Command {
    /// Let executions enter STAGE again.
    Enable(Target),
    /// Hold executions in front of STAGE.
    Disable(Disable),
}

#[derive(clap::Args)]
pub struct Target {
    /// The pipeline.
    name: String,
    /// The stage whose inbound transition changes.
    stage: String,
}

#[derive(clap::Args)]
pub struct Disable {
    #[command(flatten)]
    target: Target,
    /// Why (shown by `sluice status`); letters, digits, spaces and !@().*?- only, as AWS allows.
    #[arg(long, value_name = "TEXT", default_value = DEFAULT_REASON)]
    reason: String,
}

pub fn run(global: &Global, command: Command) -> anyhow::Result<ExitCode> {
    let client = global.client()?;
    let (target, response, verb) = match command {
        Command::Enable(target) => {
            let input = json!({ "pipelineName": target.name, "stageName": target.stage, "transitionType": "Inbound" });
            (target, client.codepipeline("EnableStageTransition", &input)?, "enabled")
        }
        Command::Disable(Disable { target, reason }) => {
            let input = json!({
                "pipelineName": target.name,
                "stageName": target.stage,
                "transitionType": "Inbound",
                "reason": reason,
            });
            (target, client.codepipeline("DisableStageTransition", &input)?, "disabled")
        }
    };
    answer(global, &response, || {
        format!("{verb} the transition into stage {} of pipeline {}\n", target.stage, target.name)
    });
    Ok(ExitCode::SUCCESS)
}
