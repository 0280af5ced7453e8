//! The git CLI with a clean environment: no variable of the server (GIT_DIR,
//! GIT_CONFIG_*, credentials) reaches it, and neither the user's nor the
//! system's configuration applies.

use std::path::Path;
use std::process::Stdio;
use tokio::process::Command;

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// `git` with only PATH, a fixed locale and no configuration besides the
/// repository's own. No HOME: no `~/.gitconfig` is read.
pub(crate) fn git() -> Command {
    let path = std::env::var("PATH").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| DEFAULT_PATH.to_owned());
    let mut command = Command::new("git");
    command
        .env_clear()
        .env("PATH", path)
        .env("LANG", "C")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Runs `git --git-dir <git_dir> <args>`; a non-zero exit is an error
/// quoting git's message.
pub(crate) async fn run(git_dir: &Path, args: &[&str]) -> std::io::Result<Vec<u8>> {
    let out = git().arg("--git-dir").arg(git_dir).args(args).output().await?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    Err(std::io::Error::other(format!(
        "git {} failed ({}): {}",
        args.first().copied().unwrap_or_default(),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    )))
}
