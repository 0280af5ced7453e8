//! `sluice start NAME [--var NAME=VALUE ...] [--token T]`: `StartPipelineExecution`; prints the
//! new execution's id (alone on its line, for `id=$(sluice start app)`).

use super::{Global, answer};
use serde_json::{Value, json};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pipeline.
    name: String,
    /// A pipeline variable for this execution (repeat for more).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_variable)]
    variables: Vec<(String, String)>,
    /// An idempotency token: starting again with the same token returns the same execution.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
}

pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let response = global.client()?.codepipeline("StartPipelineExecution", &request(args))?;
    answer(global, &response, || format!("{}\n", response["pipelineExecutionId"].as_str().unwrap_or_default()));
    Ok(ExitCode::SUCCESS)
}

fn request(args: Args) -> Value {
    let mut input = json!({ "name": args.name });
    if !args.variables.is_empty() {
        let variables: Vec<Value> = args.variables.into_iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
        input["variables"] = json!(variables);
    }
    if let Some(token) = args.token {
        input["clientRequestToken"] = json!(token);
    }
    input
}

fn parse_variable(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.to_string())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_name_equals_value() {
        assert_eq!(parse_variable("env=prod").unwrap(), ("env".into(), "prod".into()));
        assert_eq!(parse_variable("query=a=b").unwrap(), ("query".into(), "a=b".into()));
        assert_eq!(parse_variable("empty=").unwrap(), ("empty".into(), String::new()));
        assert!(parse_variable("novalue").is_err());
        assert!(parse_variable("=x").is_err());
    }

    #[test]
    fn the_request_has_only_what_was_given() {
        let bare = Args { name: "app".into(), variables: vec![], token: None };
        assert_eq!(request(bare), json!({"name": "app"}));
        let full =
            Args { name: "app".into(), variables: vec![("env".into(), "prod".into())], token: Some("t-1".into()) };
        assert_eq!(
            request(full),
            json!({"name": "app", "variables": [{"name": "env", "value": "prod"}], "clientRequestToken": "t-1"})
        );
    }
}
