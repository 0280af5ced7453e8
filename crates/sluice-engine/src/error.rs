//! Why the engine refuses an event. Each variant is one of the service
//! model's exceptions; [`Rejection::aws_type`] gives its wire name.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("pipeline execution {0} was not found")]
    ExecutionNotFound(String),
    #[error("stage {0} was not found in the pipeline")]
    StageNotFound(String),
    #[error("action {0} was not found in the stage")]
    ActionNotFound(String),
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    StageNotRetryable(String),
    #[error("execution {0} is not the latest execution of the stage")]
    NotLatest(String),
    #[error("the approval token is not valid for this action")]
    InvalidApprovalToken,
    #[error("the approval request was already completed")]
    ApprovalAlreadyCompleted,
    #[error("a stop-and-wait request is already in progress for execution {0}")]
    DuplicatedStop(String),
    #[error("execution {0} has already ended and cannot be stopped")]
    NotStoppable(String),
    #[error("{0}")]
    UnableToRollback(String),
    #[error("a pipeline execution with id {0} already exists")]
    Conflict(String),
}

impl Rejection {
    /// The exception's `__type` on the wire.
    pub fn aws_type(&self) -> &'static str {
        match self {
            Rejection::ExecutionNotFound(_) => "PipelineExecutionNotFoundException",
            Rejection::StageNotFound(_) => "StageNotFoundException",
            Rejection::ActionNotFound(_) => "ActionNotFoundException",
            Rejection::Validation(_) => "ValidationException",
            Rejection::StageNotRetryable(_) => "StageNotRetryableException",
            Rejection::NotLatest(_) => "NotLatestPipelineExecutionException",
            Rejection::InvalidApprovalToken => "InvalidApprovalTokenException",
            Rejection::ApprovalAlreadyCompleted => "ApprovalAlreadyCompletedException",
            Rejection::DuplicatedStop(_) => "DuplicatedStopRequestException",
            Rejection::NotStoppable(_) => "PipelineExecutionNotStoppableException",
            Rejection::UnableToRollback(_) => "UnableToRollbackStageException",
            Rejection::Conflict(_) => "ConflictException",
        }
    }
}
