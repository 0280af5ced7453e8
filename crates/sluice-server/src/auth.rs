//! Who is calling, and what they may do. Every AWS protocol request is
//! SigV4-signed with a sluice access key; the key's user has one role.

use crate::aws::AwsError;
use crate::clock::now_ms;
use crate::http::AppState;
use axum::http::{HeaderMap, Method, Uri};

/// How far a request's signing time may be from the server's clock, as AWS.
const MAX_SKEW_SECS: i64 = sluice_sigv4::AWS_MAX_SKEW_SECS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything, including pipelines, repositories, users and keys.
    Admin,
    /// Read, plus start, stop, retry, roll back, transitions.
    Operator,
    /// Read, plus PutApprovalResult.
    Approver,
    /// Read only.
    Viewer,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "operator" => Some(Role::Operator),
            "approver" => Some(Role::Approver),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Approver => "approver",
            Role::Viewer => "viewer",
        }
    }
}

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Read,
    Operate,
    Approve,
    Administer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: String,
    pub role: Role,
    pub access_key_id: String,
    /// The region the request was signed for: ARNs answer in it.
    pub region: String,
}

impl Principal {
    pub fn allows(&self, permission: Permission) -> bool {
        matches!(
            (self.role, permission),
            (Role::Admin, _)
                | (_, Permission::Read)
                | (Role::Operator, Permission::Operate)
                | (Role::Approver, Permission::Approve)
        )
    }

    /// `AccessDeniedException` unless the role allows `permission`.
    pub fn require(&self, permission: Permission, operation: &str) -> Result<(), AwsError> {
        if self.allows(permission) {
            return Ok(());
        }
        Err(AwsError::access_denied(format!(
            "User {} (role {}) is not authorized to perform {operation}",
            self.user,
            self.role.as_str()
        )))
    }

    /// How the user appears in history (`lastChangedBy`, approvals).
    pub fn arn(&self, account_id: &str) -> String {
        format!("arn:aws:iam::{account_id}:user/{}", self.user)
    }
}

/// Checks the request's SigV4 signature against the key it names.
pub async fn authenticate(
    app: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Principal, AwsError> {
    let Some(authorization) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        let missing = sluice_sigv4::Error::MissingAuthentication;
        return Err(AwsError {
            status: axum::http::StatusCode::FORBIDDEN,
            ..AwsError::new(missing.aws_type(), missing.message())
        });
    };
    let parsed =
        sluice_sigv4::parse_authorization(authorization).map_err(|e| AwsError::new(e.aws_type(), e.to_string()))?;
    let found = app.driver.store().find_access_key(&parsed.access_key_id).await.map_err(|e| {
        tracing::error!(error = %e, "looking up an access key failed");
        AwsError::internal("The server could not check the credentials")
    })?;
    let Some((key, user)) = found.filter(|(key, _)| !key.disabled) else {
        return Err(AwsError::new(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    };
    let header_pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_string(), value.to_str().ok()?.to_string())))
        .collect();
    let request = sluice_sigv4::Request {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or(""),
        headers: header_pairs,
        body,
    };
    sluice_sigv4::verify(&request, &parsed, &key.secret, now_ms() / 1000, MAX_SKEW_SECS)
        .map_err(|e| AwsError::new(e.aws_type(), e.to_string()))?;
    let role =
        Role::parse(&user.role).ok_or_else(|| AwsError::internal(format!("user {} has an unknown role", user.name)))?;
    Ok(Principal { user: user.name, role, access_key_id: key.id, region: parsed.region })
}
