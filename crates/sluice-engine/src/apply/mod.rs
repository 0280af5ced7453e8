//! [`apply`]: one event against one pipeline's state. One file per event,
//! plus the shared movements: `gates` (entering and leaving stages) and
//! `stage` (running a stage's actions in runOrder groups).

mod approval;
mod dispatch;
mod finished;
mod gates;
mod retry;
mod rollback;
mod stage;
mod start;
mod stop;
mod timer;
mod transition;
mod update;

use crate::Millis;
use crate::effect::{Effect, Notification};
use crate::error::Rejection;
use crate::event::Event;
use crate::execution::Execution;
use crate::ids::Ids;
use crate::state::PipelineState;
use sluice_model::PipelineDeclaration;
use sluice_model::status::{ActionExecutionStatus, PipelineExecutionStatus, StageExecutionStatus};
use std::collections::{BTreeMap, BTreeSet};

/// The pipeline declarations by version: executions run the version they
/// started with.
pub trait Declarations {
    fn get(&self, version: i64) -> Option<&PipelineDeclaration>;
}

impl Declarations for BTreeMap<i64, PipelineDeclaration> {
    fn get(&self, version: i64) -> Option<&PipelineDeclaration> {
        BTreeMap::get(self, &version)
    }
}

/// What an event did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcome {
    /// To carry out after the state is committed.
    pub effects: Vec<Effect>,
    /// Every execution the event changed, as it is now: the rows to write.
    pub executions: Vec<Execution>,
    /// Ids of executions that left the state (history from now on).
    pub retired: Vec<String>,
}

/// Applies `event` to `state`. On `Err` the state is unchanged: every
/// handler checks what it needs before it changes anything.
pub fn apply(
    state: &mut PipelineState,
    declarations: &dyn Declarations,
    event: Event,
    now: Millis,
    ids: &mut dyn Ids,
) -> Result<Outcome, Rejection> {
    let mut cx =
        Ctx { state, declarations, now, ids, effects: Vec::new(), changed: BTreeSet::new(), retired: BTreeMap::new() };
    match event {
        Event::Start(request) => start::start(&mut cx, request)?,
        Event::ActionFinished { execution_id, action_execution_id, result } => {
            finished::action_finished(&mut cx, &execution_id, &action_execution_id, result)?
        }
        Event::Approval { execution_id, stage, action, token, decision, summary, by } => {
            approval::approval(&mut cx, execution_id.as_deref(), &stage, &action, &token, decision, &summary, &by)?
        }
        Event::TimerFired { timer_id } => timer::timer_fired(&mut cx, &timer_id)?,
        Event::Stop { execution_id, abandon, reason, by } => stop::stop(&mut cx, &execution_id, abandon, reason, &by)?,
        Event::Retry { execution_id, stage, mode, by } => retry::retry(&mut cx, &execution_id, &stage, mode, &by)?,
        Event::Rollback { stage, target, new_execution_id, by, automatic } => {
            rollback::rollback(&mut cx, &stage, &target, &new_execution_id, &by, automatic)?
        }
        Event::SetTransition { stage, enabled, reason, by } => {
            transition::set_transition(&mut cx, &stage, enabled, reason, &by)?
        }
        Event::PipelineUpdated { version } => update::pipeline_updated(&mut cx, version)?,
    }
    Ok(cx.finish())
}

/// The working context of one `apply`.
pub(crate) struct Ctx<'a> {
    pub state: &'a mut PipelineState,
    pub declarations: &'a dyn Declarations,
    pub now: Millis,
    pub ids: &'a mut dyn Ids,
    pub effects: Vec<Effect>,
    changed: BTreeSet<String>,
    retired: BTreeMap<String, Execution>,
}

impl<'a> Ctx<'a> {
    fn finish(self) -> Outcome {
        let mut executions: Vec<Execution> = Vec::new();
        for id in &self.changed {
            if let Some(execution) = self.state.executions.get(id) {
                executions.push(execution.clone());
            }
        }
        let retired: Vec<String> = self.retired.keys().cloned().collect();
        executions.extend(self.retired.into_values());
        Outcome { effects: self.effects, executions, retired }
    }

    /// The execution `id`, marked as changed.
    pub fn exec(&mut self, id: &str) -> &mut Execution {
        self.changed.insert(id.to_string());
        self.state.executions.get_mut(id).expect("execution present in state")
    }

    /// The declaration an execution runs.
    pub fn declaration_of(&self, id: &str) -> &'a PipelineDeclaration {
        let version = self.state.executions[id].pipeline_version;
        self.declaration(version)
    }

    pub fn declaration(&self, version: i64) -> &'a PipelineDeclaration {
        let declarations: &'a dyn Declarations = self.declarations;
        declarations.get(version).expect("the declaration of every live version is provided")
    }

    pub fn current_declaration(&self) -> &'a PipelineDeclaration {
        self.declaration(self.state.current_version)
    }

    /// Takes an execution out of the state: it is history from now on.
    pub fn retire(&mut self, id: &str) {
        if let Some(execution) = self.state.executions.remove(id) {
            self.changed.remove(id);
            self.retired.insert(id.to_string(), execution);
        }
    }

    pub fn set_status(&mut self, id: &str, status: PipelineExecutionStatus, summary: Option<String>) {
        let now = self.now;
        let execution = self.exec(id);
        execution.status = status;
        if summary.is_some() {
            execution.status_summary = summary;
        }
        execution.updated_at = now;
        self.effects.push(Effect::Notify(Notification::Execution { execution_id: id.to_string(), status }));
    }

    pub fn set_stage_status(&mut self, id: &str, stage: usize, status: StageExecutionStatus) {
        let now = self.now;
        let execution = self.exec(id);
        execution.stages[stage].status = Some(status);
        execution.updated_at = now;
        let stage = execution.stages[stage].name.clone();
        self.effects.push(Effect::Notify(Notification::Stage { execution_id: id.to_string(), stage, status }));
    }

    pub fn notify_action(&mut self, id: &str, stage: usize, action: usize, status: ActionExecutionStatus) {
        let execution = &self.state.executions[id];
        let stage_run = &execution.stages[stage];
        self.effects.push(Effect::Notify(Notification::Action {
            execution_id: id.to_string(),
            stage: stage_run.name.clone(),
            action: stage_run.actions[action].name.clone(),
            status,
        }));
    }

    pub fn set_timer(&mut self, timer_id: String, at: Millis, kind: crate::effect::TimerKind) {
        self.state.timers.insert(timer_id.clone(), crate::state::PendingTimer { at, kind: kind.clone() });
        self.effects.push(Effect::SetTimer { timer_id, at, kind });
    }

    pub fn clear_timer(&mut self, timer_id: &str) {
        if self.state.timers.remove(timer_id).is_some() {
            self.effects.push(Effect::ClearTimer { timer_id: timer_id.to_string() });
        }
    }
}

/// The id of the timeout timer of an action attempt.
pub(crate) fn timeout_timer(action_execution_id: &str) -> String {
    format!("timeout:{action_execution_id}")
}
