//! The job's log file. The job's processes write to it directly (stdout and
//! stderr share one append-mode descriptor, so lines keep the order they
//! were written in and nothing is lost when a process is killed); the
//! runner adds its own lines, marked `[sluice]`.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::process::Stdio;

pub(crate) struct JobLog {
    file: File,
}

impl JobLog {
    pub(crate) fn open(path: &Path) -> io::Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(JobLog { file })
    }

    /// Best effort: a full disk must not turn a passing job into a failing one.
    pub(crate) fn line(&self, message: &str) {
        let _ = (&self.file).write_all(format!("[sluice] {message}\n").as_bytes());
    }

    /// A descriptor for a child's stdout or stderr.
    pub(crate) fn stdio(&self) -> io::Result<Stdio> {
        Ok(Stdio::from(self.file.try_clone()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_creates_parents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs/a/job.log");
        JobLog::open(&path).unwrap().line("one");
        JobLog::open(&path).unwrap().line("two");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[sluice] one\n[sluice] two\n");
    }
}
