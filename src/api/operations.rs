//! One method per API action (`aiccs-api.md` §3): a typed request in, a
//! typed reply out.
//!
//! Each operation builds its parameters (`request.rs`), hands them to the
//! attempt loop (`send.rs`), and reads the reply's `Data` into its type.
//! Whether a failure is retried is not decided here.

use serde_json::Value;

use super::action::Action;
use super::client::Client;
use super::error::ApiError;
use super::request;
use super::types::{CreateTask, PageQuery, TaskDetail, TaskId, TaskPage, UpdateTask};

impl Client {
    /// CreateAiCallTask (§3.1): the new task's ID.
    ///
    /// Never sent twice after the request may have reached the service:
    /// a lost reply gives [`ApiError::OutcomeUnknown`].
    pub async fn create_task(&self, request: &CreateTask) -> Result<TaskId, ApiError> {
        let action = Action::CreateAiCallTask;
        let subject = request.settings.task_name.as_str();
        let data = self
            .call(action, &request::create_params(request), Some(subject))
            .await?;
        if data.is_null() {
            // Success without an ID: the task exists, but which one is it?
            self.counters().outcome_unknown();
            return Err(ApiError::OutcomeUnknown {
                action,
                subject: Some(subject.to_owned()),
                reason: "the service reported success but returned no task ID".to_owned(),
                cause: None,
            });
        }
        serde_json::from_value(data).map_err(|err| ApiError::Decode {
            action,
            http_status: 200,
            detail: format!("`Data` is not a task ID: {err}"),
            request_id: None,
        })
    }

    /// One page of QueryAiCallTaskPage (§3.3), as asked.
    pub async fn query_task_page(&self, query: &PageQuery) -> Result<TaskPage, ApiError> {
        let action = Action::QueryAiCallTaskPage;
        let data = self
            .call(action, &request::page_params(query), None)
            .await?;
        decode_data(action, data)
    }

    /// QueryAiCallTaskDetail (§3.4).
    pub async fn task_detail(&self, id: &TaskId) -> Result<TaskDetail, ApiError> {
        let action = Action::QueryAiCallTaskDetail;
        let data = self
            .call(action, &request::task_id_params(id), Some(id.as_str()))
            .await?;
        decode_data(action, data)
    }

    /// UpdateAiCallTask (§3.2): replaces the task's settings; succeeds only
    /// on `Success:true` with `Data:true`.
    pub async fn update_task(&self, request: &UpdateTask) -> Result<(), ApiError> {
        self.call(
            Action::UpdateAiCallTask,
            &request::update_params(request),
            Some(request.task_id.as_str()),
        )
        .await
        .map(drop)
    }

    /// StartAiCallTask (§3.5).
    pub async fn start_task(&self, id: &TaskId) -> Result<(), ApiError> {
        self.call(
            Action::StartAiCallTask,
            &request::task_id_params(id),
            Some(id.as_str()),
        )
        .await
        .map(drop)
    }

    /// StopAiCallTask (§3.5).
    pub async fn stop_task(&self, id: &TaskId) -> Result<(), ApiError> {
        self.call(
            Action::StopAiCallTask,
            &request::task_id_params(id),
            Some(id.as_str()),
        )
        .await
        .map(drop)
    }
}

fn decode_data<T: serde::de::DeserializeOwned>(action: Action, data: Value) -> Result<T, ApiError> {
    if data.is_null() {
        return Err(ApiError::Decode {
            action,
            http_status: 200,
            detail: "the reply has no `Data`".to_owned(),
            request_id: None,
        });
    }
    serde_json::from_value(data).map_err(|err| ApiError::Decode {
        action,
        http_status: 200,
        detail: format!("`Data` does not have the documented shape: {err}"),
        request_id: None,
    })
}
