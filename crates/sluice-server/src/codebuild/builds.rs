//! Build records: created when a CodeBuild run is claimed (number, id, the
//! phases up to provisioning), completed from the agent's `BuildRecord`.
//! Stored as the service model's `Build` shape; what sluice keeps for itself
//! sits under `_sluice` and never reaches the wire.

use super::{BUILD, STANDALONE, arn};
use crate::aws::wire::timestamp;
use serde_json::{Value, json};
use sluice_protocol::{BuildIdentity, BuildPhase, BuildRecord, PhaseStatus, PhaseType, RunOutcome};
use sluice_store::{ResourceRow, Store};

/// A build's id for the job that runs it: `<project>:<job id>`. One job is
/// one build; a job run again after its agent was lost keeps its build.
pub fn id_for_job(project: &str, job_id: &str) -> String {
    format!("{project}:{job_id}")
}

/// Records a build as provisioning and hands out its number.
pub async fn begin(
    store: &Store,
    project: &ResourceRow,
    job_id: &str,
    initiator: &str,
    queued_at: i64,
    now: i64,
) -> Result<BuildIdentity, sluice_store::Error> {
    let name = &project.key;
    let id = id_for_job(name, job_id);
    // A job run again (its agent was lost) is the same build: same number
    // and start, new phases.
    let earlier = store.get_resource(BUILD, &id).await?;
    let (number, queued_at) = match &earlier {
        Some(row) => (row.body["buildNumber"].as_i64().unwrap_or(0), row.sort_at),
        None => (store.bump_counter(super::PROJECT, name).await?, queued_at),
    };
    let build_arn = arn::build(project.body["arn"].as_str().unwrap_or_default(), &id);
    let identity = BuildIdentity { id: id.clone(), arn: build_arn.clone(), number, initiator: initiator.to_owned() };
    let p = &project.body;
    let body = json!({
        "id": id,
        "arn": build_arn,
        "buildNumber": number,
        "startTime": timestamp(queued_at),
        "currentPhase": "PROVISIONING",
        "buildStatus": "IN_PROGRESS",
        "projectName": name,
        "phases": [
            phase_json(PhaseType::Submitted, Some(PhaseStatus::Succeeded), queued_at, Some(queued_at)),
            phase_json(PhaseType::Queued, Some(PhaseStatus::Succeeded), queued_at, Some(now)),
            phase_json(PhaseType::Provisioning, None, now, None),
        ],
        "source": p["source"],
        "secondarySources": p["secondarySources"],
        "artifacts": {},
        "environment": p["environment"],
        "serviceRole": p["serviceRole"],
        "cache": p["cache"],
        "timeoutInMinutes": p["timeoutInMinutes"],
        "queuedTimeoutInMinutes": p["queuedTimeoutInMinutes"],
        "buildComplete": false,
        "initiator": initiator,
        "logs": {"deepLink": format!("/api/v1/jobs/{job_id}/log")},
        "reportArns": [],
        "_sluice": {"jobId": job_id},
    });
    let row = ResourceRow {
        kind: BUILD.into(),
        key: id,
        parent: Some(name.clone()),
        sort_at: queued_at,
        counter: 0,
        body,
        created_at: now,
        updated_at: now,
    };
    match store.insert_resource(&row).await {
        Err(sluice_store::Error::NameInUse) => store.update_resource(BUILD, &row.key, &row.body, now).await?,
        other => other?,
    }
    Ok(identity)
}

/// Completes a build from how its run ended; `report_arns` are the reports
/// already stored for it.
pub async fn complete(
    store: &Store,
    build_id: &str,
    outcome: &RunOutcome,
    source_revision: Option<&str>,
    report_arns: &[String],
    now: i64,
) -> Result<(), sluice_store::Error> {
    let Some(row) = store.get_resource(BUILD, build_id).await? else { return Ok(()) };
    let mut body = row.body;
    let record = outcome.build.clone().unwrap_or_default();
    let mut phases: Vec<Value> = body["phases"]
        .as_array()
        .map(|known| {
            known.iter().filter(|p| p["phaseType"] == "SUBMITTED" || p["phaseType"] == "QUEUED").cloned().collect()
        })
        .unwrap_or_default();
    phases.extend(
        record
            .phases
            .iter()
            .filter(|p| !matches!(p.phase_type, PhaseType::Submitted | PhaseType::Queued))
            .map(phase_from_record),
    );
    if !phases.iter().any(|p| p["phaseType"] == "COMPLETED") {
        phases.push(phase_json(PhaseType::Completed, None, now, None));
    }
    body["phases"] = Value::Array(phases);
    body["buildStatus"] = json!(status(outcome, &record));
    body["currentPhase"] = json!("COMPLETED");
    body["buildComplete"] = json!(true);
    body["endTime"] = timestamp(now);
    body["exportedEnvironmentVariables"] =
        record.exported_variables.iter().map(|(name, value)| json!({"name": name, "value": value})).collect();
    body["reportArns"] = json!(report_arns);
    if let Some(revision) = source_revision {
        body["resolvedSourceVersion"] = json!(revision);
    }
    store.update_resource(BUILD, build_id, &body, now).await
}

/// The build's status: how its first phase that did not succeed ended.
fn status(outcome: &RunOutcome, record: &BuildRecord) -> &'static str {
    if outcome.result.succeeded {
        return "SUCCEEDED";
    }
    let worst = record.phases.iter().map(|p| p.phase_status).find(|s| *s != PhaseStatus::Succeeded);
    match worst {
        Some(PhaseStatus::TimedOut) => "TIMED_OUT",
        Some(PhaseStatus::Stopped) => "STOPPED",
        Some(PhaseStatus::Fault) => "FAULT",
        _ => "FAILED",
    }
}

fn phase_from_record(phase: &BuildPhase) -> Value {
    let mut value = phase_json(phase.phase_type, Some(phase.phase_status), phase.start_ms, Some(phase.end_ms));
    if !phase.contexts.is_empty() {
        value["contexts"] = json!(phase.contexts);
    }
    value
}

fn phase_json(kind: PhaseType, status: Option<PhaseStatus>, start: i64, end: Option<i64>) -> Value {
    let mut phase = json!({"phaseType": kind, "startTime": timestamp(start)});
    if let Some(status) = status {
        phase["phaseStatus"] = json!(status);
    }
    if let Some(end) = end {
        phase["endTime"] = timestamp(end);
        phase["durationInSeconds"] = json!((end - start).max(0) / 1000);
    }
    phase
}

/// Builds this server runs outside any pipeline are marked while they run:
/// no job row remembers them, so a restart must learn they were cut short.
pub async fn mark_standalone(store: &Store, build_id: &str, now: i64) -> Result<(), sluice_store::Error> {
    let marker = ResourceRow {
        kind: STANDALONE.into(),
        key: build_id.to_owned(),
        parent: None,
        sort_at: now,
        counter: 0,
        body: json!({}),
        created_at: now,
        updated_at: now,
    };
    store.insert_resource(&marker).await
}

pub async fn unmark_standalone(store: &Store, build_id: &str) {
    match store.delete_resource(STANDALONE, build_id).await {
        Ok(()) | Err(sluice_store::Error::NotFound) => {}
        Err(e) => tracing::warn!(build = %build_id, error = %e, "a finished build's marker could not be removed"),
    }
}

/// At start: the standalone builds an earlier run of this server did not
/// finish end as FAULT, saying why.
pub async fn end_interrupted(store: &Store, now: i64) -> Result<usize, sluice_store::Error> {
    let query = sluice_store::ResourceQuery { kind: STANDALONE, parent: None, newest_first: false };
    let mut ended = 0;
    loop {
        let page = store.list_resources(&query, 100, None).await?;
        if page.items.is_empty() {
            return Ok(ended);
        }
        for marker in page.items {
            if let Some(row) = store.get_resource(BUILD, &marker.key).await?
                && row.body["buildComplete"] != json!(true)
            {
                let mut body = row.body;
                let mut phases = body["phases"].as_array().cloned().unwrap_or_default();
                for phase in &mut phases {
                    if phase.get("phaseStatus").is_none() {
                        phase["phaseStatus"] = json!(PhaseStatus::Fault);
                        phase["endTime"] = timestamp(now);
                        phase["contexts"] =
                            json!([{"statusCode": "SERVER_STOPPED", "message": "the server stopped during the build"}]);
                    }
                }
                phases.push(phase_json(PhaseType::Completed, None, now, None));
                body["phases"] = Value::Array(phases);
                body["buildStatus"] = json!("FAULT");
                body["currentPhase"] = json!("COMPLETED");
                body["buildComplete"] = json!(true);
                body["endTime"] = timestamp(now);
                store.update_resource(BUILD, &marker.key, &body, now).await?;
                ended += 1;
            }
            unmark_standalone(store, &marker.key).await;
        }
    }
}

/// The stored build as `Build` on the wire.
pub fn wire(row: &ResourceRow) -> Value {
    let mut build = row.body.clone();
    if let Some(fields) = build.as_object_mut() {
        fields.remove("_sluice");
    }
    build
}

/// The job that runs a build, if it is still known.
pub fn job_id(row: &ResourceRow) -> Option<&str> {
    row.body["_sluice"]["jobId"].as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_engine::ActionResult;

    fn outcome(succeeded: bool, phases: &[(PhaseType, PhaseStatus)]) -> RunOutcome {
        RunOutcome {
            result: ActionResult { succeeded, ..Default::default() },
            build: Some(BuildRecord {
                phases: phases
                    .iter()
                    .map(|(t, s)| BuildPhase {
                        phase_type: *t,
                        phase_status: *s,
                        start_ms: 0,
                        end_ms: 0,
                        contexts: vec![],
                    })
                    .collect(),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn the_status_is_the_first_phase_that_did_not_succeed() {
        let o =
            outcome(false, &[(PhaseType::Install, PhaseStatus::Succeeded), (PhaseType::Build, PhaseStatus::TimedOut)]);
        assert_eq!(status(&o, o.build.as_ref().unwrap()), "TIMED_OUT");
        let o =
            outcome(false, &[(PhaseType::Build, PhaseStatus::Failed), (PhaseType::PostBuild, PhaseStatus::Stopped)]);
        assert_eq!(status(&o, o.build.as_ref().unwrap()), "FAILED");
        let o = outcome(true, &[]);
        assert_eq!(status(&o, o.build.as_ref().unwrap()), "SUCCEEDED");
    }

    #[test]
    fn private_fields_stay_off_the_wire() {
        let row = ResourceRow {
            kind: BUILD.into(),
            key: "web:1".into(),
            parent: None,
            sort_at: 0,
            counter: 0,
            body: json!({"id": "web:1", "_sluice": {"jobId": "j"}}),
            created_at: 0,
            updated_at: 0,
        };
        assert_eq!(job_id(&row), Some("j"));
        assert_eq!(wire(&row), json!({"id": "web:1"}));
    }

    #[tokio::test]
    async fn a_standalone_build_cut_short_by_a_stop_ends_as_fault_at_the_next_start() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let project = ResourceRow {
            kind: crate::codebuild::PROJECT.into(),
            key: "web".into(),
            parent: None,
            sort_at: 0,
            counter: 0,
            body: json!({"name": "web", "arn": "arn:aws:codebuild:us-east-1:123456789012:project/web"}),
            created_at: 0,
            updated_at: 0,
        };
        store.insert_resource(&project).await.unwrap();
        let running = begin(&store, &project, "job-1", "alice", 1000, 1000).await.unwrap();
        assert_eq!(running.number, 1);
        mark_standalone(&store, &running.id, 1000).await.unwrap();
        let finished = begin(&store, &project, "job-2", "alice", 1000, 1000).await.unwrap();
        assert_eq!(finished.number, 2);

        assert_eq!(end_interrupted(&store, 5000).await.unwrap(), 1);
        let build = store.get_resource(BUILD, &running.id).await.unwrap().unwrap().body;
        assert_eq!((build["buildStatus"].as_str(), build["buildComplete"].as_bool()), (Some("FAULT"), Some(true)));
        assert!(build.to_string().contains("the server stopped during the build"));
        let untouched = store.get_resource(BUILD, &finished.id).await.unwrap().unwrap().body;
        assert_eq!(untouched["buildStatus"], "IN_PROGRESS");
        assert_eq!(end_interrupted(&store, 6000).await.unwrap(), 0, "the marker is gone");
    }
}
