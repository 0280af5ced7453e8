//! Repositories on disk: a bare repository `<data-dir>/repos/<name>.git`
//! per repository (where the CodeCommit source action reads it), with
//! sluice's metadata (id, description, dates, tags) in a small JSON file
//! inside it, so that a repository is one directory and needs no database.
//!
//! Creating is atomic (`git init` into a hidden directory, then a rename),
//! and so is deleting (a rename out of the way, then removal).

use super::command;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// sluice's metadata, inside the bare repository (git ignores the file).
pub const METADATA_FILE: &str = "sluice-repository.json";

/// The branch a new repository's HEAD names.
pub const INITIAL_BRANCH: &str = "main";

/// A hosted repository as the CodeCommit API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    pub name: String,
    pub id: String,
    pub description: Option<String>,
    pub created_ms: i64,
    pub last_modified_ms: i64,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    created: i64,
    last_modified: i64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    tags: BTreeMap<String, String>,
}

impl Stored {
    fn into_repository(self, name: &str) -> Repository {
        Repository {
            name: name.to_owned(),
            id: self.id,
            description: self.description,
            created_ms: self.created,
            last_modified_ms: self.last_modified,
            tags: self.tags,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("repository {0} already exists")]
    Exists(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Checks a repository name against CodeCommit's rules (1 to 100 of
/// `[A-Za-z0-9_.-]`, not ending in `.git`) and sluice's one more: no
/// leading dot (hidden directories are sluice's own, and the CodeCommit
/// source action refuses such names). The error says what is wrong.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 100 {
        return Err(format!("the repository name must be 1 to 100 characters long, not {}", name.chars().count()));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))) {
        return Err(format!(
            "the repository name contains {bad:?}: only letters, digits, '_', '.' and '-' are allowed"
        ));
    }
    if name.ends_with(".git") {
        return Err("the repository name cannot end in .git".to_owned());
    }
    if name.starts_with('.') {
        return Err("the repository name cannot start with '.'".to_owned());
    }
    Ok(())
}

/// The repositories of one data directory. Every method takes names that
/// passed [`check_name`].
#[derive(Debug, Clone)]
pub struct Repos {
    root: PathBuf,
}

impl Repos {
    pub fn new(data_dir: &Path) -> Repos {
        Repos { root: data_dir.join("repos") }
    }

    /// `<data-dir>/repos`: `GIT_PROJECT_ROOT` of `git http-backend`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The bare repository of `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(format!("{name}.git"))
    }

    pub async fn exists(&self, name: &str) -> io::Result<bool> {
        match tokio::fs::metadata(self.path(name)).await {
            Ok(meta) => Ok(meta.is_dir()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A new empty repository whose HEAD names `main`.
    pub async fn create(
        &self,
        name: &str,
        description: Option<String>,
        tags: BTreeMap<String, String>,
        now_ms: i64,
    ) -> Result<Repository, CreateError> {
        let target = self.path(name);
        if self.exists(name).await? {
            return Err(CreateError::Exists(name.to_owned()));
        }
        tokio::fs::create_dir_all(&self.root).await?;
        let staging = self.root.join(format!(".create-{}.git", uuid::Uuid::new_v4()));
        let stored =
            Stored { id: uuid::Uuid::new_v4().to_string(), description, created: now_ms, last_modified: now_ms, tags };
        let made = async {
            let staging_arg = staging.to_string_lossy().into_owned();
            init_bare(&staging_arg).await?;
            write_new(&staging, &stored).await
        }
        .await;
        if let Err(e) = made {
            let _ = tokio::fs::remove_dir_all(&staging).await;
            return Err(e.into());
        }
        // rename(2) refuses to replace a non-empty directory: of two
        // concurrent creations, the second fails here.
        if let Err(e) = tokio::fs::rename(&staging, &target).await {
            let _ = tokio::fs::remove_dir_all(&staging).await;
            if self.exists(name).await? {
                return Err(CreateError::Exists(name.to_owned()));
            }
            return Err(e.into());
        }
        Ok(stored.into_repository(name))
    }

    /// The repository, or `None` when there is none of that name.
    pub async fn get(&self, name: &str) -> io::Result<Option<Repository>> {
        if !self.exists(name).await? {
            return Ok(None);
        }
        let stored = read_or_adopt(&self.path(name)).await?;
        Ok(Some(stored.into_repository(name)))
    }

    /// Every repository, in no particular order. A repository whose
    /// metadata cannot be read is left out (and logged).
    pub async fn list(&self) -> io::Result<Vec<Repository>> {
        let mut entries = match tokio::fs::read_dir(&self.root).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut repositories = Vec::new();
        while let Some(entry) = entries.next_entry().await? {
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str().and_then(|n| n.strip_suffix(".git")) else { continue };
            if check_name(name).is_err() {
                continue;
            }
            match self.get(name).await {
                Ok(Some(repository)) => repositories.push(repository),
                Ok(None) => {}
                Err(e) => tracing::warn!(repository = name, error = %e, "reading a repository's metadata failed"),
            }
        }
        Ok(repositories)
    }

    /// Removes the repository; `None` when there was none.
    pub async fn delete(&self, name: &str) -> io::Result<Option<Repository>> {
        let Some(repository) = self.get(name).await? else { return Ok(None) };
        let trash = self.root.join(format!(".delete-{}", uuid::Uuid::new_v4()));
        match tokio::fs::rename(self.path(name), &trash).await {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        }
        if let Err(e) = tokio::fs::remove_dir_all(&trash).await {
            tracing::warn!(path = %trash.display(), error = %e, "removing a deleted repository failed");
        }
        Ok(Some(repository))
    }

    /// The branches and the commits they point at.
    pub async fn heads(&self, name: &str) -> io::Result<BTreeMap<String, String>> {
        let out = command::run(&self.path(name), &["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/"])
            .await?;
        Ok(parse_heads(&String::from_utf8_lossy(&out)))
    }

    /// The branch HEAD names, when that branch exists.
    pub async fn default_branch(&self, name: &str, heads: &BTreeMap<String, String>) -> Option<String> {
        let head = tokio::fs::read_to_string(self.path(name).join("HEAD")).await.ok()?;
        let branch = head.trim_end().strip_prefix("ref: refs/heads/")?;
        heads.contains_key(branch).then(|| branch.to_owned())
    }

    /// As CodeCommit, the first branch pushed becomes the default one: when
    /// HEAD names a branch that does not exist, it is pointed at `pushed`.
    pub async fn adopt_default_branch(&self, name: &str, heads: &BTreeMap<String, String>, pushed: &str) {
        if self.default_branch(name, heads).await.is_some() || !heads.contains_key(pushed) {
            return;
        }
        let target = format!("refs/heads/{pushed}");
        if let Err(e) = command::run(&self.path(name), &["symbolic-ref", "HEAD", &target]).await {
            tracing::warn!(repository = name, error = %e, "setting the default branch failed");
        }
    }
}

async fn init_bare(path: &str) -> io::Result<()> {
    let out = command::git()
        .args(["init", "--bare", "--quiet", &format!("--initial-branch={INITIAL_BRANCH}"), "--", path])
        .output()
        .await?;
    if out.status.success() {
        return Ok(());
    }
    Err(io::Error::other(format!("git init failed: {}", String::from_utf8_lossy(&out.stderr).trim())))
}

/// The metadata of a repository; one made outside sluice (`git init
/// --bare` in the repos directory) gets an id on first sight, once.
async fn read_or_adopt(git_dir: &Path) -> io::Result<Stored> {
    match read(git_dir).await {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        other => return other,
    }
    let created = tokio::fs::metadata(git_dir)
        .await
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or_else(crate::clock::now_ms, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let stored = Stored {
        id: uuid::Uuid::new_v4().to_string(),
        description: None,
        created,
        last_modified: created,
        tags: BTreeMap::new(),
    };
    match write_new(git_dir, &stored).await {
        Ok(()) => Ok(stored),
        // Someone else adopted it meanwhile: theirs stands.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read(git_dir).await,
        Err(e) => Err(e),
    }
}

async fn read(git_dir: &Path) -> io::Result<Stored> {
    let bytes = tokio::fs::read(git_dir.join(METADATA_FILE)).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{METADATA_FILE} is not valid: {e}")))
}

/// Writes the metadata file whole or not at all, and never over an
/// existing one (a hard link fails when the name is taken).
async fn write_new(git_dir: &Path, stored: &Stored) -> io::Result<()> {
    let staging = git_dir.join(format!(".{METADATA_FILE}.{}", uuid::Uuid::new_v4()));
    let json = serde_json::to_vec_pretty(stored).map_err(io::Error::other)?;
    tokio::fs::write(&staging, json).await?;
    let linked = tokio::fs::hard_link(&staging, git_dir.join(METADATA_FILE)).await;
    let _ = tokio::fs::remove_file(&staging).await;
    linked
}

fn parse_heads(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let (commit, refname) = line.split_once(' ')?;
            Some((refname.strip_prefix("refs/heads/")?.to_owned(), commit.to_owned()))
        })
        .collect()
}

/// The branches whose commit changed (created or moved); deleted ones are
/// left out.
pub fn changed_branches(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    after
        .iter()
        .filter(|(branch, commit)| before.get(*branch) != Some(*commit))
        .map(|(branch, commit)| (branch.clone(), commit.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_codecommit_rules() {
        for good in ["app", "my-app_2", "a.b", "A", &"x".repeat(100)] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for bad in ["", "app.git", "a/b", "a b", "é", ".hidden", "..", &"x".repeat(101), "a\0b", "a:b"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn heads_are_parsed_and_compared() {
        let before = parse_heads("aaa refs/heads/main\nbbb refs/heads/gone\nccc refs/heads/same\n");
        let after = parse_heads("ddd refs/heads/main\nccc refs/heads/same\neee refs/heads/feature/x\n");
        assert_eq!(after["feature/x"], "eee");
        let changed = changed_branches(&before, &after);
        let expected: BTreeMap<String, String> =
            [("feature/x".to_owned(), "eee".to_owned()), ("main".to_owned(), "ddd".to_owned())].into();
        assert_eq!(changed, expected);
    }

    #[tokio::test]
    async fn create_get_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let repos = Repos::new(dir.path());
        assert!(repos.list().await.unwrap().is_empty());
        let made = repos.create("app", Some("the app".into()), BTreeMap::new(), 1_000).await.unwrap();
        assert!(matches!(repos.create("app", None, BTreeMap::new(), 2_000).await, Err(CreateError::Exists(_))));
        assert_eq!(repos.get("app").await.unwrap(), Some(made.clone()));
        assert_eq!(repos.list().await.unwrap(), vec![made.clone()]);
        assert!(repos.heads("app").await.unwrap().is_empty());
        assert_eq!(repos.delete("app").await.unwrap(), Some(made));
        assert_eq!(repos.get("app").await.unwrap(), None);
        assert_eq!(repos.delete("app").await.unwrap(), None);
        let left: Vec<_> = std::fs::read_dir(repos.root()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[tokio::test]
    async fn the_first_branch_pushed_becomes_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let repos = Repos::new(dir.path());
        repos.create("app", None, BTreeMap::new(), 1).await.unwrap();
        let git_dir = repos.path("app");
        let tree = command::run(&git_dir, &["mktree"]).await.unwrap();
        let tree = String::from_utf8(tree).unwrap();
        let out = command::git()
            .arg("--git-dir")
            .arg(&git_dir)
            .args(["commit-tree", "-m", "empty", tree.trim()])
            .envs([("GIT_AUTHOR_NAME", "a"), ("GIT_AUTHOR_EMAIL", "a@x"), ("GIT_COMMITTER_NAME", "a")])
            .env("GIT_COMMITTER_EMAIL", "a@x")
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let commit = String::from_utf8(out.stdout).unwrap();
        command::run(&git_dir, &["update-ref", "refs/heads/trunk", commit.trim()]).await.unwrap();
        let heads = repos.heads("app").await.unwrap();
        assert_eq!(repos.default_branch("app", &heads).await, None, "HEAD names main, which does not exist");
        repos.adopt_default_branch("app", &heads, "trunk").await;
        assert_eq!(repos.default_branch("app", &heads).await.as_deref(), Some("trunk"));
    }

    #[tokio::test]
    async fn a_repository_made_outside_sluice_gets_a_stable_id() {
        let dir = tempfile::tempdir().unwrap();
        let repos = Repos::new(dir.path());
        std::fs::create_dir_all(repos.root()).unwrap();
        init_bare(&repos.path("outside").to_string_lossy()).await.unwrap();
        let first = repos.get("outside").await.unwrap().unwrap();
        let second = repos.get("outside").await.unwrap().unwrap();
        assert_eq!(first.id, second.id);
    }
}
