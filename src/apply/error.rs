//! Why one step of one task failed, with the API's facts kept whole.

use std::sync::Arc;

use crate::api::ApiError;

/// A failed request of a step: the API error itself (its code, request ID,
/// hint and cause chain), shared so events and the report can both hold it.
#[derive(Debug, Clone, thiserror::Error)]
#[error(transparent)]
pub struct StepError(Arc<ApiError>);

impl StepError {
    /// The API error.
    pub fn api(&self) -> &ApiError {
        &self.0
    }

    /// The service's `Code`, when the failure came with one.
    pub fn code(&self) -> Option<&str> {
        self.0.code()
    }

    /// The `RequestId` of the reply that failed, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id()
    }
}

impl From<ApiError> for StepError {
    fn from(error: ApiError) -> StepError {
        StepError(Arc::new(error))
    }
}
