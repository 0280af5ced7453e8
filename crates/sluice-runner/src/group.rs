//! A child in its own process group, so that the job's whole process tree
//! can be signalled at once: whatever the commands started in the
//! background is stopped with them, on cancel, on timeout, and at the end.

use crate::stop::{Stop, Stopped};
use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::io;
use std::process::ExitStatus;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::time::{Instant, sleep};

const POLL: Duration = Duration::from_millis(25);
/// After SIGKILL the kernel needs a moment to tear the processes down.
const AFTER_KILL: Duration = Duration::from_secs(2);

pub(crate) enum Exit {
    Finished(ExitStatus),
    Stopped(Stopped),
}

/// Runs `command` as the leader of a new process group until it exits or
/// `stop` fires. Either way, every process left in the group gets SIGTERM,
/// then SIGKILL after `grace`, before this returns.
pub(crate) async fn run(mut command: Command, stop: &Stop, grace: Duration) -> io::Result<Exit> {
    if let Some(stopped) = stop.check() {
        return Ok(Exit::Stopped(stopped));
    }
    command.process_group(0);
    let mut child = command.spawn()?;
    let Some(pgid) = child.id().and_then(|id| i32::try_from(id).ok()).map(Pid::from_raw) else {
        // Already reaped: there is no group left to watch.
        return Ok(Exit::Finished(child.wait().await?));
    };
    let mut guard = KillOnDrop(Some(pgid));
    let first = tokio::select! {
        status = child.wait() => Ok(status),
        stopped = stop.wait() => Err(stopped),
    };
    terminate(pgid, &mut child, grace).await;
    guard.0 = None;
    Ok(match first {
        Ok(status) => Exit::Finished(status?),
        Err(stopped) => Exit::Stopped(stopped),
    })
}

/// SIGTERM to the group, SIGKILL to what is left after `grace`, and the
/// leader reaped.
async fn terminate(pgid: Pid, child: &mut Child, grace: Duration) {
    let _ = child.try_wait();
    if !group_alive(pgid) {
        return;
    }
    let _ = killpg(pgid, Signal::SIGTERM);
    let until = Instant::now() + grace;
    loop {
        // Reaping the leader keeps its zombie from counting as alive.
        let _ = child.try_wait();
        if !group_alive(pgid) {
            return;
        }
        if Instant::now() >= until {
            break;
        }
        sleep(POLL).await;
    }
    let _ = killpg(pgid, Signal::SIGKILL);
    let _ = child.wait().await;
    let until = Instant::now() + AFTER_KILL;
    while group_alive(pgid) && Instant::now() < until {
        sleep(POLL).await;
    }
}

/// Whether a process of the group is still running. Zombies do not count:
/// orphans wait for init to reap them, which can take a while in a container.
fn group_alive(pgid: Pid) -> bool {
    match killpg(pgid, None) {
        Err(Errno::ESRCH) => false,
        Err(_) => true,
        Ok(()) => has_running_member(pgid.as_raw()).unwrap_or(true),
    }
}

/// Reads `/proc/<pid>/stat` of every process: state and process group.
fn has_running_member(pgid: i32) -> Option<bool> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())) {
            continue;
        }
        // Gone since the listing.
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        if parse_stat(&stat).is_some_and(|(state, group)| group == pgid && state != 'Z' && state != 'X') {
            return Some(true);
        }
    }
    Some(false)
}

/// `pid (comm) state ppid pgrp ...`; comm may contain spaces and parens,
/// so fields are counted from the last `)`.
fn parse_stat(stat: &str) -> Option<(char, i32)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let _ppid = fields.next()?;
    let group = fields.next()?.parse().ok()?;
    Some((state, group))
}

/// If the job's future is dropped midway (its caller gave up, or a panic
/// unwinds), the group must not outlive it.
/// Disarmed (`None`) once the group is known to be gone.
struct KillOnDrop(Option<Pid>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            let _ = killpg(pgid, Signal::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines() {
        assert_eq!(parse_stat("42 (bash) S 1 42 42 0 -1"), Some(('S', 42)));
        assert_eq!(parse_stat("43 (a (weird) name) Z 42 40 40"), Some(('Z', 40)));
        assert_eq!(parse_stat("garbage"), None);
    }
}
