//! The parser against files: valid ones decode to what they say, invalid
//! ones give every problem at once, snapshotted as the log shows them.

use sluice_buildspec::{OnFailure, PhaseName, SecretRef, Version, parse, summary};

#[test]
fn every_problem_is_reported_with_its_position() {
    insta::glob!("invalid/*.yml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = parse(&text);
        insta::assert_snapshot!(summary(&parsed.diagnostics, "buildspec.yml"));
    });
}

#[test]
fn warnings_alone_keep_the_buildspec() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/invalid/warnings-only.yml"));
    let parsed = parse(&text.unwrap());
    assert!(parsed.errors().count() == 1, "{:?}", parsed.diagnostics);
}

#[test]
fn a_full_buildspec_decodes() {
    let text = r#"
version: 0.2
run-as: builder
env:
  variables:
    PORT: 8080
    NAME: "x y"
  parameter-store:
    TOKEN: /ci/token
  secrets-manager:
    PASSWORD: "db:password"
    WHOLE: db
  exported-variables: [VERSION]
phases:
  post_build:
    commands: [echo post]
  build:
    on-failure: CONTINUE
    commands:
      - "echo build: $PORT"
    finally:
      - echo finally
  install:
    runtime-versions:
      python: 3.x
reports:
  unit:
    files: ['**/*.xml']
    base-directory: reports
    discard-paths: yes
artifacts:
  files: ['**/*']
  base-directory: dist
  exclude-paths: ['**/*.map']
  secondary-artifacts:
    docs:
      files: [docs/**/*]
cache:
  paths: ['.cache/**/*']
"#;
    let parsed = parse(text);
    assert!(parsed.diagnostics.is_empty(), "{}", summary(&parsed.diagnostics, "buildspec.yml"));
    let spec = parsed.buildspec.unwrap();
    assert_eq!(spec.version, Version::V0_2);
    assert_eq!(spec.run_as.as_deref(), Some("builder"));
    assert_eq!(spec.env.variables, [("PORT".to_owned(), "8080".to_owned()), ("NAME".into(), "x y".into())]);
    assert_eq!(spec.env.secrets_manager[0].1, SecretRef { name: "db".into(), json_key: Some("password".into()) });
    let names: Vec<_> = spec.phases.iter().map(|p| p.name).collect();
    assert_eq!(names, [PhaseName::Install, PhaseName::Build, PhaseName::PostBuild]);
    let build = spec.phase(PhaseName::Build).unwrap();
    assert_eq!(build.on_failure, Some(OnFailure::Continue));
    assert_eq!(build.commands, ["echo build: $PORT"]);
    assert_eq!(spec.reports[0].file_format, "JUNITXML");
    assert!(spec.reports[0].discard_paths);
    let artifacts = spec.artifacts.unwrap();
    assert_eq!(artifacts.exclude_paths, ["**/*.map"]);
    assert_eq!(artifacts.secondary[0].0, "docs");
    assert_eq!(spec.cache_paths, [".cache/**/*"]);
}

#[test]
fn no_input_panics() {
    let samples = ["", "-", "[]", "version:", "version: 0.2\nphases: []", "version: 0.2\nphases:\n  build: 3", "a: *x"];
    for text in samples {
        let parsed = parse(text);
        assert!(parsed.buildspec.is_none(), "{text:?}");
    }
}
