//! Reading back what the build shell wrote to its journal: which phases
//! started and ended, how, when, and which command ran last.

use sluice_buildspec::PhaseName;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PhaseRun {
    pub(crate) name: PhaseName,
    pub(crate) start_ms: i64,
    /// `None`: the phase never ended (the shell died or was stopped).
    pub(crate) end: Option<PhaseEnd>,
    /// The command running last: block (`commands`, `finally`) and 1-based index.
    pub(crate) last_command: Option<(String, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PhaseEnd {
    pub(crate) end_ms: i64,
    /// `None` when the phase succeeded; else the exit code and the command.
    pub(crate) failure: Option<(i32, String, usize)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Journal {
    pub(crate) phases: Vec<PhaseRun>,
    /// A phase failure ended the build: no artifacts are uploaded.
    pub(crate) aborted: bool,
    /// The script ran to its end.
    pub(crate) done: bool,
}

/// Unknown or torn lines (a kill mid-write) are skipped.
pub(crate) fn read(text: &str) -> Journal {
    let mut journal = Journal::default();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((stamp, words)) = words.split_last() else { continue };
        let Some(ms) = millis(stamp) else { continue };
        match words {
            ["start", phase] => {
                if let Some(name) = phase_name(phase) {
                    journal.phases.push(PhaseRun { name, start_ms: ms, end: None, last_command: None });
                }
            }
            ["run", _, block, index] => {
                if let (Some(current), Ok(index)) = (journal.phases.last_mut(), index.parse()) {
                    current.last_command = Some(((*block).to_owned(), index));
                }
            }
            ["end", _, "ok"] => {
                if let Some(current) = journal.phases.last_mut() {
                    current.end = Some(PhaseEnd { end_ms: ms, failure: None });
                }
            }
            ["end", _, "failed", code, block, index] => {
                if let Some(current) = journal.phases.last_mut() {
                    let failure = (code.parse().unwrap_or(1), (*block).to_owned(), index.parse().unwrap_or(0));
                    current.end = Some(PhaseEnd { end_ms: ms, failure: Some(failure) });
                }
            }
            ["abort"] => journal.aborted = true,
            ["done"] => journal.done = true,
            _ => {}
        }
    }
    journal
}

fn phase_name(wire: &str) -> Option<PhaseName> {
    PhaseName::ALL.into_iter().find(|p| p.wire() == wire)
}

/// `seconds.micros` (bash's `EPOCHREALTIME`) to milliseconds.
fn millis(stamp: &str) -> Option<i64> {
    let (secs, frac) = stamp.split_once('.').unwrap_or((stamp, "0"));
    let secs: i64 = secs.parse().ok()?;
    let frac = format!("{frac:0<3}");
    let ms: i64 = frac.get(..3)?.parse().ok()?;
    secs.checked_mul(1000)?.checked_add(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_with_a_failure_and_a_torn_line() {
        let text = "start INSTALL 10.000100\nend INSTALL ok 10.5\nstart BUILD 11.25\nrun BUILD commands 1 11.3\n\
                    run BUILD commands 2 11.4\nend BUILD failed 3 commands 2 12.001\nabort 12.1\nstart POST_BU";
        let journal = read(text);
        assert_eq!(journal.phases.len(), 2);
        assert_eq!(journal.phases[0].start_ms, 10_000);
        assert_eq!(journal.phases[0].end, Some(PhaseEnd { end_ms: 10_500, failure: None }));
        let build = &journal.phases[1];
        assert_eq!(build.end.as_ref().unwrap().failure, Some((3, "commands".into(), 2)));
        assert_eq!(build.last_command, Some(("commands".into(), 2)));
        assert!(journal.aborted && !journal.done);
    }

    #[test]
    fn timestamps() {
        assert_eq!(millis("1700000000.123456"), Some(1_700_000_000_123));
        assert_eq!(millis("5"), Some(5000));
        assert_eq!(millis("x.1"), None);
    }
}
