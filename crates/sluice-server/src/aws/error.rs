//! Errors as the AWS JSON 1.1 protocol returns them: an HTTP status and a
//! body `{"__type": "<ExceptionName>", "message": "..."}` that botocore and
//! every SDK turn into the named exception.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub status: StatusCode,
    pub type_name: String,
    pub message: String,
}

impl AwsError {
    /// A client error (400) named as in the service model.
    pub fn new(type_name: &str, message: impl Into<String>) -> AwsError {
        AwsError { status: StatusCode::BAD_REQUEST, type_name: type_name.to_string(), message: message.into() }
    }

    pub fn validation(message: impl Into<String>) -> AwsError {
        AwsError::new("ValidationException", message)
    }

    pub fn internal(message: impl Into<String>) -> AwsError {
        AwsError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            type_name: "InternalFailure".into(),
            message: message.into(),
        }
    }

    pub fn access_denied(message: impl Into<String>) -> AwsError {
        AwsError { status: StatusCode::FORBIDDEN, type_name: "AccessDeniedException".into(), message: message.into() }
    }
}

impl IntoResponse for AwsError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "__type": self.type_name, "message": self.message });
        (self.status, [(header::CONTENT_TYPE, "application/x-amz-json-1.1")], body.to_string()).into_response()
    }
}

impl From<sluice_engine::Rejection> for AwsError {
    fn from(rejection: sluice_engine::Rejection) -> AwsError {
        AwsError::new(rejection.aws_type(), rejection.to_string())
    }
}

impl From<crate::driver::Error> for AwsError {
    fn from(error: crate::driver::Error) -> AwsError {
        use crate::driver::Error as E;
        match error {
            E::Rejected(rejection) => rejection.into(),
            E::PipelineNotFound(name) => {
                AwsError::new("PipelineNotFoundException", format!("The pipeline {name} was not found"))
            }
            E::Store(sluice_store::Error::NameInUse) => {
                AwsError::new("PipelineNameInUseException", "The pipeline name is in use")
            }
            E::Store(sluice_store::Error::NotFound) => {
                AwsError::new("PipelineNotFoundException", "The pipeline was not found")
            }
            E::Store(sluice_store::Error::Conflict) => {
                AwsError::new("ConcurrentModificationException", "The pipeline changed meanwhile; try again")
            }
            other => {
                tracing::error!(error = %other, "request failed");
                AwsError::internal("The server could not complete the request")
            }
        }
    }
}
