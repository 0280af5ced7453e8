//! Agent registration tokens over the API, for admins (HTTP Basic with an
//! access key, like the log streams): the same as `sluice agent token` on
//! the data directory.
//!
//! - `POST /api/v1/agent-tokens` `{name}` → `{name, token}` (the token is shown only here)
//! - `GET /api/v1/agent-tokens` → `{agentTokens: [{name, created}]}`
//! - `DELETE /api/v1/agent-tokens/{name}` → 204

use super::AppState;
use super::agents::hash;
use crate::auth::Permission;
use crate::clock::now_ms;
use crate::git::basic::{Refused, authenticate};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

fn message(status: StatusCode, text: String) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

/// `Ok` for an admin; the answer to send otherwise.
async fn admin(app: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    match authenticate(app, headers).await {
        Ok(principal) if principal.allows(Permission::Administer) => Ok(()),
        Ok(principal) => Err(message(
            StatusCode::FORBIDDEN,
            format!("user {} (role {}) may not manage agent tokens", principal.user, principal.role.as_str()),
        )),
        Err(Refused::Unauthorized) => Err((
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"sluice\"")],
            Json(json!({ "message": "an access key is required (HTTP Basic: key id and secret)" })),
        )
            .into_response()),
        Err(Refused::Internal) => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

fn store_failed(e: sluice_store::Error) -> Response {
    tracing::error!(error = %e, "an agent token operation failed");
    message(StatusCode::INTERNAL_SERVER_ERROR, format!("the store failed: {e}"))
}

#[derive(Deserialize)]
pub(crate) struct Create {
    name: String,
}

pub(crate) async fn create(State(app): State<AppState>, headers: HeaderMap, Json(body): Json<Create>) -> Response {
    if let Err(refused) = admin(&app, &headers).await {
        return refused;
    }
    let name = body.name.trim();
    if name.is_empty() || name.len() > 100 {
        return message(StatusCode::BAD_REQUEST, "a token's name is 1 to 100 characters".into());
    }
    let token = crate::credentials::random_secret();
    match app.driver.store().create_agent_token(name, &hash(&token), now_ms()).await {
        Ok(_) => Json(json!({ "name": name, "token": token })).into_response(),
        Err(sluice_store::Error::NameInUse) => {
            message(StatusCode::CONFLICT, format!("there is already an agent token named {name}"))
        }
        Err(e) => store_failed(e),
    }
}

pub(crate) async fn list(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(refused) = admin(&app, &headers).await {
        return refused;
    }
    match app.driver.store().list_agent_tokens().await {
        Ok(tokens) => {
            let tokens: Vec<_> =
                tokens.iter().map(|t| json!({ "name": t.name, "created": t.created_at as f64 / 1000.0 })).collect();
            Json(json!({ "agentTokens": tokens })).into_response()
        }
        Err(e) => store_failed(e),
    }
}

pub(crate) async fn delete(State(app): State<AppState>, Path(name): Path<String>, headers: HeaderMap) -> Response {
    if let Err(refused) = admin(&app, &headers).await {
        return refused;
    }
    match app.driver.store().delete_agent_token(&name).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(sluice_store::Error::NotFound) => message(StatusCode::NOT_FOUND, format!("there is no agent token {name}")),
        Err(e) => store_failed(e),
    }
}
