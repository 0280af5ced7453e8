//! Where Deploy/S3 actions put files: a bucket name is a "sluice bucket",
//! the directory `<buckets root>/<name>`, unless the server maps that name
//! to a directory or an S3-compatible store of its own
//! (`--deploy-bucket NAME=LOCATION`).

use sluice_artifacts::{ArtifactStore, check_bucket_name};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Bucket name → store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DeployTargets {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Unmapped names are directories under it; `None`: unmapped names fail.
    root: Option<PathBuf>,
    buckets: BTreeMap<String, ArtifactStore>,
}

impl DeployTargets {
    /// Buckets are the directories `root/<name>`, except those in `buckets`.
    pub fn new(root: PathBuf, buckets: impl IntoIterator<Item = (String, ArtifactStore)>) -> Self {
        DeployTargets { inner: Arc::new(Inner { root: Some(root), buckets: buckets.into_iter().collect() }) }
    }

    /// Only the buckets given exist (a remote agent knows no directory of
    /// the server's).
    pub fn only(buckets: impl IntoIterator<Item = (String, ArtifactStore)>) -> Self {
        DeployTargets { inner: Arc::new(Inner { root: None, buckets: buckets.into_iter().collect() }) }
    }

    /// The store the bucket `name` stands for, or why there is none.
    pub fn resolve(&self, name: &str) -> Result<ArtifactStore, String> {
        if let Some(store) = self.inner.buckets.get(name) {
            return Ok(store.clone());
        }
        // The name becomes a directory name: S3's rules keep it one plain
        // path segment (no `/`, no leading `.`).
        check_bucket_name(name)?;
        match &self.inner.root {
            Some(root) => Ok(ArtifactStore::local(root.join(name))),
            None => Err(format!("no bucket `{name}` is configured here")),
        }
    }
}

/// One `--deploy-bucket` value: `NAME=LOCATION`, where LOCATION is a
/// directory (a path or `file:///path`) or an `s3://` URL as
/// [`ArtifactStore::from_url`] takes it.
pub fn parse_deploy_bucket(spec: &str) -> Result<(String, ArtifactStore), String> {
    let Some((name, location)) = spec.split_once('=') else {
        return Err(format!("`{spec}` is not NAME=LOCATION (e.g. site=/srv/www or site=s3://bucket/prefix)"));
    };
    let name = name.trim();
    check_bucket_name(name)?;
    if location.trim().is_empty() {
        return Err(format!("bucket `{name}` has no location after `=`"));
    }
    let store = ArtifactStore::from_url(location.trim()).map_err(|e| format!("bucket `{name}`: {e}"))?;
    Ok((name.to_owned(), store))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_mapped_stores_or_directories() {
        let (name, store) = parse_deploy_bucket("site=/srv/www").unwrap();
        assert_eq!((name.as_str(), store.describe()), ("site", "/srv/www".to_owned()));
        let targets = DeployTargets::new("/data/buckets".into(), [(name, store)]);
        assert_eq!(targets.resolve("site").unwrap().describe(), "/srv/www");
        assert_eq!(targets.resolve("other-bucket").unwrap().describe(), "/data/buckets/other-bucket");
        for bad in ["../etc", ".hidden", "a/b", "UPPER", "x"] {
            let err = targets.resolve(bad).unwrap_err();
            assert!(err.contains("is not a bucket name"), "{bad}: {err}");
        }
        let err = DeployTargets::only([]).resolve("site").unwrap_err();
        assert_eq!(err, "no bucket `site` is configured here");
    }

    #[test]
    fn deploy_bucket_specs() {
        let (_, store) = parse_deploy_bucket("web=s3://web-prod/site?endpoint=http://127.0.0.1:9000").unwrap();
        assert_eq!(store.describe(), "s3://web-prod/site at http://127.0.0.1:9000");
        let (_, store) = parse_deploy_bucket("web=file:///srv/www").unwrap();
        assert_eq!(store.describe(), "/srv/www");
        for (spec, why) in [
            ("web", "is not NAME=LOCATION"),
            ("web=", "has no location"),
            ("Web=/x", "is not a bucket name"),
            ("web=s3://web?regoin=x", "bucket `web`: invalid artifact store"),
        ] {
            let err = parse_deploy_bucket(spec).unwrap_err();
            assert!(err.contains(why), "{spec}: {err}");
        }
    }
}
