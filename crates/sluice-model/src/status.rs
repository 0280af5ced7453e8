//! Execution statuses, spelled as the service model's enums.

use crate::decode::wire_enum;

wire_enum!(PipelineExecutionStatus {
    Cancelled = "Cancelled",
    InProgress = "InProgress",
    Stopped = "Stopped",
    Stopping = "Stopping",
    Succeeded = "Succeeded",
    Superseded = "Superseded",
    Failed = "Failed",
});

wire_enum!(StageExecutionStatus {
    Cancelled = "Cancelled",
    InProgress = "InProgress",
    Failed = "Failed",
    Stopped = "Stopped",
    Stopping = "Stopping",
    Succeeded = "Succeeded",
    Skipped = "Skipped",
});

wire_enum!(ActionExecutionStatus {
    InProgress = "InProgress",
    Abandoned = "Abandoned",
    Succeeded = "Succeeded",
    Failed = "Failed",
});

impl PipelineExecutionStatus {
    /// Whether the execution has ended and will not change again (short of
    /// a retry, which AWS models as the same execution resuming).
    pub fn is_final(self) -> bool {
        !matches!(self, Self::InProgress | Self::Stopping)
    }
}
