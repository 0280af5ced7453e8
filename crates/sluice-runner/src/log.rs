//! The job's log file. Everything written to it — the job's processes'
//! stdout and stderr and the runner's own lines, marked `[sluice]` — goes
//! through one pipe, so lines keep the order the kernel saw them in, and a
//! pump thread appends them to the file line by line with every secret
//! value masked (plain and base64-encoded). A killed process loses nothing:
//! what it wrote is in the pipe, and the pump reads until the last writer
//! is gone.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

/// Called after bytes were appended to the log file (who follows the log
/// wakes on it instead of polling the file).
pub type OnLog = Arc<dyn Fn() + Send + Sync>;

/// What replaces a secret in the log.
const MASK: &[u8] = b"***";
/// Secrets shorter than this are not masked: masking `a` or `1` would make
/// every log unreadable and hide nothing.
const MIN_SECRET_LEN: usize = 3;
/// A line longer than this is written in pieces (a secret split across two
/// pieces may show; the alternative is unbounded memory).
const MAX_LINE: usize = 64 * 1024;
/// How long closing the log waits for output still in the pipe (a process
/// that escaped its group may hold the pipe open for ever).
const DRAIN_WAIT: Duration = Duration::from_secs(2);

pub(crate) struct JobLog {
    /// The pipe's write end; `None` once closed.
    writer: Option<File>,
    // In a mutex only to make the log `Sync` (it is read once, on drop).
    drained: std::sync::Mutex<mpsc::Receiver<()>>,
}

impl JobLog {
    /// Opens (appending, creating parents) `path` and starts its pump.
    pub(crate) fn open(path: &Path, secrets: &BTreeMap<String, String>, on_log: Option<OnLog>) -> io::Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        // Close-on-exec: children get the write end only as their stdout and
        // stderr, never as a stray descriptor that would keep the pipe open.
        let (reader, writer) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(io::Error::from)?;
        let masker = Masker::new(secrets.values());
        let (done, drained) = mpsc::channel();
        let work = move || {
            pump(File::from(reader), file, &masker, on_log.as_deref());
            let _ = done.send(());
        };
        // Tokio's blocking pool reuses its threads: no thread is made per job on the hot path.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(work)),
            Err(_) => drop(std::thread::Builder::new().name("job-log".into()).spawn(work)?),
        }
        Ok(JobLog { writer: Some(File::from(writer)), drained: std::sync::Mutex::new(drained) })
    }

    /// Best effort: a full disk must not turn a passing job into a failing one.
    pub(crate) fn line(&self, message: &str) {
        if let Some(mut writer) = self.writer.as_ref() {
            let _ = writer.write_all(format!("[sluice] {message}\n").as_bytes());
        }
    }

    /// A descriptor for a child's stdout or stderr.
    pub(crate) fn stdio(&self) -> io::Result<Stdio> {
        match &self.writer {
            Some(writer) => Ok(Stdio::from(writer.try_clone()?)),
            None => Err(io::Error::other("the job's log is closed")),
        }
    }
}

impl Drop for JobLog {
    /// Closes our write end and waits (briefly) until the pump has written
    /// everything, so the log is complete when the job's result is reported.
    fn drop(&mut self) {
        self.writer = None;
        if let Ok(drained) = self.drained.lock() {
            let _ = drained.recv_timeout(DRAIN_WAIT);
        }
    }
}

fn pump(mut reader: File, mut file: File, masker: &Masker, on_log: Option<&(dyn Fn() + Send + Sync)>) {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        pending.extend_from_slice(&buffer[..read]);
        let complete = match pending.iter().rposition(|&b| b == b'\n') {
            Some(end) => end + 1,
            None if pending.len() >= MAX_LINE => pending.len(),
            None => continue,
        };
        let out: Vec<u8> = pending.drain(..complete).collect();
        write_out(&mut file, &masker.mask_lines(&out), on_log);
    }
    if !pending.is_empty() {
        write_out(&mut file, &masker.mask_lines(&pending), on_log);
    }
}

fn write_out(file: &mut File, bytes: &[u8], on_log: Option<&(dyn Fn() + Send + Sync)>) {
    let _ = file.write_all(bytes);
    if let Some(on_log) = on_log {
        on_log();
    }
}

/// Replaces secret values, and their base64 forms, by `***`.
pub(crate) struct Masker {
    /// Longest first, so a value containing another is masked whole.
    needles: Vec<Vec<u8>>,
}

impl Masker {
    pub(crate) fn new<'a>(secrets: impl Iterator<Item = &'a String>) -> Masker {
        let mut needles: Vec<Vec<u8>> = Vec::new();
        // What a job can print of a secret: the whole value, each field of
        // a JSON secret (`name:json-key` references print one), and each
        // line of a multi-line one (masking works line by line).
        let mut values: Vec<String> = Vec::new();
        for secret in secrets {
            values.push(secret.clone());
            if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(secret) {
                for field in fields.values() {
                    match field {
                        serde_json::Value::String(text) => values.push(text.clone()),
                        serde_json::Value::Number(n) => values.push(n.to_string()),
                        _ => {}
                    }
                }
            }
            if secret.contains('\n') {
                values.extend(secret.lines().map(|line| line.trim_end_matches('\r').to_owned()));
            }
        }
        for secret in values.iter().filter(|s| s.len() >= MIN_SECRET_LEN && !s.contains('\n')) {
            let encoded = base64(secret.as_bytes());
            let unpadded = encoded.trim_end_matches('=').to_string();
            for needle in [secret.clone(), encoded, unpadded] {
                if needle.len() >= MIN_SECRET_LEN && !needles.contains(&needle.as_bytes().to_vec()) {
                    needles.push(needle.into_bytes());
                }
            }
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Masker { needles }
    }

    /// `text` with every secret masked: for values that leave the job
    /// (output variables, test messages) as well as its log.
    pub(crate) fn mask_text(&self, text: &str) -> String {
        String::from_utf8_lossy(&self.mask_lines(text.as_bytes())).into_owned()
    }

    /// Masks each line of `text` on its own (a needle never spans lines).
    fn mask_lines(&self, text: &[u8]) -> Vec<u8> {
        if self.needles.is_empty() {
            return text.to_vec();
        }
        let mut out = Vec::with_capacity(text.len());
        for line in text.split_inclusive(|&b| b == b'\n') {
            let mut line = line.to_vec();
            for needle in &self.needles {
                line = replace_all(&line, needle);
            }
            out.extend_from_slice(&line);
        }
        out
    }
}

fn replace_all(haystack: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(MASK);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn secrets(values: &[&str]) -> BTreeMap<String, String> {
        values.iter().enumerate().map(|(i, v)| (format!("s{i}"), v.to_string())).collect()
    }

    #[test]
    fn json_fields_and_lines_of_multi_line_secrets_are_masked_too() {
        let secrets =
            secrets(&[r#"{"user": "admin", "password": "pa55word!", "port": 54321}"#, "line one\nline two\n"]);
        let masker = Masker::new(secrets.values());
        assert_eq!(masker.mask_text("pw=pa55word! port 54321"), "pw=*** port ***");
        assert_eq!(masker.mask_text("key: line one, then line two"), "key: ***, then ***");
    }

    #[test]
    fn appends_and_creates_parents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs/a/job.log");
        JobLog::open(&path, &BTreeMap::new(), None).unwrap().line("one");
        JobLog::open(&path, &BTreeMap::new(), None).unwrap().line("two");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[sluice] one\n[sluice] two\n");
    }

    #[test]
    fn secrets_are_masked_plain_and_base64() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.log");
        let calls = Arc::new(AtomicUsize::new(0));
        let on_log: OnLog = {
            let calls = calls.clone();
            Arc::new(move || {
                calls.fetch_add(1, Ordering::SeqCst);
            })
        };
        let log = JobLog::open(&path, &secrets(&["hunter2", "ab"]), Some(on_log)).unwrap();
        log.line("the password is hunter2, twice: hunter2");
        log.line(&format!("encoded {} and {}", base64(b"hunter2"), base64(b"hunter2").trim_end_matches('=')));
        log.line("ab stays: too short to mask");
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("hunter2") && !text.contains("aHVudGVyMg"), "{text}");
        assert!(text.contains("the password is ***, twice: ***"), "{text}");
        assert!(text.contains("ab stays"), "{text}");
        assert!(calls.load(Ordering::SeqCst) >= 1);
    }

    #[test]
    fn child_output_goes_through_the_pipe_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.log");
        let log = JobLog::open(&path, &secrets(&["s3cr3t"]), None).unwrap();
        log.line("before");
        let status = std::process::Command::new("sh")
            .args(["-c", "echo out s3cr3t; echo err >&2; printf 'no newline'"])
            .stdout(log.stdio().unwrap())
            .stderr(log.stdio().unwrap())
            .status()
            .unwrap();
        assert!(status.success());
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "[sluice] before\nout ***\nerr\nno newline");
    }

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, encoded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn replacing_finds_every_occurrence() {
        assert_eq!(replace_all(b"xaaxaax", b"aa"), b"x***x***x");
        assert_eq!(replace_all(b"", b"aa"), b"");
    }
}
