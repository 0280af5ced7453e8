//! The engine driver: feeds events to `sluice_engine::apply` one pipeline at
//! a time, commits the new state together with the effects in one store
//! transaction, then carries the effects out.
//!
//! The durable effects are rows written in that same transaction, which
//! makes them the outbox: a `queued` job is a dispatch not yet picked up, a
//! job's `cancel_requested` flag is a cancel not yet delivered, a timer row
//! is an armed timer. After a crash nothing is lost (the rows are there) and
//! nothing is doubled (a job is claimed under a fencing token and its result
//! is accepted once). What happens after the commit is only waking things
//! up: the executor, the timer task, listeners.

mod commit;
mod executor;
mod failpoints;
mod protocol;
mod recovery;
mod slot;
mod standalone;
mod timers;

pub use commit::parse_labels;
pub use failpoints::FailPoints;
pub use protocol::assignment;

use crate::clock::now_ms;
use sluice_engine::{Effect, Event, Notification, Outcome, PipelineState, Rejection, StartRequest, Trigger};
use sluice_model::PipelineDeclaration;
use sluice_store::{PipelineRow, Store};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;

/// How the driver runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// Workspaces, logs, artifacts and hosted repositories live here.
    pub data_dir: PathBuf,
    /// Jobs the embedded executor runs at once (0: no embedded executor).
    pub executor_slots: usize,
    /// How long a job's lease lasts without a heartbeat: an agent silent
    /// for this long is lost (`--agent-lost-after`).
    pub lease: Duration,
    /// Between SIGTERM and SIGKILL when a job is cancelled.
    pub kill_grace: Duration,
    /// How many times a job whose runner was lost is run again before the
    /// action fails.
    pub max_job_attempts: i64,
    pub failpoints: FailPoints,
    /// The key secrets are encrypted with (made when missing). `None`:
    /// `<data_dir>/secret-key`.
    pub secret_key_file: Option<PathBuf>,
    /// Where artifacts live; `<data_dir>/artifacts` when unset.
    pub artifact_store: Option<sluice_artifacts::ArtifactStore>,
    /// Deploy/S3 buckets mapped to a directory or an S3-compatible store;
    /// any other bucket is the directory `<data_dir>/buckets/<name>`.
    pub deploy_buckets: Vec<(String, sluice_artifacts::ArtifactStore)>,
}

impl Options {
    pub fn new(database_url: impl Into<String>, data_dir: impl Into<PathBuf>) -> Options {
        Options {
            database_url: database_url.into(),
            data_dir: data_dir.into(),
            executor_slots: 8,
            lease: Duration::from_secs(30),
            kill_grace: Duration::from_secs(5),
            max_job_attempts: 3,
            failpoints: FailPoints::default(),
            secret_key_file: None,
            artifact_store: None,
            deploy_buckets: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Rejected(#[from] Rejection),
    #[error(transparent)]
    Store(#[from] sluice_store::Error),
    #[error("pipeline {0} does not exist")]
    PipelineNotFound(String),
    #[error("the stored data of pipeline {0} cannot be read: {1}")]
    Corrupt(String, String),
    #[error("the driver stopped (failpoint {0})")]
    Crashed(&'static str),
    #[error("the driver is shut down")]
    ShutDown,
    #[error(transparent)]
    SecretKey(#[from] crate::secrets::cipher::KeyError),
}

/// What `StartPipelineExecution` and triggers pass in.
#[derive(Debug, Clone, Default)]
pub struct StartArgs {
    pub trigger_type: String,
    pub trigger_detail: String,
    pub variables: std::collections::BTreeMap<String, String>,
    pub source_revisions: std::collections::BTreeMap<String, String>,
    pub client_request_token: Option<String>,
}

/// Extra conditions and data of one commit besides the engine's outcome.
#[derive(Debug, Clone, Default)]
pub(crate) struct CommitExtra {
    pub complete_job: Option<(String, i64)>,
    pub job_result: Option<serde_json::Value>,
    pub idempotency: Option<(String, String)>,
    /// A declaration version to make known before applying the event.
    pub new_declaration: Option<(i64, PipelineDeclaration)>,
}

/// A cheap handle on the running driver.
#[derive(Clone)]
pub struct Driver {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub store: Store,
    pub options: Options,
    pub slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<slot::Slot>>>>>,
    pub jobs_ready: Notify,
    pub timers_changed: Notify,
    pub notifications: broadcast::Sender<(String, Notification)>,
    /// Jobs the embedded agent runs now.
    pub embedded_running: std::sync::atomic::AtomicUsize,
    /// Job ids whose cancel was just committed: heartbeats waiting on them answer at once.
    pub cancels: broadcast::Sender<String>,
    /// Job ids whose log grew or whose job ended: live log followers wake on them.
    pub log_appended: broadcast::Sender<String>,
    pub shutdown: CancellationToken,
    /// Fires when the server stops taking requests (before `shutdown`): long-polls and log
    /// streams end, so that the in-flight requests the server waits for finish.
    pub closing: CancellationToken,
    /// Names this process's embedded executor as a lease owner.
    pub owner: String,
    pub artifacts: sluice_artifacts::ArtifactStore,
    pub cipher: Arc<crate::secrets::cipher::Cipher>,
    /// `StartBuild` jobs running in this process, to stop them.
    pub standalone: Mutex<HashMap<String, CancellationToken>>,
    pub deploy_targets: sluice_runner::DeployTargets,
}

impl Driver {
    /// Connects to the store, recovers what a previous run left (timers,
    /// jobs of a previous embedded executor) and starts the background tasks.
    pub async fn start(options: Options) -> Result<Driver, Error> {
        let key_file = options.secret_key_file.clone().unwrap_or_else(|| options.data_dir.join("secret-key"));
        let cipher = Arc::new(crate::secrets::cipher::Cipher::load_or_create(&key_file)?);
        let store = Store::connect(&options.database_url).await?;
        let (notifications, _) = broadcast::channel(4096);
        let artifacts = (options.artifact_store.clone())
            .unwrap_or_else(|| sluice_artifacts::ArtifactStore::local(options.data_dir.join("artifacts")));
        let deploy_targets =
            sluice_runner::DeployTargets::new(options.data_dir.join("buckets"), options.deploy_buckets.clone());
        let inner = Arc::new(Inner {
            store,
            options,
            slots: Mutex::new(HashMap::new()),
            jobs_ready: Notify::new(),
            timers_changed: Notify::new(),
            notifications,
            embedded_running: std::sync::atomic::AtomicUsize::new(0),
            // Small: a receiver that lags re-reads the store (broadcast slots are allocated up front).
            cancels: broadcast::channel(128).0,
            log_appended: broadcast::channel(128).0,
            shutdown: CancellationToken::new(),
            closing: CancellationToken::new(),
            owner: format!("embedded:{}", uuid::Uuid::new_v4()),
            artifacts,
            cipher,
            standalone: Mutex::new(HashMap::new()),
            deploy_targets,
        });
        let driver = Driver { inner };
        recovery::recover(&driver).await?;
        tokio::spawn(timers::run(driver.clone()));
        tokio::spawn(recovery::sweep_expired_leases(driver.clone()));
        if driver.inner.options.executor_slots > 0 {
            tokio::spawn(executor::run(driver.clone()));
        }
        Ok(driver)
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// What secrets are sealed with.
    pub fn cipher(&self) -> &crate::secrets::cipher::Cipher {
        &self.inner.cipher
    }

    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    /// Stops every background task and cancels the jobs running here.
    pub fn shutdown(&self) {
        self.inner.closing.cancel();
        self.inner.shutdown.cancel();
    }

    /// Ends long-polls and log streams: the server is about to stop.
    pub fn close_requests(&self) {
        self.inner.closing.cancel();
    }

    /// Fires when the server is about to stop (see [`Driver::close_requests`]).
    pub fn closing(&self) -> CancellationToken {
        self.inner.closing.clone()
    }

    /// How many jobs the embedded executor runs now.
    pub fn running_jobs(&self) -> usize {
        self.inner.embedded_running.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Resolves when the driver has stopped (shut down, or a failpoint hit).
    pub async fn stopped(&self) {
        self.inner.shutdown.cancelled().await
    }

    /// Status changes as they are committed: `(pipeline, notification)`.
    pub fn subscribe(&self) -> broadcast::Receiver<(String, Notification)> {
        self.inner.notifications.subscribe()
    }

    /// Stores a new pipeline and starts its first execution (as creating a
    /// pipeline does in CodePipeline). Returns the row and the execution id.
    pub async fn create_pipeline(
        &self,
        declaration: &PipelineDeclaration,
        by: &str,
    ) -> Result<(PipelineRow, String), Error> {
        self.create_pipeline_tagged(declaration, &Default::default(), by).await
    }

    pub async fn create_pipeline_tagged(
        &self,
        declaration: &PipelineDeclaration,
        tags: &sluice_store::Tags,
        by: &str,
    ) -> Result<(PipelineRow, String), Error> {
        let json = stored_json(declaration);
        let row = self.inner.store.create_pipeline(&declaration.name, &json, tags, now_ms()).await?;
        let args =
            StartArgs { trigger_type: "CreatePipeline".into(), trigger_detail: by.into(), ..StartArgs::default() };
        let id = self.start_execution(&declaration.name, args).await?;
        Ok((row, id))
    }

    /// Removes a pipeline and everything it owns; its running jobs lose
    /// their lease and stop.
    pub async fn delete_pipeline(&self, name: &str) -> Result<(), Error> {
        let slot = self.slot(name);
        let mut guard = slot.lock().await;
        match self.inner.store.delete_pipeline(name).await {
            Ok(()) => {}
            Err(sluice_store::Error::NotFound) => return Err(Error::PipelineNotFound(name.to_string())),
            Err(e) => return Err(e.into()),
        }
        *guard = None;
        drop(guard);
        self.inner.slots.lock().expect("slots lock").remove(name);
        Ok(())
    }

    /// Stores a new version; executions already under way go on as the
    /// engine decides (see ARCHITECTURE.md).
    pub async fn update_pipeline(&self, declaration: &PipelineDeclaration) -> Result<PipelineRow, Error> {
        let json = stored_json(declaration);
        let row = match self.inner.store.update_pipeline(&declaration.name, &json, now_ms()).await {
            Err(sluice_store::Error::NotFound) => return Err(Error::PipelineNotFound(declaration.name.clone())),
            other => other?,
        };
        let extra = CommitExtra { new_declaration: Some((row.version, declaration.clone())), ..CommitExtra::default() };
        self.submit_with(&declaration.name, Event::PipelineUpdated { version: row.version }, extra).await?;
        Ok(row)
    }

    /// Starts an execution; with a client request token, a repeated start
    /// returns the first execution's id.
    pub async fn start_execution(&self, pipeline: &str, args: StartArgs) -> Result<String, Error> {
        if let Some(token) = &args.client_request_token {
            if let Some(existing) = self.inner.store.find_idempotent(pipeline, token).await? {
                return Ok(existing);
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        let request = StartRequest {
            execution_id: id.clone(),
            trigger: Trigger { trigger_type: args.trigger_type, trigger_detail: args.trigger_detail },
            variables: args.variables,
            source_revisions: args.source_revisions,
        };
        let extra = CommitExtra {
            idempotency: args.client_request_token.map(|token| (token, id.clone())),
            ..CommitExtra::default()
        };
        match self.submit_with(pipeline, Event::Start(request), extra).await {
            Ok(_) => Ok(id),
            Err(Error::Store(sluice_store::Error::DuplicateToken(existing))) => Ok(existing),
            Err(e) => Err(e),
        }
    }

    /// Applies one event to a pipeline.
    pub async fn submit(&self, pipeline: &str, event: Event) -> Result<Outcome, Error> {
        self.submit_with(pipeline, event, CommitExtra::default()).await
    }

    /// The coordination state of a pipeline, as committed.
    pub async fn state(&self, pipeline: &str) -> Result<PipelineState, Error> {
        let slot = self.slot(pipeline);
        let mut guard = slot.lock().await;
        if guard.is_none() {
            match slot::Slot::load(&self.inner.store, pipeline).await {
                Ok(loaded) => *guard = Some(loaded),
                Err(e) => {
                    drop(guard);
                    self.forget_empty_slot(pipeline, &slot);
                    return Err(e);
                }
            }
        }
        Ok(guard.as_ref().expect("loaded").state.clone())
    }

    /// A job's result, reported under the lease token it was claimed with.
    /// A stale token (the lease was taken away) is refused.
    pub async fn report(
        &self,
        job: &sluice_engine::Job,
        token: i64,
        result: sluice_engine::ActionResult,
    ) -> Result<(), Error> {
        let extra = CommitExtra {
            complete_job: Some((job.id.clone(), token)),
            job_result: Some(serde_json::to_value(&result).expect("results serialize")),
            ..CommitExtra::default()
        };
        let event = Event::ActionFinished {
            execution_id: job.execution_id.clone(),
            action_execution_id: job.id.clone(),
            result,
        };
        self.submit_with(&job.pipeline_name, event, extra).await?;
        // Live log followers stop at the job's end.
        self.log_appended(&job.id);
        Ok(())
    }

    pub(crate) fn slot(&self, pipeline: &str) -> Arc<tokio::sync::Mutex<Option<slot::Slot>>> {
        let mut slots = self.inner.slots.lock().expect("slots lock");
        slots.entry(pipeline.to_string()).or_default().clone()
    }

    fn forget_empty_slot(&self, pipeline: &str, slot: &Arc<tokio::sync::Mutex<Option<slot::Slot>>>) {
        let mut slots = self.inner.slots.lock().expect("slots lock");
        // Clones are taken under this lock: two references (the map's and
        // ours) mean nobody else is about to use it.
        let unused =
            slots.get(pipeline).is_some_and(|current| Arc::ptr_eq(current, slot)) && Arc::strong_count(slot) == 2;
        if unused {
            slots.remove(pipeline);
        }
    }

    pub(crate) async fn submit_with(&self, pipeline: &str, event: Event, extra: CommitExtra) -> Result<Outcome, Error> {
        if self.inner.shutdown.is_cancelled() {
            return Err(Error::ShutDown);
        }
        let slot = self.slot(pipeline);
        let mut guard = slot.lock().await;
        // Another replica may have moved the state on: reload and try again.
        for _ in 0..5 {
            if guard.is_none() {
                match slot::Slot::load(&self.inner.store, pipeline).await {
                    Ok(loaded) => *guard = Some(loaded),
                    Err(e) => {
                        // Requests naming pipelines that do not exist must not
                        // grow the slot map.
                        drop(guard);
                        self.forget_empty_slot(pipeline, &slot);
                        return Err(e);
                    }
                }
            }
            let slot = guard.as_mut().expect("loaded");
            if let Some((version, declaration)) = &extra.new_declaration {
                slot.declarations.insert(*version, declaration.clone());
            }
            let mut state = slot.state.clone();
            let now = now_ms();
            let outcome =
                sluice_engine::apply(&mut state, &slot.declarations, event.clone(), now, &mut crate::ids::RandomIds)?;
            let commit = commit::build(pipeline, slot.revision, &state, &event, &outcome, &extra, now);
            self.inner.options.failpoints.check("before-commit", &self.inner.shutdown)?;
            match self.inner.store.commit(&commit).await {
                Ok(revision) => {
                    slot.revision = Some(revision);
                    slot.state = state;
                    self.inner.options.failpoints.check("after-commit", &self.inner.shutdown)?;
                    self.carry_out(pipeline, &outcome);
                    return Ok(outcome);
                }
                Err(sluice_store::Error::Conflict) => *guard = None,
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Store(sluice_store::Error::Conflict))
    }

    /// After a commit: wake whoever has work now.
    fn carry_out(&self, pipeline: &str, outcome: &Outcome) {
        for effect in &outcome.effects {
            match effect {
                Effect::Dispatch(_) => self.inner.jobs_ready.notify_waiters(),
                Effect::Cancel { job_id } => {
                    let _ = self.inner.cancels.send(job_id.clone());
                    // A job cancelled before it ran has ended: its log followers stop.
                    self.log_appended(job_id);
                }
                Effect::SetTimer { .. } => self.inner.timers_changed.notify_one(),
                Effect::ClearTimer { .. } => {}
                Effect::Notify(notification) => {
                    let _ = self.inner.notifications.send((pipeline.to_string(), notification.clone()));
                }
            }
        }
    }
}

/// The declaration as stored: the version lives in the pipeline row.
fn stored_json(declaration: &PipelineDeclaration) -> serde_json::Value {
    let declaration = PipelineDeclaration { version: None, ..declaration.clone() };
    serde_json::to_value(&declaration).expect("declarations serialize")
}
