//! Creating a task exactly once, and stopping it right after when its
//! manifest declares it stopped (its start is scheduled, so it cannot call
//! anyone in between).

use crate::plan::model::Step;

use super::existing::stop;
use super::{Attempt, Event, MAX_CREATE_ATTEMPTS, Outcome, Writer};

pub(super) async fn run<W: Writer>(
    writer: &W,
    name: &str,
    request: &W::Create,
    then_stop: bool,
    on_event: &(dyn Fn(Event) + Send + Sync),
) -> Outcome {
    let created = create_once(writer, name, request, on_event).await;
    let (Outcome::Created { task_id, .. }, true) = (&created, then_stop) else {
        return created;
    };
    on_event(Event::StepDone {
        name: name.to_owned(),
        step: Step::Create,
        task_id: task_id.clone(),
    });
    match stop(writer, task_id).await {
        Ok(()) => created,
        Err(error) => Outcome::CreatedNotStopped {
            task_id: task_id.clone(),
            error,
        },
    }
}

async fn create_once<W: Writer>(
    writer: &W,
    name: &str,
    request: &W::Create,
    on_event: &(dyn Fn(Event) + Send + Sync),
) -> Outcome {
    let mut attempt = 1;
    loop {
        match writer.create(request).await {
            Attempt::Created(task_id) => {
                return Outcome::Created {
                    task_id,
                    confirmed_by_lookup: false,
                };
            }
            Attempt::NameTaken => {
                let task_id = match writer.lookup(name).await {
                    Ok(ids) => ids.into_iter().next(),
                    Err(_) => None,
                };
                return Outcome::MadeElsewhere { task_id };
            }
            Attempt::Failed(error) => {
                return Outcome::Failed {
                    step: Step::Create,
                    error,
                };
            }
            Attempt::OutcomeUnknown(error) => {
                on_event(Event::LookingUp {
                    name: name.to_owned(),
                    error: error.clone(),
                });
                match writer.lookup(name).await {
                    Ok(ids) if !ids.is_empty() => {
                        return Outcome::Created {
                            task_id: ids.into_iter().next().unwrap_or_default(),
                            confirmed_by_lookup: true,
                        };
                    }
                    // Confirmed absent: the lost request did not take effect.
                    Ok(_) if attempt < MAX_CREATE_ATTEMPTS => attempt += 1,
                    Ok(_) => {
                        return Outcome::Failed {
                            step: Step::Create,
                            error,
                        };
                    }
                    Err(lookup_error) => {
                        return Outcome::Unknown {
                            error,
                            lookup_error,
                        };
                    }
                }
            }
        }
    }
}
