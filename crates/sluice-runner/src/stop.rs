//! When a job must stop before it ends by itself: the caller cancelled it,
//! or its deadline passed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stopped {
    Cancelled,
    TimedOut,
}

impl Stopped {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Stopped::Cancelled => "cancelled",
            Stopped::TimedOut => "The action timed out",
        }
    }
}

pub(crate) struct Stop {
    cancel: CancellationToken,
    /// `None`: so far away that it cannot be represented, i.e. never.
    deadline: Option<Instant>,
}

impl Stop {
    /// `deadline_ms` is wall-clock (milliseconds since the epoch), as the
    /// engine sets it; it becomes a monotonic instant here, once.
    pub(crate) fn new(cancel: CancellationToken, deadline_ms: i64) -> Self {
        let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let now_ms = i64::try_from(now_ms).unwrap_or(i64::MAX);
        let remaining = u64::try_from(deadline_ms.saturating_sub(now_ms)).unwrap_or(0);
        let deadline = Instant::now().checked_add(Duration::from_millis(remaining));
        Stop { cancel, deadline }
    }

    /// Whether the job must stop now.
    pub(crate) fn check(&self) -> Option<Stopped> {
        if self.cancel.is_cancelled() {
            Some(Stopped::Cancelled)
        } else if self.deadline.is_some_and(|at| at <= Instant::now()) {
            Some(Stopped::TimedOut)
        } else {
            None
        }
    }

    /// Resolves when the job must stop.
    pub(crate) async fn wait(&self) -> Stopped {
        let deadline = async {
            match self.deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = self.cancel.cancelled() => Stopped::Cancelled,
            () = deadline => Stopped::TimedOut,
        }
    }

    /// Runs `work` unless the job must stop first; a stop drops `work`.
    pub(crate) async fn guard<T>(
        &self,
        work: impl Future<Output = Result<T, crate::Failure>>,
    ) -> Result<T, crate::Failure> {
        if let Some(stopped) = self.check() {
            return Err(crate::Failure::new(stopped.message()));
        }
        tokio::select! {
            biased;
            stopped = self.wait() => Err(crate::Failure::new(stopped.message())),
            result = work => result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now_ms() -> i64 {
        i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
    }

    #[tokio::test]
    async fn past_and_future_deadlines() {
        assert_eq!(Stop::new(CancellationToken::new(), 0).check(), Some(Stopped::TimedOut));
        assert_eq!(Stop::new(CancellationToken::new(), i64::MAX).check(), None);
        let soon = Stop::new(CancellationToken::new(), now_ms() + 30);
        assert_eq!(soon.check(), None);
        assert_eq!(soon.wait().await, Stopped::TimedOut);
    }

    #[tokio::test]
    async fn cancel_wins() {
        let token = CancellationToken::new();
        let stop = Stop::new(token.clone(), i64::MAX);
        token.cancel();
        assert_eq!(stop.check(), Some(Stopped::Cancelled));
        let err = stop.guard(async { Ok(()) }).await.unwrap_err();
        assert_eq!(err.message(), "cancelled");
    }
}
