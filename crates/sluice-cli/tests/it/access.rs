//! The local admin commands (`user`, `key`) beside a running server, and what a key's role
//! allows through the API.

use crate::support::{Run, Server, pipeline};

#[test]
fn users_and_keys_made_locally_sign_requests_with_their_role() {
    let server = Server::start();
    let file = server.file("app.yaml", &pipeline("app", &["true"]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();

    let out = server.run(&["user", "create", "carol", "--role", "viewer"]).ok();
    assert!(out.starts_with("created user carol (role viewer)"), "{out}");
    let stderr = server.run(&["user", "create", "carol", "--role", "viewer"]).fails(1);
    assert!(stderr.contains("a user named carol already exists"), "{stderr}");
    let stderr = server.run(&["user", "create", "dan", "--role", "boss"]).fails(2);
    assert!(stderr.contains("possible values: admin, operator, approver, viewer"), "{stderr}");

    let users = server.run(&["user", "list", "--output", "json"]).json();
    let users: Vec<(&str, &str)> = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["userName"].as_str().unwrap(), u["role"].as_str().unwrap()))
        .collect();
    assert_eq!(users, [("admin", "admin"), ("carol", "viewer")]);

    let key = server.run(&["key", "create", "carol", "-o", "json"]).json();
    let id = key["accessKey"]["accessKeyId"].as_str().unwrap().to_string();
    let secret = key["accessKey"]["secretAccessKey"].as_str().unwrap().to_string();
    assert!(id.starts_with("AKIA") && secret.len() == 40, "{key}");
    let listed = server.run(&["key", "list", "carol"]).ok();
    assert!(listed.contains(&id) && listed.contains("Active") && !listed.contains(&secret), "{listed}");

    // A viewer reads, and is refused a change.
    let as_carol = || server.sluice_as(&id, &secret);
    assert!(Run::of(as_carol(), &["pipeline", "list"]).ok().contains("app"));
    let stderr = Run::of(as_carol(), &["pipeline", "apply", "-f", &file]).fails(1);
    assert!(stderr.starts_with("error: AccessDeniedException: "), "{stderr}");
    assert!(stderr.contains("carol"), "{stderr}");
    let stderr = Run::of(as_carol(), &["pipeline", "delete", "app"]).fails(1);
    assert!(stderr.starts_with("error: AccessDeniedException: "), "{stderr}");

    // A deleted key signs nothing any more.
    assert_eq!(server.run(&["key", "delete", &id]).ok(), format!("deleted access key {id}\n"));
    let stderr = Run::of(as_carol(), &["pipeline", "list"]).fails(1);
    assert!(stderr.starts_with("error: UnrecognizedClientException: "), "{stderr}");
    assert!(server.run(&["key", "delete", &id]).fails(1).contains("there is no access key"));

    assert_eq!(server.run(&["user", "delete", "carol"]).ok(), "deleted user carol and its access keys\n");
    let stderr = server.run(&["user", "delete", "admin"]).fails(1);
    assert!(stderr.contains("is the last admin"), "{stderr}");
    assert!(server.run(&["key", "create", "carol"]).fails(1).contains("there is no user carol"));
}
