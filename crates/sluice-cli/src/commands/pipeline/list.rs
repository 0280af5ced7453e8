//! `sluice pipeline list`: every page of `ListPipelines`.

use crate::commands::{Global, answer};
use crate::view::{Style, Table, time};
use serde_json::{Value, json};
use std::process::ExitCode;

pub fn run(global: &Global) -> anyhow::Result<ExitCode> {
    let client = global.client()?;
    let mut pipelines: Vec<Value> = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let mut input = json!({});
        if let Some(token) = &next_token {
            input["nextToken"] = json!(token);
        }
        let page = client.codepipeline("ListPipelines", &input)?;
        pipelines.extend(page["pipelines"].as_array().cloned().unwrap_or_default());
        next_token = page["nextToken"].as_str().filter(|t| !t.is_empty()).map(str::to_string);
        if next_token.is_none() {
            break;
        }
    }
    let response = json!({ "pipelines": pipelines });
    answer(global, &response, || text(&pipelines, Style::for_stdout()));
    Ok(ExitCode::SUCCESS)
}

fn text(pipelines: &[Value], style: Style) -> String {
    if pipelines.is_empty() {
        return "no pipelines yet: create one with `sluice pipeline apply -f FILE`\n".to_string();
    }
    let mut table = Table::new(&["NAME", "VERSION", "TYPE", "MODE", "UPDATED (UTC)"]);
    for p in pipelines {
        let field = |key: &str| p[key].as_str().unwrap_or_default().to_string();
        table.row([
            field("name"),
            p["version"].as_i64().map(|v| v.to_string()).unwrap_or_default(),
            field("pipelineType"),
            field("executionMode"),
            time::utc_or_blank(p["updated"].as_f64()),
        ]);
    }
    table.render(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipelines_are_a_table() {
        let pipelines = [
            json!({"name": "web", "version": 3, "pipelineType": "V2", "executionMode": "QUEUED", "updated": 1735787045.5}),
            json!({"name": "api", "version": 1, "executionMode": "SUPERSEDED"}),
        ];
        assert_eq!(
            text(&pipelines, Style::PLAIN),
            "NAME  VERSION  TYPE  MODE        UPDATED (UTC)\n\
             web   3        V2    QUEUED      2025-01-02 03:04:05\n\
             api   1              SUPERSEDED\n"
        );
        assert!(text(&[], Style::PLAIN).starts_with("no pipelines yet"));
    }
}
