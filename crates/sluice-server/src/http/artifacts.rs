//! Artifacts for remote agents: plain `GET`, `PUT` and `HEAD` of
//! `/api/v1/artifacts/<key>`, as an object store's HTTP backend expects.
//! Any registered agent may read and write any artifact (agents are
//! trusted to run any job, which can read its artifacts anyway).

use super::AppState;
use super::agents::agent;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use sluice_artifacts::ArtifactError;
use tokio::io::AsyncWriteExt;

pub(crate) async fn handle(
    State(app): State<AppState>,
    Path(key): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(refusal) = agent(&app, &headers).await {
        return refusal.into_response();
    }
    let store = &app.driver.inner.artifacts;
    let scratch = app.data_dir.join("tmp");
    if let Err(e) = tokio::fs::create_dir_all(&scratch).await {
        return failed("creating the scratch directory", e);
    }
    let temp = scratch.join(format!("artifact-{}", uuid::Uuid::new_v4()));
    let response = match method {
        Method::HEAD => match store.exists(&key).await {
            Ok(true) => StatusCode::OK.into_response(),
            Ok(false) => StatusCode::NOT_FOUND.into_response(),
            Err(e) => refused(e),
        },
        Method::GET => match store.get_to_file(&key, &temp).await {
            Ok(()) => match tokio::fs::File::open(&temp).await {
                // Unlinked while open: the stream keeps reading it, nothing is left behind.
                Ok(file) => {
                    let _ = tokio::fs::remove_file(&temp).await;
                    Body::from_stream(tokio_util::io::ReaderStream::new(file)).into_response()
                }
                Err(e) => failed("reading an artifact", e),
            },
            Err(e) => refused(e),
        },
        Method::PUT => match receive(body, &temp).await {
            Ok(()) => match store.put_file(&key, &temp).await {
                Ok(()) => StatusCode::OK.into_response(),
                Err(e) => refused(e),
            },
            Err(e) => failed("receiving an artifact", e),
        },
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    };
    let _ = tokio::fs::remove_file(&temp).await;
    response
}

/// The request body into `to`, in chunks (artifacts can be large).
async fn receive(body: Body, to: &std::path::Path) -> std::io::Result<()> {
    let mut file = tokio::fs::File::create(to).await?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        file.write_all(&chunk.map_err(std::io::Error::other)?).await?;
    }
    file.flush().await
}

fn refused(e: ArtifactError) -> Response {
    match e {
        ArtifactError::NotFound { .. } => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
        ArtifactError::InvalidKey { .. } => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        other => {
            tracing::error!(error = %other, "the artifact store failed");
            (StatusCode::INTERNAL_SERVER_ERROR, other.to_string()).into_response()
        }
    }
}

fn failed(what: &str, e: std::io::Error) -> Response {
    tracing::error!(error = %e, "{what} failed");
    (StatusCode::INTERNAL_SERVER_ERROR, format!("{what} failed: {e}")).into_response()
}
