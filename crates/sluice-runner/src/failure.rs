//! How a job fails: one line a user understands, carried to the end of the
//! job as an `Err` and turned into a failed [`ActionResult`] there.

use sluice_engine::ActionResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure(String);

impl Failure {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Failure(message.into())
    }

    pub(crate) fn message(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_result(self) -> ActionResult {
        failed(&self.0)
    }
}

/// A failed result whose error is `message` on one line.
pub(crate) fn failed(message: &str) -> ActionResult {
    let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    ActionResult { succeeded: false, error: Some(line), ..ActionResult::default() }
}

/// The first line of `text`, shortened to `max` characters, for quoting a
/// command or a message inside a one-line error.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let line = text.trim().lines().next().unwrap_or_default();
    let more = line.len() < text.trim().len();
    match line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None if more => format!("{line}…"),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_one_line() {
        assert_eq!(failed("git said:\n  fatal: bad\n").error.as_deref(), Some("git said: fatal: bad"));
    }

    #[test]
    fn excerpts() {
        assert_eq!(excerpt("make test", 20), "make test");
        assert_eq!(excerpt("if true; then\n  echo\nfi", 20), "if true; then…");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }
}
