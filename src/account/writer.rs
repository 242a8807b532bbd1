//! The writer the executor drives: each step as API calls, each reply
//! classified the way the executor's exactly-once rules need it.

use crate::api::{ApiError, Client, CreateTask, TaskId, UpdateTask};
use crate::apply::{Attempt, StepError, WriteError, Writer};
use crate::plan::model::ObservedTask;

use super::mapping::{keep_unexpressed, observed_task};

/// The business error code of a create (or a rename) refused because the
/// name is taken (`aiccs-api.md` §7).
pub const NAME_TAKEN: &str = "TaskNameDuplicate";

/// The business error code of a start, stop or update refused for the
/// task's status (§7).
pub const WRONG_STATUS: &str = "InvalidTaskStatus";

/// The account, as the executor changes it.
#[derive(Debug, Clone)]
pub struct AccountWriter {
    /// The client.
    pub client: Client,
    /// Rows per page for name look-ups.
    pub page_size: u32,
}

impl AccountWriter {
    fn classify(err: ApiError) -> WriteError {
        if err.is_outcome_unknown() {
            WriteError::Unknown(err.into())
        } else if err.code() == Some(WRONG_STATUS) {
            WriteError::WrongStatus(err.into())
        } else {
            WriteError::Failed(err.into())
        }
    }
}

fn task_id(id: &str) -> Result<TaskId, StepError> {
    TaskId::new(id).map_err(|_| {
        ApiError::Setup {
            detail: format!("`{id}` is not a task ID"),
        }
        .into()
    })
}

impl Writer for AccountWriter {
    type Create = CreateTask;
    type Update = UpdateTask;

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

    async fn observe(&self, id: &str) -> Result<Option<ObservedTask>, StepError> {
        let id = task_id(id)?;
        let Some(summary) = self.client.task_summary(&id).await? else {
            return Ok(None);
        };
        let detail = self.client.task_detail(&id).await?;
        Ok(Some(observed_task(
            &id,
            summary.task_name.as_deref().unwrap_or_default(),
            summary.status,
            &detail,
        )))
    }

    async fn update(&self, request: &UpdateTask) -> Result<(), WriteError> {
        // What the manifest cannot express is sent as the account holds it
        // right now, so the full replacement leaves it as it is.
        let detail = self
            .client
            .task_detail(&request.task_id)
            .await
            .map_err(|err| WriteError::Failed(err.into()))?;
        let mut request = request.clone();
        keep_unexpressed(&mut request, &detail);
        self.client
            .update_task(&request)
            .await
            .map_err(Self::classify)
    }

    async fn start(&self, id: &str) -> Result<(), WriteError> {
        let id = task_id(id).map_err(WriteError::Failed)?;
        self.client.start_task(&id).await.map_err(Self::classify)
    }

    async fn stop(&self, id: &str) -> Result<(), WriteError> {
        let id = task_id(id).map_err(WriteError::Failed)?;
        self.client.stop_task(&id).await.map_err(Self::classify)
    }
}
