//! Deploy/AWS/S3: the input artifact into a bucket, extracted (each file of
//! the zip becomes an object, under `ObjectKey/` when given) or as the zip
//! itself under `ObjectKey`. Buckets are resolved by [`DeployTargets`].
//!
//! The artifact is unpacked in the workspace first, with `unpack`'s checks
//! (no `..`, absolute paths or symlinks, size limits): a hostile archive
//! fails before anything reaches the bucket. Each file then replaces its
//! object whole (temporary file and rename in a directory, one PUT in S3);
//! objects the artifact does not have are left alone, as AWS does.
//!
//! [`DeployTargets`]: crate::DeployTargets

use crate::log::JobLog;
use crate::stop::Stop;
use crate::workspace::Workspace;
use crate::{Failure, RunContext};
use sluice_artifacts::{ArtifactStore, Limits, check_key, unpack};
use sluice_engine::{ActionResult, Job};
use std::path::{Path, PathBuf};

/// Accepted for compatibility; what they ask of AWS has no equivalent here.
const NOT_APPLICABLE: [&str; 3] = ["KMSEncryptionKeyARN", "CannedACL", "CacheControl"];

struct Config {
    bucket: String,
    extract: bool,
    /// The object's key (Extract false) or the prefix of every key (true);
    /// empty for none.
    object_key: String,
}

fn config(job: &Job) -> Result<Config, Failure> {
    let get = |key: &str| job.configuration.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
    let bucket = get("BucketName").ok_or_else(|| Failure::new("the action's configuration has no `BucketName`"))?;
    let extract = match get("Extract").map(str::to_ascii_lowercase).as_deref() {
        Some("true") => true,
        Some("false") => false,
        Some(other) => return Err(Failure::new(format!("`Extract` is `true` or `false`, not `{other}`"))),
        None => return Err(Failure::new("the action's configuration has no `Extract` (`true` or `false`)")),
    };
    let object_key = get("ObjectKey").unwrap_or_default().trim_matches('/').to_owned();
    if !extract && object_key.is_empty() {
        return Err(Failure::new("`ObjectKey` is required when `Extract` is false"));
    }
    if !object_key.is_empty() {
        check_key(&object_key).map_err(|e| Failure::new(format!("`ObjectKey`: {e}")))?;
    }
    Ok(Config { bucket: bucket.to_owned(), extract, object_key })
}

pub(crate) async fn run(
    job: &Job,
    cx: &RunContext,
    ws: &Workspace,
    log: &JobLog,
    stop: &Stop,
) -> Result<ActionResult, Failure> {
    let config = config(job)?;
    let [input] = job.input_artifacts.as_slice() else {
        return Err(Failure::new(format!(
            "a Deploy/S3 action takes exactly one input artifact; this one has {}",
            job.input_artifacts.len()
        )));
    };
    for key in NOT_APPLICABLE {
        if job.configuration.get(key).is_some_and(|v| !v.trim().is_empty()) {
            log.line(&format!("`{key}` is accepted but does not apply to sluice buckets; ignored"));
        }
    }
    let target = cx.deploy_targets.resolve(&config.bucket).map_err(Failure::new)?;

    let zip = ws.control.join("input.zip");
    let fetch = cx.artifacts.get_to_file(&input.location, &zip);
    stop.guard(async {
        fetch.await.map_err(|e| Failure::new(format!("could not fetch input artifact `{}`: {e}", input.name)))
    })
    .await?;

    let summary = if config.extract {
        let (from, to) = (zip.clone(), ws.src.clone());
        let unpacked = tokio::task::spawn_blocking(move || unpack(&from, &to, Limits::default()));
        stop.guard(async {
            unpacked
                .await
                .map_err(|e| Failure::new(format!("could not unpack input artifact `{}`: {e}", input.name)))?
                .map_err(|e| Failure::new(format!("could not unpack input artifact `{}`: {e}", input.name)))
        })
        .await?;
        let files = files_under(&ws.src).await?;
        for (rel, path) in &files {
            let key = if config.object_key.is_empty() { rel.clone() } else { format!("{}/{rel}", config.object_key) };
            stop.guard(put(&target, &config.bucket, &key, path)).await?;
        }
        let into = if config.object_key.is_empty() { String::new() } else { format!(" under {}/", config.object_key) };
        format!("Deployed {} files to bucket {}{into}", files.len(), config.bucket)
    } else {
        stop.guard(put(&target, &config.bucket, &config.object_key, &zip)).await?;
        format!("Deployed the artifact to bucket {} as {}", config.bucket, config.object_key)
    };
    log.line(&format!("{summary} ({})", target.describe()));
    Ok(ActionResult {
        succeeded: true,
        summary: Some(summary),
        external_execution_id: Some(job.id.clone()),
        ..ActionResult::default()
    })
}

async fn put(target: &ArtifactStore, bucket: &str, key: &str, path: &Path) -> Result<(), Failure> {
    target
        .put_file(key, path)
        .await
        .map_err(|e| Failure::new(format!("could not deploy `{key}` to bucket {bucket}: {e}")))
}

/// The regular files under `dir` as (`/`-separated relative path, path),
/// sorted. `unpack` writes only files and directories; anything else is
/// skipped rather than followed.
async fn files_under(dir: &Path) -> Result<Vec<(String, PathBuf)>, Failure> {
    let root = dir.to_owned();
    let walked = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        walk(&root, "", &mut out).map(|()| out)
    });
    let mut files = walked
        .await
        .map_err(|e| Failure::new(format!("could not list the extracted files: {e}")))?
        .map_err(|e| Failure::new(format!("could not list the extracted files: {e}")))?;
    files.sort();
    Ok(files)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            return Err(std::io::Error::other(format!("{} is not a UTF-8 name", entry.path().display())));
        };
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), &rel, out)?;
        } else if kind.is_file() {
            out.push((rel, entry.path()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::job;

    fn configured(pairs: &[(&str, &str)]) -> Result<Config, Failure> {
        let mut job = job();
        job.configuration = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        config(&job)
    }

    #[test]
    fn configuration_rules() {
        let c = configured(&[("BucketName", "site"), ("Extract", "TRUE"), ("ObjectKey", "/web/")]).unwrap();
        assert!(c.extract && c.bucket == "site" && c.object_key == "web");
        let c = configured(&[("BucketName", "site"), ("Extract", "false"), ("ObjectKey", "a/b.zip")]).unwrap();
        assert!(!c.extract && c.object_key == "a/b.zip");

        for (pairs, why) in [
            (&[("Extract", "true")][..], "no `BucketName`"),
            (&[("BucketName", "b")][..], "no `Extract`"),
            (&[("BucketName", "b"), ("Extract", "yes")][..], "`Extract` is `true` or `false`, not `yes`"),
            (&[("BucketName", "b"), ("Extract", "false")][..], "`ObjectKey` is required when `Extract` is false"),
            (&[("BucketName", "b"), ("Extract", "false"), ("ObjectKey", "a/../b")][..], "`ObjectKey`: invalid"),
        ] {
            let err = configured(pairs).err().map(|f| f.message().to_owned()).unwrap_or_default();
            assert!(err.contains(why), "{pairs:?}: {err}");
        }
    }
}
