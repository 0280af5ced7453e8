//! Test hooks that make the driver stop dead at a chosen point, as a
//! crash would, so recovery can be tested at every effect boundary.

use super::Error;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// The points: `before-commit`, `after-commit`, `after-claim`,
/// `before-report`.
#[derive(Debug, Clone, Default)]
pub struct FailPoints {
    armed: Arc<Mutex<HashSet<String>>>,
}

impl FailPoints {
    /// Arms `point`: the next time the driver reaches it, it stops.
    pub fn arm(&self, point: &str) {
        self.armed.lock().expect("failpoints lock").insert(point.to_string());
    }

    /// At `point`: if armed, disarm it, stop the driver and report the crash.
    pub(crate) fn check(&self, point: &'static str, shutdown: &CancellationToken) -> Result<(), Error> {
        if shutdown.is_cancelled() {
            return Err(Error::Crashed(point));
        }
        let fired = self.armed.lock().expect("failpoints lock").remove(point);
        if fired {
            shutdown.cancel();
            return Err(Error::Crashed(point));
        }
        Ok(())
    }
}
