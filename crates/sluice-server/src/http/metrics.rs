//! Prometheus metrics at `/metrics`, kept with plain atomics: a handful of
//! counters does not need a metrics framework.

use super::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Default)]
pub struct Metrics {
    /// (operation, status) → (count, total seconds)
    requests: Mutex<BTreeMap<(String, u16), (u64, f64)>>,
}

impl Metrics {
    pub fn request(&self, operation: &str, status: u16, took: Duration) {
        let mut requests = self.requests.lock().expect("metrics lock");
        let entry = requests.entry((operation.to_string(), status)).or_default();
        entry.0 += 1;
        entry.1 += took.as_secs_f64();
    }
}

pub async fn render(State(app): State<AppState>) -> impl IntoResponse {
    let mut out = String::new();
    out.push_str("# HELP sluice_api_requests_total AWS protocol requests by operation and HTTP status.\n");
    out.push_str("# TYPE sluice_api_requests_total counter\n");
    let requests = app.metrics.requests.lock().expect("metrics lock").clone();
    for ((operation, status), (count, _)) in &requests {
        let _ = writeln!(
            out,
            "sluice_api_requests_total{{operation=\"{}\",status=\"{status}\"}} {count}",
            escape(operation)
        );
    }
    out.push_str("# HELP sluice_api_request_seconds_total Time spent answering AWS protocol requests.\n");
    out.push_str("# TYPE sluice_api_request_seconds_total counter\n");
    for ((operation, status), (_, seconds)) in &requests {
        let _ = writeln!(
            out,
            "sluice_api_request_seconds_total{{operation=\"{}\",status=\"{status}\"}} {seconds}",
            escape(operation)
        );
    }
    let running = app.driver.running_jobs();
    out.push_str("# HELP sluice_jobs_running Jobs the embedded executor runs now.\n# TYPE sluice_jobs_running gauge\n");
    let _ = writeln!(out, "sluice_jobs_running {running}");
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
