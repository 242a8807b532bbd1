//! The writer the executor drives: each step as API calls, each reply
//! classified the way the executor's exactly-once rules need it.

use crate::api::{Client, CreateTask};
use crate::apply::{Attempt, StepError, Writer};

/// The business error code of a create refused because the name is taken
/// (`aiccs-api.md` §7).
pub const NAME_TAKEN: &str = "TaskNameDuplicate";

/// The account, as the executor changes it.
#[derive(Debug, Clone)]
pub struct AccountWriter {
    /// The client.
    pub client: Client,
    /// Rows per page for name look-ups.
    pub page_size: u32,
}

impl Writer for AccountWriter {
    type Create = CreateTask;

    async fn create(&self, request: &CreateTask) -> Attempt {
        match self.client.create_task(request).await {
            Ok(id) => Attempt::Created(id.to_string()),
            Err(err) if err.code() == Some(NAME_TAKEN) => Attempt::NameTaken,
            Err(err) if err.is_outcome_unknown() => Attempt::OutcomeUnknown(err.into()),
            Err(err) => Attempt::Failed(err.into()),
        }
    }

    async fn lookup(&self, name: &str) -> Result<Vec<String>, StepError> {
        // A look-up settles a create whose reply was lost, the run's
        // deadline included: it may outlive the deadline a little.
        let tasks = self
            .client
            .settling()
            .find_tasks_named(name, self.page_size)
            .await?;
        Ok(tasks.into_iter().map(|t| t.task_id.to_string()).collect())
    }
}
