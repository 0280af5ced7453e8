//! git's smart HTTP protocol at `/git/<name>` (and `/git/<name>.git`):
//! clone, fetch and push, served by `git http-backend`.
//!
//! Every request needs an access key (HTTP Basic); fetching needs any
//! role, pushing `admin` or `operator`. After a push, the branches that
//! moved start the pipelines whose CodeCommit source follows them, before
//! the push is answered.

use super::repo::{self, Repos};
use super::{basic, cgi, trigger};
use crate::auth::{Permission, Principal};
use crate::http::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, Weak};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    UploadPack,
    ReceivePack,
}

impl Service {
    fn parse(name: &str) -> Option<Service> {
        match name {
            "git-upload-pack" => Some(Service::UploadPack),
            "git-receive-pack" => Some(Service::ReceivePack),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Service::UploadPack => "git-upload-pack",
            Service::ReceivePack => "git-receive-pack",
        }
    }
}

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Endpoint {
    /// `GET info/refs?service=...`: the ref advertisement.
    Refs(Service),
    /// `POST git-upload-pack` or `POST git-receive-pack`.
    Rpc(Service),
    /// `GET info/refs` without a service: the dumb protocol, not served.
    Dumb,
}

/// `/git/<name>[.git]/<rest>` → (name, rest, endpoint); `None` for anything
/// else.
fn route<'a>(path: &'a str, query: &str) -> Option<(&'a str, &'a str, Endpoint)> {
    let (repository, rest) = path.strip_prefix("/git/")?.split_once('/')?;
    let name = repository.strip_suffix(".git").unwrap_or(repository);
    let endpoint = match rest {
        "info/refs" => match query.split('&').find_map(|pair| pair.strip_prefix("service=")) {
            Some(service) => Endpoint::Refs(Service::parse(service)?),
            None => Endpoint::Dumb,
        },
        rpc => Endpoint::Rpc(Service::parse(rpc)?),
    };
    Some((name, rest, endpoint))
}

/// Handles every request under `/git/`.
pub async fn handle(State(app): State<AppState>, request: Request) -> Response {
    let started = std::time::Instant::now();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let (operation, response) = match serve(&app, &parts.method, &path, &query, &parts.headers, body).await {
        Ok((service, response)) => (format!("git.{}", service.as_str()), response),
        Err(response) => ("git".to_owned(), response),
    };
    app.metrics.request(&operation, response.status().as_u16(), started.elapsed());
    response
}

async fn serve(
    app: &AppState,
    method: &Method,
    path: &str,
    query: &str,
    headers: &axum::http::HeaderMap,
    body: Body,
) -> Result<(Service, Response), Response> {
    let principal = match basic::authenticate(app, headers).await {
        Ok(principal) => principal,
        Err(basic::Refused::Unauthorized) => return Err(unauthorized()),
        Err(basic::Refused::Internal) => {
            return Err(text(StatusCode::INTERNAL_SERVER_ERROR, "the credentials could not be checked"));
        }
    };
    let Some((name, rest, endpoint)) = route(path, query) else {
        return Err(text(StatusCode::NOT_FOUND, "not a git endpoint"));
    };
    let service = match endpoint {
        Endpoint::Dumb => {
            return Err(text(StatusCode::FORBIDDEN, "only git's smart HTTP protocol is served (git 1.6.6 or later)"));
        }
        Endpoint::Refs(service) if method == Method::GET || method == Method::HEAD => service,
        Endpoint::Rpc(service) if method == Method::POST => service,
        _ => return Err(text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")),
    };
    if service == Service::ReceivePack && !principal.allows(Permission::Operate) {
        let message = format!("user {} (role {}) may not push", principal.user, principal.role.as_str());
        return Err(text(StatusCode::FORBIDDEN, &message));
    }
    let repos = Repos::new(&app.data_dir);
    let exists = repo::check_name(name).is_ok() && repos.exists(name).await.unwrap_or(false);
    if !exists {
        return Err(text(StatusCode::NOT_FOUND, &format!("repository {name} does not exist")));
    }
    let path_info = format!("/{name}.git/{rest}");
    let request = cgi::Request::new(method.as_str(), path_info, query, &principal.user, headers);
    let result = if matches!(endpoint, Endpoint::Rpc(Service::ReceivePack)) {
        // Its own task: a client that goes away once the push is sent does
        // not stop the refs update nor the pipelines it starts.
        let task = tokio::spawn(push(app.clone(), name.to_owned(), request, body, principal));
        let pushed = task.await.unwrap_or_else(|e| Err(std::io::Error::other(format!("the push task failed: {e}"))));
        pushed.map(|cgi| cgi_response(cgi.status, cgi.headers, Body::from(cgi.body)))
    } else {
        let streamed = cgi::stream(repos.root(), &request, body).await;
        streamed.map(|cgi| cgi_response(cgi.status, cgi.headers, cgi.body))
    };
    match result {
        Ok(response) => Ok((service, response)),
        Err(e) => {
            tracing::error!(repository = name, error = %e, "git http-backend failed");
            Err(text(StatusCode::INTERNAL_SERVER_ERROR, "git failed"))
        }
    }
}

/// A push: run receive-pack with the repository's branches read before and
/// after, then start what the moved branches trigger. Pushes to one
/// repository take turns here, so each sees only its own changes.
async fn push(
    app: AppState,
    name: String,
    request: cgi::Request,
    body: Body,
    principal: Principal,
) -> std::io::Result<cgi::Response> {
    let repos = Repos::new(&app.data_dir);
    let lock = push_lock(repos.path(&name));
    let _turn = lock.lock().await;
    let before = repos.heads(&name).await?;
    // Whatever the answer (the client may have gone), the refs that moved
    // did move: they trigger.
    let response = cgi::run(repos.root(), &request, body).await;
    let after = repos.heads(&name).await?;
    let changed = repo::changed_branches(&before, &after);
    if let Some(first) = changed.keys().next() {
        repos.adopt_default_branch(&name, &after, first).await;
        let detail = format!("git push by {}", principal.user);
        trigger::on_push(&app.driver, &name, &changed, &detail).await;
    }
    response
}

/// One lock per repository, alive while someone holds or waits for it.
fn push_lock(git_dir: PathBuf) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: LazyLock<Mutex<HashMap<PathBuf, Weak<tokio::sync::Mutex<()>>>>> = LazyLock::new(Default::default);
    let mut locks = LOCKS.lock().expect("push locks");
    if let Some(lock) = locks.get(&git_dir).and_then(Weak::upgrade) {
        return lock;
    }
    locks.retain(|_, lock| lock.strong_count() > 0);
    let lock = Arc::new(tokio::sync::Mutex::new(()));
    locks.insert(git_dir, Arc::downgrade(&lock));
    lock
}

fn cgi_response(status: StatusCode, headers: Vec<(HeaderName, HeaderValue)>, body: Body) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().remove(header::CONTENT_TYPE);
    for (name, value) in headers {
        response.headers_mut().append(name, value);
    }
    response
}

fn unauthorized() -> Response {
    let mut response = text(StatusCode::UNAUTHORIZED, "an access key id and its secret are needed (HTTP Basic)");
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"sluice\""));
    response
}

fn text(status: StatusCode, message: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{message}\n")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_repository_and_an_endpoint() {
        let refs = Endpoint::Refs(Service::UploadPack);
        assert_eq!(route("/git/app/info/refs", "service=git-upload-pack"), Some(("app", "info/refs", refs)));
        let refs = Endpoint::Refs(Service::ReceivePack);
        assert_eq!(route("/git/app.git/info/refs", "x=1&service=git-receive-pack"), Some(("app", "info/refs", refs)));
        let fetch = Endpoint::Rpc(Service::UploadPack);
        assert_eq!(route("/git/my.app/git-upload-pack", ""), Some(("my.app", "git-upload-pack", fetch)));
        let push = Endpoint::Rpc(Service::ReceivePack);
        assert_eq!(route("/git/my.app.git/git-receive-pack", ""), Some(("my.app", "git-receive-pack", push)));
        assert_eq!(route("/git/app/info/refs", ""), Some(("app", "info/refs", Endpoint::Dumb)));
        assert_eq!(route("/git/app/info/refs", "service=git-upload-archive"), None);
        assert_eq!(route("/git/app/HEAD", ""), None);
        assert_eq!(route("/git/app/objects/info/packs", ""), None);
        assert_eq!(route("/git/app", ""), None);
        assert_eq!(route("/other/app/info/refs", "service=git-upload-pack"), None);
    }
}
