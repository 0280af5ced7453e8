//! A small simulator around `sluice_engine::apply`: a clock, sequential
//! ids, the jobs handed out, and a readable picture of the state.

use sluice_engine::{
    ActionResult, ApprovalDecision, ArtifactLocation, Effect, Event, Execution, Job, Millis, Outcome, PipelineState,
    Position, Rejection, RetryMode, SequentialIds, StartRequest, Trigger, apply,
};
use sluice_model::source::Format;
use sluice_model::{Document, PipelineDeclaration};
use std::collections::BTreeMap;
use std::fmt::Write;

pub const MINUTE: Millis = 60_000;

pub struct Sim {
    pub state: PipelineState,
    pub declarations: BTreeMap<i64, PipelineDeclaration>,
    pub ids: SequentialIds,
    pub now: Millis,
    /// Executions that left the state.
    pub history: BTreeMap<String, Execution>,
    /// Jobs dispatched and neither finished nor cancelled.
    pub jobs: BTreeMap<String, Job>,
    pub cancelled: Vec<String>,
    next_execution: u32,
    pub trace: String,
}

pub fn declaration(yaml: &str) -> PipelineDeclaration {
    let document = Document::check_as(Format::Yaml, yaml);
    assert!(document.is_valid(), "test pipeline is invalid: {:#?}", document.diagnostics);
    document.pipeline.expect("valid")
}

impl Sim {
    pub fn new(yaml: &str) -> Sim {
        let declaration = declaration(yaml);
        let names: Vec<&str> = declaration.stages.iter().map(|s| s.name.as_str()).collect();
        let state = PipelineState::new(&declaration.name, 1, &names);
        Sim {
            state,
            declarations: BTreeMap::from([(1, declaration)]),
            ids: SequentialIds::default(),
            now: 1_000_000,
            history: BTreeMap::new(),
            jobs: BTreeMap::new(),
            cancelled: Vec::new(),
            next_execution: 0,
            trace: String::new(),
        }
    }

    pub fn apply(&mut self, event: Event) -> Result<Outcome, Rejection> {
        let outcome = apply(&mut self.state, &self.declarations, event, self.now, &mut self.ids)?;
        for effect in &outcome.effects {
            match effect {
                Effect::Dispatch(job) => {
                    self.jobs.insert(job.id.clone(), (**job).clone());
                }
                Effect::Cancel { job_id } => {
                    self.jobs.remove(job_id);
                    self.cancelled.push(job_id.clone());
                }
                _ => {}
            }
        }
        for execution in &outcome.executions {
            if outcome.retired.contains(&execution.id) {
                self.history.insert(execution.id.clone(), execution.clone());
            }
        }
        Ok(outcome)
    }

    /// Applies an event that must be accepted, and records the step.
    pub fn step(&mut self, label: &str, event: Event) -> Outcome {
        let outcome = self.apply(event).unwrap_or_else(|e| panic!("{label}: refused: {e}"));
        self.record(label);
        outcome
    }

    /// Applies an event that must be refused, and returns the refusal.
    pub fn refused(&mut self, label: &str, event: Event) -> Rejection {
        let before = self.state.clone();
        let rejection = self.apply(event).expect_err(label);
        assert_eq!(self.state, before, "{label}: a refused event changed the state");
        let _ = writeln!(self.trace, "## {label}\nrefused: {} ({rejection})\n", rejection.aws_type());
        rejection
    }

    pub fn record(&mut self, label: &str) {
        let picture = self.picture();
        let _ = writeln!(self.trace, "## {label}\n{picture}");
    }

    pub fn start_with(&mut self, variables: &[(&str, &str)]) -> Result<String, Rejection> {
        self.next_execution += 1;
        let id = format!("e{}", self.next_execution);
        let request = StartRequest {
            execution_id: id.clone(),
            trigger: Trigger { trigger_type: "StartPipelineExecution".into(), trigger_detail: "tester".into() },
            variables: variables.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            source_revisions: BTreeMap::new(),
        };
        self.apply(Event::Start(request))?;
        self.record(&format!("start {id}"));
        Ok(id)
    }

    pub fn start(&mut self) -> String {
        self.start_with(&[]).expect("start accepted")
    }

    /// The running job of `action` in execution `execution`.
    pub fn job(&self, execution: &str, action: &str) -> Job {
        self.jobs
            .values()
            .find(|j| j.execution_id == execution && j.action == action)
            .unwrap_or_else(|| panic!("no running job for {execution}/{action}; jobs: {:?}", self.jobs.keys()))
            .clone()
    }

    pub fn has_job(&self, execution: &str, action: &str) -> bool {
        self.jobs.values().any(|j| j.execution_id == execution && j.action == action)
    }

    pub fn finish(&mut self, execution: &str, action: &str, succeeded: bool, variables: &[(&str, &str)]) {
        let job = self.job(execution, action);
        self.jobs.remove(&job.id);
        let result = ActionResult {
            succeeded,
            error: (!succeeded).then(|| "exit status 1".to_string()),
            output_variables: variables.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            output_artifacts: job
                .output_artifacts
                .iter()
                .map(|o| ArtifactLocation { name: o.name.clone(), location: format!("{execution}/{}", o.name) })
                .collect(),
            ..ActionResult::default()
        };
        let verb = if succeeded { "succeeds" } else { "fails" };
        self.step(
            &format!("{execution}/{action} {verb}"),
            Event::ActionFinished { execution_id: execution.into(), action_execution_id: job.id, result },
        );
    }

    pub fn succeed(&mut self, execution: &str, action: &str) {
        self.finish(execution, action, true, &[]);
    }

    pub fn fail(&mut self, execution: &str, action: &str) {
        self.finish(execution, action, false, &[]);
    }

    pub fn execution(&self, id: &str) -> &Execution {
        self.state.executions.get(id).or_else(|| self.history.get(id)).unwrap_or_else(|| panic!("no execution {id}"))
    }

    pub fn status(&self, id: &str) -> String {
        self.execution(id).status.to_string()
    }

    pub fn token(&self, execution: &str, action: &str) -> String {
        let e = self.execution(execution);
        e.stages
            .iter()
            .flat_map(|s| &s.actions)
            .find(|a| a.name == action)
            .and_then(|a| a.latest.as_ref()?.token.clone())
            .expect("an approval token")
    }

    pub fn decide(
        &mut self,
        execution: &str,
        stage: &str,
        action: &str,
        decision: ApprovalDecision,
    ) -> Result<Outcome, Rejection> {
        let token = self.token(execution, action);
        self.apply(Event::Approval {
            execution_id: None,
            stage: stage.into(),
            action: action.into(),
            token,
            decision,
            summary: "looks good".into(),
            by: "approver".into(),
        })
    }

    pub fn stop(&mut self, execution: &str, abandon: bool) -> Result<Outcome, Rejection> {
        self.apply(Event::Stop { execution_id: execution.into(), abandon, reason: None, by: "operator".into() })
    }

    pub fn retry(&mut self, execution: &str, stage: &str, mode: RetryMode) -> Result<Outcome, Rejection> {
        self.apply(Event::Retry { execution_id: execution.into(), stage: stage.into(), mode, by: "operator".into() })
    }

    /// Moves the clock and fires every timer that came due, oldest first.
    pub fn wait(&mut self, ms: Millis) {
        self.now += ms;
        loop {
            let due = self
                .state
                .timers
                .iter()
                .filter(|(_, t)| t.at <= self.now)
                .min_by_key(|(_, t)| t.at)
                .map(|(id, _)| id.clone());
            let Some(timer_id) = due else { break };
            self.apply(Event::TimerFired { timer_id }).expect("timers are always accepted");
        }
        self.record(&format!("{} minutes later", ms / MINUTE));
    }

    /// One line per gate and per execution.
    pub fn picture(&self) -> String {
        let mut out = String::new();
        for (name, gate) in &self.state.gates {
            let mut line = String::new();
            if let Some(o) = &gate.occupant {
                let _ = write!(line, " in={o}");
            }
            if !gate.waiting.is_empty() {
                let waiting: Vec<&str> = gate.waiting.iter().map(String::as_str).collect();
                let _ = write!(line, " waiting=[{}]", waiting.join(","));
            }
            if !gate.transition.enabled {
                let _ = write!(line, " DISABLED");
            }
            if !line.is_empty() {
                let _ = writeln!(out, "gate {name}:{line}");
            }
        }
        let mut all: Vec<&Execution> = self.state.executions.values().chain(self.history.values()).collect();
        all.sort_by_key(|e| (e.id.len(), e.id.clone()));
        all.dedup_by_key(|e| e.id.clone());
        for e in all {
            let place = match e.position {
                Position::Waiting(k) => format!("waiting before {}", e.stages[k].name),
                Position::InStage(k) => format!("in {}", e.stages[k].name),
                Position::Done => "done".into(),
            };
            let live = if self.state.executions.contains_key(&e.id) { "" } else { " (history)" };
            let _ =
                write!(out, "{} v{} {:?} {}: {place}{live} |", e.id, e.pipeline_version, e.execution_type, e.status);
            for stage in &e.stages {
                let Some(status) = stage.status else { continue };
                let actions: Vec<String> = stage
                    .actions
                    .iter()
                    .filter_map(|a| {
                        let latest = a.latest.as_ref()?;
                        let retries =
                            if a.history.is_empty() { String::new() } else { format!("#{}", a.history.len() + 1) };
                        Some(format!("{}{retries}={}", a.name, latest.status))
                    })
                    .collect();
                let _ = write!(out, " {}={status}[{}]", stage.name, actions.join(" "));
            }
            if let Some(summary) = &e.status_summary {
                let _ = write!(out, " ({summary})");
            }
            out.push('\n');
        }
        out
    }
}

/// A three-stage pipeline: Source, Build (one Commands action), Deploy.
pub const LINEAR: &str = r#"
name: linear
pipelineType: V2
variables:
  - name: env
    defaultValue: staging
stages:
  - name: Source
    actions:
      - name: Src
        namespace: SourceVariables
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: main}
        outputArtifacts: [{name: SourceOut}]
  - name: Build
    actions:
      - name: Compile
        namespace: BuildVariables
        actionTypeId: {category: Compute, owner: AWS, provider: Commands, version: "1"}
        commands: ["make COMMIT=#{SourceVariables.CommitId} ENV=#{variables.env} ID=#{codepipeline.PipelineExecutionId}"]
        outputVariables: [VERSION]
        inputArtifacts: [{name: SourceOut}]
        outputArtifacts: [{name: BuildOut}]
  - name: Deploy
    actions:
      - name: Ship
        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: "1"}
        configuration: {BucketName: site, Extract: "false", ObjectKey: "app-#{BuildVariables.VERSION}.zip"}
        inputArtifacts: [{name: BuildOut}]
"#;

/// Replaces the execution mode of a pipeline text.
pub fn with_mode(yaml: &str, mode: &str) -> String {
    yaml.replacen("pipelineType: V2\n", &format!("pipelineType: V2\nexecutionMode: {mode}\n"), 1)
}

/// Runs an execution through its Source stage.
pub fn through_source(sim: &mut Sim, id: &str) {
    sim.finish(id, "Src", true, &[("CommitId", &format!("c-{id}"))]);
}
