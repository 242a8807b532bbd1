//! The steps of an existing task: read it back, then stop, update and
//! start as planned, settling every lost reply by reading the task again.

use crate::plan::model::{Step, TaskStatus};

use super::error::StepError;
use super::{Event, Expect, Outcome, TaskStep, Update, WriteError, Writer};

pub(super) async fn run<W: Writer>(
    writer: &W,
    name: &str,
    task_id: &str,
    expect: &Expect,
    steps: &[TaskStep<W::Update>],
    on_event: &(dyn Fn(Event) + Send + Sync),
) -> Outcome {
    // The plan may be minutes old (a saved one, hours): act only on the
    // task it saw. A scheduled task that started meanwhile is not restarted.
    match writer.observe(task_id).await {
        Ok(Some(now))
            if now.name == expect.name
                && now.status == Some(expect.status)
                && now.config == expect.config => {}
        // Someone (another apply, say) got there first: nothing to do.
        Ok(Some(now)) if reached(&now, steps) => {
            return Outcome::AlreadyDone {
                task_id: task_id.to_owned(),
            };
        }
        Ok(now) => {
            return Outcome::Changed {
                task_id: task_id.to_owned(),
                status: now.and_then(|t| t.status),
            };
        }
        Err(error) => {
            return Outcome::Failed {
                step: steps.first().map_or(Step::Update, TaskStep::step),
                error,
            };
        }
    }

    let mut stopped_by_us = false;
    for (index, task_step) in steps.iter().enumerate() {
        let step = task_step.step();
        let result = match task_step {
            TaskStep::Stop => {
                let done = stop(writer, task_id).await;
                stopped_by_us = done.is_ok() && expect.status == TaskStatus::Running;
                done
            }
            TaskStep::Start => start(writer, task_id).await,
            TaskStep::Update(update) => send_update(writer, task_id, update).await,
        };
        match result {
            Ok(()) if index + 1 < steps.len() => on_event(Event::StepDone {
                name: name.to_owned(),
                step,
                task_id: task_id.to_string(),
            }),
            Ok(()) => {}
            Err(error) if step == Step::Update && stopped_by_us => {
                // Back to how it was: it was running with its old
                // configuration, which the failed update did not change.
                return match start(writer, task_id).await {
                    Ok(()) => Outcome::Restored { error },
                    Err(restore_error) => Outcome::LeftStopped {
                        task_id: task_id.to_owned(),
                        error,
                        restore_error,
                    },
                };
            }
            Err(error) if is_unknown(&error) => {
                return Outcome::StepUnknown { step, error };
            }
            Err(error) => return Outcome::Failed { step, error },
        }
    }
    Outcome::Done {
        task_id: task_id.to_owned(),
        steps: steps.iter().map(TaskStep::step).collect(),
    }
}

/// Whether `now` is already what `steps` would make of the task: the
/// update's name and configuration, and the status the last stop or start
/// leaves.
fn reached<U>(now: &crate::plan::model::ObservedTask, steps: &[TaskStep<U>]) -> bool {
    let updated = steps.iter().all(|step| match step {
        TaskStep::Update(update) => update.holds(now),
        TaskStep::Stop | TaskStep::Start => true,
    });
    let status = match steps
        .iter()
        .rev()
        .find(|s| !matches!(s, TaskStep::Update(_)))
    {
        Some(TaskStep::Stop) => now.status == Some(TaskStatus::Stopped),
        Some(TaskStep::Start) => now.status == Some(TaskStatus::Running),
        _ => true,
    };
    updated && status
}

fn is_unknown(error: &StepError) -> bool {
    error.api().is_outcome_unknown()
}

/// Stops the task, settled ([`settle`]).
pub(super) async fn stop<W: Writer>(writer: &W, task_id: &str) -> Result<(), StepError> {
    settle(
        writer,
        task_id,
        writer.stop(task_id).await,
        TaskStatus::Stopped,
    )
    .await
}

/// Starts the task, settled ([`settle`]).
async fn start<W: Writer>(writer: &W, task_id: &str) -> Result<(), StepError> {
    settle(
        writer,
        task_id,
        writer.start(task_id).await,
        TaskStatus::Running,
    )
    .await
}

/// Settles a stop or start: done, or refused for a status that is already
/// the wanted one, or lost and then read back as the wanted one. Anything
/// else is the error.
async fn settle<W: Writer>(
    writer: &W,
    task_id: &str,
    result: Result<(), WriteError>,
    wanted: TaskStatus,
) -> Result<(), StepError> {
    let error = match result {
        Ok(()) => return Ok(()),
        Err(WriteError::Failed(error)) => return Err(error),
        Err(WriteError::WrongStatus(error) | WriteError::Unknown(error)) => error,
    };
    match writer.observe(task_id).await {
        Ok(Some(now)) if now.status == Some(wanted) => Ok(()),
        _ => Err(error),
    }
}

/// Sends an update; after a lost reply, reads the task back and sends it
/// once more unless it already holds the new name and configuration (an
/// update is a full replacement: sending it twice is safe).
async fn send_update<W: Writer>(
    writer: &W,
    task_id: &str,
    update: &Update<W::Update>,
) -> Result<(), StepError> {
    let mut resent = false;
    loop {
        match writer.update(&update.request).await {
            Ok(()) => return Ok(()),
            Err(WriteError::Unknown(error)) => {
                if let Ok(Some(now)) = writer.observe(task_id).await
                    && update.holds(&now)
                {
                    return Ok(());
                }
                if resent {
                    return Err(error);
                }
                resent = true;
            }
            Err(WriteError::WrongStatus(error) | WriteError::Failed(error)) => return Err(error),
        }
    }
}
