//! The buildspec as the runner uses it: only what sluice acts on; keys that
//! are accepted but have no effect here were reported as warnings.

/// `version`: 0.1 runs each command in a shell of its own, 0.2 runs them all
/// in one shell so that `cd` and variables carry over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V0_1,
    V0_2,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buildspec {
    pub version: Version,
    /// The top-level `run-as`.
    pub run_as: Option<String>,
    pub env: Env,
    /// The phases present in the file, in execution order.
    pub phases: Vec<Phase>,
    pub reports: Vec<ReportGroup>,
    pub artifacts: Option<Artifacts>,
    /// `cache.paths`.
    pub cache_paths: Vec<String>,
}

impl Buildspec {
    pub fn phase(&self, name: PhaseName) -> Option<&Phase> {
        self.phases.iter().find(|p| p.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shell {
    #[default]
    Bash,
    /// `/bin/sh` or `sh`: sluice still runs bash, in POSIX mode.
    Sh,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    pub shell: Shell,
    /// `env.variables`, in file order.
    pub variables: Vec<(String, String)>,
    /// `env.parameter-store`: variable name → sluice secret name.
    pub parameter_store: Vec<(String, String)>,
    /// `env.secrets-manager`: variable name → secret reference.
    pub secrets_manager: Vec<(String, SecretRef)>,
    pub exported_variables: Vec<String>,
    pub git_credential_helper: bool,
}

/// `secret-id[:json-key]`: the sluice secret, and optionally one key of the
/// JSON object it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    pub name: String,
    pub json_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PhaseName {
    Install,
    PreBuild,
    Build,
    PostBuild,
}

impl PhaseName {
    pub const ALL: [PhaseName; 4] = [PhaseName::Install, PhaseName::PreBuild, PhaseName::Build, PhaseName::PostBuild];

    /// As the buildspec spells it.
    pub fn key(self) -> &'static str {
        match self {
            PhaseName::Install => "install",
            PhaseName::PreBuild => "pre_build",
            PhaseName::Build => "build",
            PhaseName::PostBuild => "post_build",
        }
    }

    /// As CodeBuild's `BuildPhaseType` spells it.
    pub fn wire(self) -> &'static str {
        match self {
            PhaseName::Install => "INSTALL",
            PhaseName::PreBuild => "PRE_BUILD",
            PhaseName::Build => "BUILD",
            PhaseName::PostBuild => "POST_BUILD",
        }
    }
}

/// `on-failure`. Absent, a failure follows CodeBuild's phase transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    Abort,
    Continue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub name: PhaseName,
    pub run_as: Option<String>,
    pub on_failure: Option<OnFailure>,
    /// `install.runtime-versions`: logged only (sluice runs on the host).
    pub runtime_versions: Vec<(String, String)>,
    pub commands: Vec<String>,
    pub finally: Vec<String>,
}

/// `reports.<group>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportGroup {
    /// The report group's name or ARN, as written.
    pub name: String,
    pub files: Vec<String>,
    pub base_directory: Option<String>,
    pub discard_paths: bool,
    /// Upper case: `JUNITXML` (the default), `CUCUMBERJSON`, ...
    pub file_format: String,
}

/// `artifacts`, or one of its `secondary-artifacts`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Artifacts {
    pub files: Vec<String>,
    pub name: Option<String>,
    pub discard_paths: bool,
    pub base_directory: Option<String>,
    pub exclude_paths: Vec<String>,
    pub enable_symlinks: bool,
    /// By artifact identifier, in file order (only on the primary).
    pub secondary: Vec<(String, Artifacts)>,
}
