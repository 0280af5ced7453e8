//! `sluice logs EXECUTION [STAGE/ACTION] [-f]`: an execution's job logs, from the server's event
//! stream (`GET /api/v1/executions/{id}/logs`, HTTP Basic with the access key). With `-f` it
//! keeps printing until the jobs end, woken by the server as lines arrive.

use super::{Global, print, stage_and_action};
use crate::client::Settings;
use anyhow::{Context as _, bail};
use std::io::{BufRead as _, BufReader};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The execution id (from `sluice start` or `sluice executions`).
    execution: String,
    /// One action, as STAGE/ACTION; every action of the execution otherwise.
    action: Option<String>,
    /// Keep printing until the jobs end.
    #[arg(long, short)]
    follow: bool,
}

pub fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let settings = Settings::resolve(&global.connection, &global.data_dir)?;
    let mut query = vec![format!("follow={}", args.follow)];
    if let Some(action) = &args.action {
        let (stage, action) = stage_and_action(action)?;
        query.push(format!("stage={}", encode(&stage)));
        query.push(format!("action={}", encode(&action)));
    }
    let url = format!(
        "{}/api/v1/executions/{}/logs?{}",
        settings.endpoint.base_url(),
        encode(&args.execution),
        query.join("&")
    );
    let credentials = &settings.credentials;
    let basic = base64(format!("{}:{}", credentials.access_key_id, credentials.secret_access_key).as_bytes());
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(std::time::Duration::from_secs(10)));
    if settings.endpoint.skips_proxy() {
        config = config.proxy(None);
    }
    let http: ureq::Agent = config.build().into();
    let response = http
        .get(&url)
        .header("Authorization", &format!("Basic {basic}"))
        .header("Accept", "text/event-stream")
        .call()
        .with_context(|| format!("cannot reach {}", settings.endpoint.shown))?;
    let status = response.status().as_u16();
    if status != 200 {
        let text = response.into_body().read_to_string().unwrap_or_default();
        bail!("the server answered {status}: {}", text.trim());
    }
    let mut reader = BufReader::new(response.into_body().into_reader());
    let mut stream = EventStream::default();
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if reader.read_until(b'\n', &mut raw).context("the log stream broke off")? == 0 {
            break;
        }
        let text = String::from_utf8_lossy(&raw);
        // SSE ends lines with \n, \r or \r\n (a job's `\r` progress output arrives so).
        let text = text.strip_suffix('\n').unwrap_or(&text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        for line in text.split('\r') {
            match stream.line(line) {
                Some(Line::Print(data)) => print(&format!("{data}\n")),
                Some(Line::End) => return Ok(ExitCode::SUCCESS),
                None => {}
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What one line of the event stream means for the output.
#[derive(Debug, PartialEq)]
enum Line {
    Print(String),
    End,
}

/// The few SSE rules `sluice logs` needs: `event:` names the event, `data:` lines of `log`
/// events are printed, a blank line ends an event.
#[derive(Default)]
struct EventStream {
    event: String,
}

impl EventStream {
    fn line(&mut self, line: &str) -> Option<Line> {
        if let Some(name) = line.strip_prefix("event:") {
            self.event = name.trim().to_string();
        } else if let Some(data) = line.strip_prefix("data:") {
            if self.event == "log" {
                return Some(Line::Print(data.strip_prefix(' ').unwrap_or(data).to_string()));
            }
        } else if line.is_empty() {
            if self.event == "end" {
                return Some(Line::End);
            }
            self.event.clear();
        }
        None
    }
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Standard base64 with padding, for the Basic header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]) } else { '=' });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_events_are_printed_and_the_end_stops() {
        let mut stream = EventStream::default();
        let lines = [
            "event: log",
            "id: j",
            "data: one",
            "data:  two",
            "",
            "event: other",
            "data: x",
            "",
            "event: end",
            "data: ",
            "",
        ];
        let out: Vec<_> = lines.iter().filter_map(|l| stream.line(l)).collect();
        assert_eq!(out, [Line::Print("one".into()), Line::Print(" two".into()), Line::End]);
    }

    #[test]
    fn basic_credentials_and_queries_are_encoded() {
        assert_eq!(base64(b"AKIAEXAMPLE:se/cr+et:x"), "QUtJQUVYQU1QTEU6c2UvY3IrZXQ6eA==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(encode("Build Stage/a"), "Build%20Stage%2Fa");
    }
}
