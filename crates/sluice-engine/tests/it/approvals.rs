//! Manual approvals and timeouts.

use crate::harness::*;
use sluice_engine::{ApprovalDecision, Event, Rejection};

const GATED: &str = r#"
name: gated
stages:
  - name: Source
    actions:
      - name: Src
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: main}
        outputArtifacts: [{name: SourceOut}]
  - name: Approve
    actions:
      - name: Manager
        actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: "1"}
        configuration: {CustomData: "ship it?"}
  - name: Deploy
    actions:
      - name: Ship
        timeoutInMinutes: 10
        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: "1"}
        configuration: {BucketName: site, Extract: "true"}
        inputArtifacts: [{name: SourceOut}]
"#;

#[test]
fn an_approval_waits_for_its_token_and_then_the_pipeline_goes_on() {
    let mut sim = Sim::new(GATED);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    let token = sim.token(&e1, "Manager");
    let wrong = Event::Approval {
        execution_id: None,
        stage: "Approve".into(),
        action: "Manager".into(),
        token: "not-the-token".into(),
        decision: ApprovalDecision::Approved,
        summary: "ok".into(),
        by: "approver".into(),
    };
    assert_eq!(sim.refused("approve with a wrong token", wrong).aws_type(), "InvalidApprovalTokenException");
    sim.decide(&e1, "Approve", "Manager", ApprovalDecision::Approved).unwrap();
    sim.record("approved");
    let attempt = sim.execution(&e1).stages[1].actions[0].latest.clone().unwrap();
    assert_eq!(attempt.updated_by.as_deref(), Some("approver"));
    assert!(sim.has_job(&e1, "Ship"));
    let again = Event::Approval {
        execution_id: None,
        stage: "Approve".into(),
        action: "Manager".into(),
        token,
        decision: ApprovalDecision::Rejected,
        summary: "changed my mind".into(),
        by: "approver".into(),
    };
    assert_eq!(sim.refused("decide twice", again), Rejection::ApprovalAlreadyCompleted);
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn a_rejection_fails_the_stage() {
    let mut sim = Sim::new(GATED);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.decide(&e1, "Approve", "Manager", ApprovalDecision::Rejected).unwrap();
    assert_eq!(sim.status(&e1), "Failed");
    assert!(!sim.has_job(&e1, "Ship"));
}

#[test]
fn an_approval_times_out_after_seven_days_by_default() {
    let mut sim = Sim::new(GATED);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.wait(7 * 24 * 60 * MINUTE - MINUTE);
    assert_eq!(sim.status(&e1), "InProgress");
    sim.wait(MINUTE);
    assert_eq!(sim.status(&e1), "Failed");
    let attempt = sim.execution(&e1).stages[1].actions[0].latest.clone().unwrap();
    assert_eq!(attempt.error.as_deref(), Some("The action timed out after 10080 minutes"));
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn a_job_past_its_timeout_fails_and_is_cancelled() {
    let mut sim = Sim::new(GATED);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.decide(&e1, "Approve", "Manager", ApprovalDecision::Approved).unwrap();
    let job = sim.job(&e1, "Ship");
    sim.wait(10 * MINUTE);
    assert_eq!(sim.status(&e1), "Failed");
    assert_eq!(sim.cancelled, [job.id]);
    assert!(sim.state.timers.is_empty());
}
