//! The bash script of a build: every phase in one shell, so that `cd` and
//! variables carry from one command to the next and from phase to phase
//! (buildspec 0.2; 0.1 runs each command in a subshell). The shell itself
//! applies CodeBuild's rules for what runs after a failure, and appends what
//! happened to a control file the runner reads afterwards ([`super::journal`]).

use crate::script::quote;
use sluice_buildspec::{Buildspec, OnFailure, PhaseName, Version};
use std::fmt::Write;
use std::path::Path;

/// The journal of the build, in the control directory.
pub(crate) const JOURNAL_FILE: &str = "journal";
/// The exported variables, `name=value` NUL-separated, in the control directory.
pub(crate) const EXPORTED_FILE: &str = "exported";

pub(crate) fn build(spec: &Buildspec, control: &Path) -> String {
    let journal = quote(&control.join(JOURNAL_FILE).to_string_lossy());
    let exported = quote(&control.join(EXPORTED_FILE).to_string_lossy());
    let mut s = String::new();
    // Timestamps come from the shell itself (no process per mark); bash
    // writes a comma instead of a dot under some locales.
    let _ = writeln!(s, "__sluice_journal={journal}");
    s.push_str("__sluice_mark() { printf '%s %s\\n' \"$*\" \"${EPOCHREALTIME/,/.}\" >> \"$__sluice_journal\"; }\n");
    s.push_str("export CODEBUILD_BUILD_SUCCEEDING=1\n__sluice_skip=0\n");
    for name in PhaseName::ALL {
        phase(&mut s, spec, name);
    }
    // Exported variables are read after post_build, whatever happened.
    s.push_str("for __sluice_name in");
    for name in &spec.env.exported_variables {
        let _ = write!(s, " {name}");
    }
    s.push_str("; do\n");
    s.push_str(
        "  if [ -n \"${!__sluice_name+x}\" ]; then printf '%s=%s\\0' \"$__sluice_name\" \"${!__sluice_name}\"; fi\n",
    );
    let _ = writeln!(s, "done > {exported}");
    s.push_str("__sluice_mark done\nexit 0\n");
    s
}

fn phase(s: &mut String, spec: &Buildspec, name: PhaseName) {
    let wire = name.wire();
    let found = spec.phase(name);
    let commands = found.map(|p| p.commands.as_slice()).unwrap_or_default();
    let finally = found.map(|p| p.finally.as_slice()).unwrap_or_default();
    s.push_str("if [ \"$__sluice_skip\" = 0 ]; then\n");
    let _ = writeln!(s, "__sluice_mark start {wire}");
    let _ = writeln!(s, "printf '[Container] Entering phase {wire}\\n'");
    s.push_str("__sluice_rc=0\n__sluice_at=\n");
    if let Some(phase) = found {
        for (runtime, version) in &phase.runtime_versions {
            let line = format!("[Container] runtime-versions: {runtime} {version} (sluice uses what the machine has)");
            let _ = writeln!(s, "printf '%s\\n' {}", quote(&line));
        }
    }
    for (index, command) in commands.iter().enumerate() {
        s.push_str("if [ \"$__sluice_rc\" = 0 ]; then\n");
        run(s, spec.version, wire, "commands", index + 1, command);
        let _ = writeln!(s, "__sluice_rc=$?; [ \"$__sluice_rc\" = 0 ] || __sluice_at='commands {}'", index + 1);
        s.push_str("fi\n");
    }
    // `finally` runs even when a command failed, and stops at its own first
    // failure; the first failure of the phase is the one reported.
    s.push_str("__sluice_frc=0\n");
    for (index, command) in finally.iter().enumerate() {
        s.push_str("if [ \"$__sluice_frc\" = 0 ]; then\n");
        run(s, spec.version, wire, "finally", index + 1, command);
        s.push_str("__sluice_frc=$?\n");
        let _ = writeln!(
            s,
            "if [ \"$__sluice_frc\" != 0 ] && [ \"$__sluice_rc\" = 0 ]; then __sluice_rc=$__sluice_frc; __sluice_at='finally {}'; fi",
            index + 1
        );
        s.push_str("fi\n");
    }
    s.push_str("if [ \"$__sluice_rc\" = 0 ]; then\n");
    let _ = writeln!(s, "__sluice_mark end {wire} ok");
    let _ = writeln!(s, "printf '[Container] Phase complete: {wire} State: SUCCEEDED\\n'");
    s.push_str("else\n");
    let _ = writeln!(s, "__sluice_mark end {wire} failed $__sluice_rc $__sluice_at");
    let _ =
        writeln!(s, "printf '[Container] Phase complete: {wire} State: FAILED (exit status %s)\\n' \"$__sluice_rc\"");
    s.push_str("export CODEBUILD_BUILD_SUCCEEDING=0\n");
    if aborts(name, found.and_then(|p| p.on_failure)) {
        s.push_str("__sluice_skip=1\n__sluice_mark abort\n");
    }
    s.push_str("fi\nfi\n");
}

/// Whether a failure of this phase ends the build. Without `on-failure`,
/// CodeBuild stops after a failed install or pre_build; after a failed
/// build, post_build (and the artifacts upload) still run.
fn aborts(name: PhaseName, on_failure: Option<OnFailure>) -> bool {
    match on_failure {
        Some(OnFailure::Abort) => true,
        Some(OnFailure::Continue) => false,
        None => matches!(name, PhaseName::Install | PhaseName::PreBuild),
    }
}

/// One command, announced in the log and in the journal (so a timeout or a
/// shell that exits can be pinned on it). `eval` of a quoted string keeps a
/// command with a syntax error from swallowing the commands after it.
fn run(s: &mut String, version: Version, wire: &str, block: &str, index: usize, command: &str) {
    let quoted = quote(command);
    let _ = writeln!(s, "__sluice_mark run {wire} {block} {index}");
    let _ = writeln!(s, "printf '[Container] Running command %s\\n' {quoted}");
    match version {
        Version::V0_2 => {
            let _ = writeln!(s, "eval {quoted}");
        }
        Version::V0_1 => {
            let _ = writeln!(s, "( eval {quoted} )");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_transitions() {
        assert!(aborts(PhaseName::Install, None) && aborts(PhaseName::PreBuild, None));
        assert!(!aborts(PhaseName::Build, None) && !aborts(PhaseName::PostBuild, None));
        assert!(aborts(PhaseName::Build, Some(OnFailure::Abort)));
        assert!(!aborts(PhaseName::Install, Some(OnFailure::Continue)));
    }

    #[test]
    fn every_phase_is_in_the_script() {
        let spec = sluice_buildspec::parse("version: 0.2\nphases:\n  build:\n    commands: [\"echo 'a'\"]\n")
            .buildspec
            .unwrap();
        let script = build(&spec, Path::new("/c"));
        for wire in ["INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD"] {
            assert!(script.contains(&format!("__sluice_mark start {wire}")), "{script}");
        }
        assert!(script.contains("eval 'echo '\\''a'\\'''\n"), "{script}");
    }
}
