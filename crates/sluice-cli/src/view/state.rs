//! `sluice status`: a pipeline drawn from its `GetPipelineState`, one block per stage with the
//! transition between stages, each action with a status symbol, the latest execution of each
//! stage, source revisions, and what to run when an approval waits.
//!
//! ```text
//! app · version 2
//!
//! ┌─ Source · ✓ Succeeded · execution 4d9e…
//! │  ✓ Src      Succeeded   3f1c2ab First commit
//! └─
//!    ↓
//! ┌─ Deploy · … InProgress · execution 4d9e…
//! │  … Approve  InProgress  waiting for approval
//! │       an admin or approver can run `sluice approve app Deploy/Approve` (or `sluice reject`)
//! └─
//! ```

use super::style::status_color;
use super::{Color, Style, one_line, short_revision, time, who};
use crate::client::shapes::{ActionState, PipelineState, StageExecution, StageState, TransitionState};

/// The width of the status column: the longest action status, `InProgress`.
const STATUS_WIDTH: usize = 10;

/// The symbol of an action's (or a stage's) status.
pub fn symbol(status: Option<&str>) -> &'static str {
    match status {
        Some("Succeeded") => "✓",
        Some("Failed") => "✗",
        Some("InProgress" | "Stopping") => "…",
        Some("Abandoned" | "Stopped" | "Cancelled") => "⊘",
        Some("Skipped") => "↷",
        None => "·",
        Some(_) => "?",
    }
}

/// Whether an action is a manual approval waiting for its answer: `InProgress` with a token.
pub fn waits_for_approval(action: &ActionState) -> bool {
    action.latest_execution.as_ref().is_some_and(|e| e.status == "InProgress" && e.token.is_some())
}

pub fn draw(state: &PipelineState, style: Style) -> String {
    let mut out = String::new();
    let version = state.pipeline_version.map(|v| format!(" · version {v}")).unwrap_or_default();
    out.push_str(&format!("{}{version}\n\n", style.paint(Color::Bold, &state.pipeline_name)));
    if state.stage_states.is_empty() {
        out.push_str("(no stages)\n");
        return out;
    }
    let name_width =
        state.stage_states.iter().flat_map(|s| &s.action_states).map(|a| a.action_name.chars().count()).max();
    let name_width = name_width.unwrap_or(0);
    for (i, stage) in state.stage_states.iter().enumerate() {
        if i > 0 {
            transition(&mut out, stage, style);
        }
        stage_block(&mut out, &state.pipeline_name, stage, name_width, style);
    }
    out
}

/// The line between two stages: `↓`, or `✕ disabled: reason`, then who waits in front.
fn transition(out: &mut String, stage: &StageState, style: Style) {
    let default = TransitionState::default();
    let transition = stage.inbound_transition_state.as_ref().unwrap_or(&default);
    if transition.enabled {
        out.push_str("   ↓\n");
    } else {
        let reason = transition.disabled_reason.as_deref().map(|r| one_line(r, 100)).unwrap_or_default();
        let mut by = Vec::new();
        if let Some(user) = &transition.last_changed_by {
            by.push(format!("by {}", who(user)));
        }
        if let Some(at) = transition.last_changed_at {
            by.push(format!("at {}", time::utc(at)));
        }
        let by = if by.is_empty() { String::new() } else { format!(" ({})", by.join(", ")) };
        let reason = if reason.is_empty() { String::new() } else { format!(": {reason}") };
        out.push_str(&format!("   {}{by}\n", style.paint(Color::Red, &format!("✕ disabled{reason}"))));
    }
    for waiting in stage.waiting() {
        out.push_str(&format!("   {} {}\n", style.paint(Color::Dim, "┆ waiting to enter:"), execution_label(waiting)));
    }
}

fn execution_label(execution: &StageExecution) -> String {
    let rollback = if execution.kind.as_deref() == Some("ROLLBACK") { " (rollback)" } else { "" };
    format!("{}{rollback}", execution.pipeline_execution_id)
}

fn stage_block(out: &mut String, pipeline: &str, stage: &StageState, name_width: usize, style: Style) {
    let name = style.paint(Color::Bold, &stage.stage_name);
    match &stage.latest_execution {
        Some(execution) => {
            let status = &execution.status;
            let painted = style.maybe(status_color(status), &format!("{} {status}", symbol(Some(status))));
            out.push_str(&format!("┌─ {name} · {painted} · execution {}\n", execution_label(execution)));
        }
        None => out.push_str(&format!("┌─ {name} · {}\n", style.paint(Color::Dim, "not run"))),
    }
    if stage.action_states.is_empty() {
        out.push_str(&format!("│  {}\n", style.paint(Color::Dim, "(no actions)")));
    }
    for action in &stage.action_states {
        action_line(out, action, name_width, style);
        if waits_for_approval(action) {
            let target = format!("{}/{}", stage.stage_name, action.action_name);
            let hint = format!(
                "an admin or approver can run `sluice approve {pipeline} {target}` (or `sluice reject {pipeline} {target}`)"
            );
            out.push_str(&format!("│       {}\n", style.paint(Color::Yellow, &hint)));
        }
    }
    out.push_str("└─\n");
}

fn action_line(out: &mut String, action: &ActionState, name_width: usize, style: Style) {
    let execution = action.latest_execution.as_ref();
    let status = execution.map(|e| e.status.as_str());
    let word = status.unwrap_or("not run");
    let color = status_color(word);
    let name = &action.action_name;
    let padded_name = format!("{name:<name_width$}");
    let pad = " ".repeat(STATUS_WIDTH.saturating_sub(word.chars().count()));
    let line = format!(
        "│  {} {padded_name}  {}{pad}  {}",
        style.maybe(color, symbol(status)),
        style.maybe(color, word),
        detail(action, style)
    );
    out.push_str(line.trim_end());
    out.push('\n');
}

/// What follows the status: the source revision, why it failed, or its summary.
fn detail(action: &ActionState, style: Style) -> String {
    let execution = action.latest_execution.as_ref();
    let summary = execution.and_then(|e| e.summary.as_deref()).map(|s| one_line(s, 72)).filter(|s| !s.is_empty());
    if let Some(revision) = &action.current_revision {
        let short = style.paint(Color::Yellow, &short_revision(&revision.revision_id));
        return match summary {
            Some(summary) => format!("{short} {summary}"),
            None => short,
        };
    }
    if waits_for_approval(action) {
        return summary.map_or_else(|| "waiting for approval".to_string(), |s| format!("waiting for approval: {s}"));
    }
    if let Some(execution) = execution {
        if execution.status == "Failed" {
            let error = execution.error_details.as_ref();
            let message = error.and_then(|e| e.message.as_deref()).map(|m| one_line(m, 72)).filter(|m| !m.is_empty());
            if let Some(message) = message.or(summary.clone()) {
                return style.paint(Color::Red, &message);
            }
        }
        if execution.status == "InProgress" {
            if let Some(percent) = execution.percent_complete {
                return format!("{percent}%{}", summary.map(|s| format!(" {s}")).unwrap_or_default());
            }
        }
    }
    summary.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::shapes::read;

    const FIXTURE: &str = include_str!("fixtures/get-pipeline-state.json");

    fn fixture() -> PipelineState {
        read("GetPipelineState", serde_json::from_str(FIXTURE).unwrap()).unwrap()
    }

    #[test]
    fn the_pipeline_is_drawn_stage_by_stage() {
        insta::assert_snapshot!(draw(&fixture(), Style::PLAIN));
    }

    #[test]
    fn colors_are_only_added_when_asked_for() {
        let plain = draw(&fixture(), Style::PLAIN);
        assert!(!plain.contains('\x1b'));
        let colored = draw(&fixture(), Style { color: true });
        assert!(colored.contains("\x1b[32m✓\x1b[0m"), "{colored}");
        let stripped = strip_ansi(&colored);
        assert_eq!(stripped, plain);
    }

    #[test]
    fn a_pipeline_that_never_ran_shows_every_action_as_not_run() {
        let state: PipelineState = read(
            "GetPipelineState",
            serde_json::json!({
                "pipelineName": "fresh",
                "pipelineVersion": 1,
                "stageStates": [
                    {"stageName": "Source", "actionStates": [{"actionName": "Src"}]},
                    {"stageName": "Build", "inboundTransitionState": {"enabled": true}, "actionStates": [{"actionName": "Make"}]}
                ]
            }),
        )
        .unwrap();
        assert_eq!(
            draw(&state, Style::PLAIN),
            "fresh · version 1\n\n\
             ┌─ Source · not run\n\
             │  · Src   not run\n\
             └─\n   ↓\n\
             ┌─ Build · not run\n\
             │  · Make  not run\n\
             └─\n"
        );
    }

    #[test]
    fn symbols_follow_the_status() {
        assert_eq!(symbol(Some("Succeeded")), "✓");
        assert_eq!(symbol(Some("Failed")), "✗");
        assert_eq!(symbol(Some("InProgress")), "…");
        assert_eq!(symbol(Some("Abandoned")), "⊘");
        assert_eq!(symbol(None), "·");
    }

    fn strip_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
