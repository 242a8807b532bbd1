//! The executor: carries out each task's steps in order, tasks
//! concurrently, exactly once.
//!
//! CreateAiCallTask is not idempotent (no client token, `aiccs-api.md` §4),
//! so the executor never re-sends a create whose outcome it does not know.
//! When a reply is lost (timeout, dropped connection, 5xx after sending) it
//! first looks the name up: found means created; absent means the create did
//! not take effect and may be sent again. A create refused because the name
//! is taken means someone else made it: converged, not failed. Should the
//! look-up itself fail, the task is reported as unknown, never as failed or
//! created, and re-running apply settles it.
//!
//! An existing task is read back right before the first step: if it is no
//! longer what the plan saw (it started since, someone changed it), it is
//! left alone and reported. A lost reply to a stop or start is settled by
//! reading the status back (an `InvalidTaskStatus` whose status is already
//! the wanted one counts as done); an update is a full replacement, so after
//! a lost reply the task is read back and, unless it already holds the new
//! configuration, the update is sent again. When the update of a running
//! task fails after aicall stopped it, the task is started again with its
//! old configuration; if that fails too, the outcome says it is stopped.
//!
//! The executor drives a [`Writer`] (the real one is
//! `crate::account::AccountWriter`) and reports [`Event`]s; it never prints
//! and never formats text. It stops as its [`Cancellation`] says.

use std::future::Future;

use futures_util::StreamExt as _;
use futures_util::stream;

use crate::plan::diff::compare;
use crate::plan::model::{ObservedTask, Step, TaskConfig, TaskStatus};

pub mod cancel;
mod create;
pub mod error;
mod existing;
pub mod outcome;

pub use cancel::{Cancellation, Level};
pub use error::StepError;
pub use outcome::{Event, Outcome, Report};

/// How many times one task's create is sent at most, each after the
/// previous one was confirmed not to have taken effect.
pub const MAX_CREATE_ATTEMPTS: u32 = 3;

/// The reply to one create request, classified.
#[derive(Debug, Clone)]
pub enum Attempt {
    /// Created; the new task's ID.
    Created(String),
    /// Refused: a task with this exact name exists.
    NameTaken,
    /// The request may or may not have taken effect (reply lost).
    OutcomeUnknown(StepError),
    /// Refused for another reason; nothing was created.
    Failed(StepError),
}

/// A failed update, start or stop, classified.
#[derive(Debug, Clone)]
pub enum WriteError {
    /// It may or may not have taken effect.
    Unknown(StepError),
    /// Refused for the task's status (`InvalidTaskStatus`): maybe it is
    /// already as wanted.
    WrongStatus(StepError),
    /// Refused; nothing changed.
    Failed(StepError),
}

/// What the executor needs from the account.
pub trait Writer: Send + Sync {
    /// What one create sends.
    type Create: Send + Sync;
    /// What one update sends.
    type Update: Send + Sync;

    /// Sends one create request.
    fn create(&self, request: &Self::Create) -> impl Future<Output = Attempt> + Send;

    /// The IDs of the account tasks named exactly `name`.
    fn lookup(&self, name: &str) -> impl Future<Output = Result<Vec<String>, StepError>> + Send;

    /// The task with this ID as the account reports it now (status from
    /// the listing, configuration from its detail); `None` when no such
    /// task exists.
    fn observe(
        &self,
        task_id: &str,
    ) -> impl Future<Output = Result<Option<ObservedTask>, StepError>> + Send;

    /// Sends one update; the request says which task it replaces.
    fn update(&self, request: &Self::Update)
    -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Starts the task.
    fn start(&self, task_id: &str) -> impl Future<Output = Result<(), WriteError>> + Send;

    /// Stops the task.
    fn stop(&self, task_id: &str) -> impl Future<Output = Result<(), WriteError>> + Send;
}

/// What the plan saw of an existing task, which must still hold when
/// apply comes to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// Its name in the account.
    pub name: String,
    /// Its status.
    pub status: TaskStatus,
    /// Its configuration as the account reported it.
    pub config: TaskConfig,
}

/// An update, and what the task holds once it took effect.
#[derive(Debug, Clone)]
pub struct Update<U> {
    /// The request.
    pub request: U,
    /// The task's name afterwards.
    pub name: String,
    /// The configuration the manifest asks for (compared as the plan
    /// compares, so unmanaged fields do not count).
    pub config: TaskConfig,
}

impl<U> Update<U> {
    /// Whether `now` already holds this update: its name, and its
    /// configuration as the plan compares it.
    fn holds(&self, now: &ObservedTask) -> bool {
        now.name == self.name && compare(&self.config, &now.config).matches()
    }
}

/// One step of an existing task.
#[derive(Debug, Clone)]
pub enum TaskStep<U> {
    /// StopAiCallTask.
    Stop,
    /// UpdateAiCallTask.
    Update(Update<U>),
    /// StartAiCallTask.
    Start,
}

impl<U> TaskStep<U> {
    /// The plan's step this is.
    pub fn step(&self) -> Step {
        match self {
            TaskStep::Stop => Step::Stop,
            TaskStep::Update(_) => Step::Update,
            TaskStep::Start => Step::Start,
        }
    }
}

/// What to do for one task.
// One per task, built once and moved into its future: the size of the
// larger variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Work<C, U> {
    /// Create it, then stop it when `then_stop`.
    Create {
        /// The request.
        request: C,
        /// Whether it is declared stopped.
        then_stop: bool,
    },
    /// Act on an existing task, step by step.
    Existing {
        /// The task's ID.
        task_id: String,
        /// What must still hold before the first step.
        expect: Expect,
        /// The steps, in order.
        steps: Vec<TaskStep<U>>,
    },
}

/// One task's work.
#[derive(Debug, Clone)]
pub struct Job<C, U> {
    /// The task's name (its identity).
    pub name: String,
    /// What to do.
    pub work: Work<C, U>,
}

/// Runs `jobs` with at most `parallelism` tasks in flight, each task's
/// steps in order, reporting each to `on_event`. Once `cancel.stop` is
/// cancelled no further task starts (a task already started finishes its
/// steps, so none is left stopped half-way); once `cancel.abandon` is, the
/// wait for those in flight ends (each reported as abandoned).
pub async fn execute<W: Writer>(
    writer: &W,
    jobs: Vec<Job<W::Create, W::Update>>,
    parallelism: usize,
    cancel: &Cancellation,
    on_event: &(dyn Fn(Event) + Send + Sync),
) -> Report {
    let mut report = Report::default();
    let mut finished = stream::iter(jobs)
        .map(|job| async move {
            let outcome = if cancel.stop.is_cancelled() {
                Outcome::Skipped
            } else {
                on_event(Event::Started {
                    name: job.name.clone(),
                });
                let run = async {
                    match &job.work {
                        Work::Create { request, then_stop } => {
                            create::run(writer, &job.name, request, *then_stop, on_event).await
                        }
                        Work::Existing {
                            task_id,
                            expect,
                            steps,
                        } => {
                            existing::run(writer, &job.name, task_id, expect, steps, on_event).await
                        }
                    }
                };
                // Abandoning wins a tie: once the user has said to stop
                // waiting, what comes back after is not waited for (a
                // re-run settles it either way).
                tokio::select! {
                    biased;
                    () = cancel.abandon.cancelled() => Outcome::Abandoned,
                    outcome = run => outcome,
                }
            };
            on_event(Event::Finished {
                name: job.name.clone(),
                outcome: outcome.clone(),
            });
            (job.name, outcome)
        })
        .buffer_unordered(parallelism.max(1));
    while let Some(done) = finished.next().await {
        report.outcomes.push(done);
    }
    report
}

#[cfg(test)]
mod tests;
