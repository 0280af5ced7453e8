//! Enable- and DisableStageTransition: the gate in front of a stage.

use super::{Ctx, gates};
use crate::error::Rejection;
use crate::state::Transition;

pub fn set_transition(
    cx: &mut Ctx<'_>,
    stage_name: &str,
    enabled: bool,
    reason: Option<String>,
    by: &str,
) -> Result<(), Rejection> {
    if !cx.current_declaration().stages.iter().any(|s| s.name == stage_name) {
        return Err(Rejection::StageNotFound(stage_name.to_string()));
    }
    let reason = reason.filter(|r| !r.trim().is_empty());
    if !enabled && reason.is_none() {
        return Err(Rejection::Validation("disabling a transition needs a reason".into()));
    }
    let now = cx.now;
    cx.state.gate(stage_name).transition = Transition {
        enabled,
        disabled_reason: if enabled { None } else { reason },
        last_changed_by: Some(by.to_string()),
        last_changed_at: Some(now),
    };
    if enabled {
        // The latest waiting execution (the only one, in SUPERSEDED mode)
        // enters now.
        gates::admit(cx, stage_name);
    }
    Ok(())
}
