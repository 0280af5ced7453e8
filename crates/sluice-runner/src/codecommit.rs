//! Source/AWS/CodeCommit: a git repository hosted by sluice, as a bare
//! repository `repos_root/<RepositoryName>.git`.

use crate::git::Git;
use crate::stop::Stop;
use crate::workspace::Workspace;
use crate::{Failure, RunContext, outputs};
use sluice_engine::{ActionResult, Job, SourceRevision};
use std::collections::BTreeMap;

pub(crate) async fn run(job: &Job, cx: &RunContext, ws: &Workspace, stop: &Stop) -> Result<ActionResult, Failure> {
    let repository = setting(job, "RepositoryName")?;
    let branch = setting(job, "BranchName")?;
    if repository.contains(['/', '\0']) || repository.starts_with('.') {
        return Err(Failure::new(format!("`{repository}` is not a valid repository name")));
    }
    let git_dir = cx.repos_root.join(format!("{repository}.git"));
    if !tokio::fs::metadata(&git_dir).await.is_ok_and(|m| m.is_dir()) {
        return Err(Failure::new(format!("repository `{repository}` does not exist")));
    }
    let git = Git::new(git_dir, &ws.root);

    let commit = match &job.revision {
        Some(revision) => stop.guard(git.resolve_commit(revision)).await?.ok_or_else(|| {
            Failure::new(format!("revision `{revision}` does not exist in repository `{repository}`"))
        })?,
        None => stop
            .guard(git.resolve_commit(&format!("refs/heads/{branch}")))
            .await?
            .ok_or_else(|| Failure::new(format!("branch `{branch}` does not exist in repository `{repository}`")))?,
    };
    let info = stop.guard(git.commit_info(&commit)).await?;

    let mut output_artifacts = Vec::new();
    if let Some(artifact) = job.output_artifacts.first() {
        let zip = ws.control.join("source.zip");
        stop.guard(git.archive_zip(&info.id, &zip)).await?;
        output_artifacts.push(stop.guard(outputs::store(&cx.artifacts, job, &artifact.name, &zip)).await?);
    }

    let subject = info.message.lines().next().unwrap_or_default().to_owned();
    let output_variables = BTreeMap::from([
        ("CommitId".to_owned(), info.id.clone()),
        ("CommitMessage".to_owned(), info.message.clone()),
        ("BranchName".to_owned(), branch.to_owned()),
        ("RepositoryName".to_owned(), repository.to_owned()),
        ("AuthorDate".to_owned(), info.author_date),
        ("CommitterDate".to_owned(), info.committer_date),
    ]);
    Ok(ActionResult {
        succeeded: true,
        summary: Some(subject.clone()),
        external_execution_id: Some(info.id.clone()),
        output_variables,
        output_artifacts,
        revision: Some(SourceRevision {
            action_name: job.action.clone(),
            revision_id: info.id,
            revision_summary: Some(subject),
            revision_url: None,
        }),
        ..ActionResult::default()
    })
}

fn setting<'a>(job: &'a Job, key: &str) -> Result<&'a str, Failure> {
    job.configuration
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Failure::new(format!("the action's configuration has no `{key}`")))
}
