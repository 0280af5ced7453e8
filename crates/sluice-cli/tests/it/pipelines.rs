//! `pipeline apply|list|get|delete` against a real server, and where the connection settings
//! come from.

use crate::support::{Run, Server, pipeline, sluice};

#[test]
fn apply_creates_then_updates_and_each_update_is_a_new_version() {
    let server = Server::start();
    let v1 = server.file("app.yaml", &pipeline("app", &["echo one"]));
    let out = server.run(&["pipeline", "apply", "-f", &v1]).ok();
    assert_eq!(out, "created pipeline app (version 1)\n");

    let v2 = server.file("app-2.yaml", &pipeline("app", &["echo two"]));
    let out = server.run(&["pipeline", "apply", "-f", &v2]).ok();
    assert_eq!(out, "updated pipeline app to version 2\n");

    // JSON output is the API's answer as it came.
    let answer = server.run(&["pipeline", "apply", "-f", &v2, "--output", "json"]).json();
    assert_eq!(answer["pipeline"]["name"], "app");
    assert_eq!(answer["pipeline"]["version"], 3);

    // `get` prints what get-pipeline prints; an earlier version on request.
    let current = server.run(&["pipeline", "get", "app"]).json();
    assert_eq!(current["pipeline"]["version"], 3);
    assert!(current["metadata"]["pipelineArn"].as_str().unwrap().ends_with(":app"));
    let first = server.run(&["pipeline", "get", "app", "--version", "1"]).json();
    assert_eq!(first["pipeline"]["version"], 1);
    assert_eq!(first["pipeline"]["stages"][1]["actions"][0]["commands"][0], "echo one");

    // What `get` printed applies again as it is (its `version` is ignored).
    let saved = server.file("saved.json", &serde_json::to_string_pretty(&first).unwrap());
    assert_eq!(server.run(&["pipeline", "apply", "-f", &saved]).ok(), "updated pipeline app to version 4\n");
}

#[test]
fn list_get_and_delete() {
    let server = Server::start();
    assert!(server.run(&["pipeline", "list"]).ok().starts_with("no pipelines yet"));
    for name in ["web", "api"] {
        let file = server.file(&format!("{name}.yaml"), &pipeline(name, &["true"]));
        server.run(&["pipeline", "apply", "-f", &file]).ok();
    }
    let table = server.run(&["pipeline", "list"]).ok();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("NAME") && lines[0].contains("VERSION"), "{table}");
    assert!(lines.iter().any(|l| l.starts_with("web ") && l.contains(" V2 ")), "{table}");
    assert!(lines.iter().any(|l| l.starts_with("api ")), "{table}");

    let listed = server.run(&["-o", "json", "pipeline", "list"]).json();
    let mut names: Vec<&str> =
        listed["pipelines"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["api", "web"]);

    assert_eq!(server.run(&["pipeline", "delete", "web"]).ok(), "deleted pipeline web\n");
    let stderr = server.run(&["pipeline", "get", "web"]).fails(1);
    assert!(stderr.starts_with("error: PipelineNotFoundException: "), "{stderr}");
    let stderr = server.run(&["pipeline", "get", "api", "--version", "9"]).fails(1);
    assert!(stderr.starts_with("error: PipelineVersionNotFoundException: "), "{stderr}");
    let listed = server.run(&["pipeline", "list", "--output", "json"]).json();
    assert_eq!(listed["pipelines"].as_array().unwrap().len(), 1);
}

#[test]
fn the_admin_key_is_read_from_the_data_directory_and_flags_win_over_the_environment() {
    let server = Server::start();
    // Only the endpoint and the data directory: the key comes from admin-credentials.
    let mut command = sluice();
    command.env("SLUICE_ENDPOINT", &server.endpoint);
    let data_dir = server.data_dir();
    let run = Run::of(command, &["pipeline", "list", "--data-dir", data_dir.to_str().unwrap()]);
    assert!(run.ok().starts_with("no pipelines yet"));

    // A flag replaces the (good) key in the environment.
    let run = Run::of(server.sluice(), &["pipeline", "list", "--access-key-id", "AKIANOSUCHKEY0000000"]);
    let stderr = run.fails(1);
    assert!(stderr.starts_with("error: UnrecognizedClientException: "), "{stderr}");

    // So does --endpoint.
    let run = Run::of(server.sluice(), &["pipeline", "list", "--endpoint", "http://127.0.0.1:1"]);
    assert!(run.fails(1).contains("cannot reach the sluice server at http://127.0.0.1:1"));
}
