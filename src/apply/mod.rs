//! The executor: carries out the plan's steps, concurrently, exactly once.
//!
//! CreateAiCallTask is not idempotent (no client token, `aiccs-api.md` §4),
//! so the executor never re-sends a create whose outcome it does not know.
//! When a reply is lost (timeout, dropped connection, 5xx after sending) it
//! first looks the name up: found means created; absent means the create did
//! not take effect and may be sent again. A create refused because the name
//! is taken means someone else made it: converged, not failed. Should the
//! look-up itself fail, the task is reported as unknown, never as failed or
//! created, and re-running apply settles it (a re-run plans from the
//! account, so it looks the name up before anything else).
//!
//! The executor drives a [`Writer`] (the real one is
//! `crate::account::AccountWriter`) and reports [`Event`]s; it never prints
//! and never formats text. It stops as its [`Cancellation`] says.

use std::future::Future;

use futures_util::StreamExt as _;
use futures_util::stream;

pub mod cancel;
pub mod error;
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

/// What the executor needs from the account.
pub trait Writer: Send + Sync {
    /// What one create sends.
    type Create: Send + Sync;

    /// Sends one create request.
    fn create(&self, request: &Self::Create) -> impl Future<Output = Attempt> + Send;

    /// The IDs of the account tasks named exactly `name`.
    fn lookup(&self, name: &str) -> impl Future<Output = Result<Vec<String>, StepError>> + Send;
}

/// One task to create.
#[derive(Debug, Clone)]
pub struct Job<R> {
    /// The task's name (its identity).
    pub name: String,
    /// The request that creates it.
    pub request: R,
}

/// Runs `jobs` with at most `parallelism` creates in flight, reporting each
/// step to `on_event`. Once `cancel.stop` is cancelled no further create
/// starts; those in flight finish, unless `cancel.abandon` is cancelled too,
/// which ends the wait for them (each reported as abandoned).
pub async fn execute<W: Writer>(
    writer: &W,
    jobs: Vec<Job<W::Create>>,
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
                tokio::select! {
                    biased;
                    outcome = create_once(writer, &job, on_event) => outcome,
                    () = cancel.abandon.cancelled() => Outcome::Abandoned,
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

async fn create_once<W: Writer>(
    writer: &W,
    job: &Job<W::Create>,
    on_event: &(dyn Fn(Event) + Send + Sync),
) -> Outcome {
    let mut attempt = 1;
    loop {
        match writer.create(&job.request).await {
            Attempt::Created(task_id) => {
                return Outcome::Created {
                    task_id,
                    confirmed_by_lookup: false,
                };
            }
            Attempt::NameTaken => {
                let task_id = match writer.lookup(&job.name).await {
                    Ok(ids) => ids.into_iter().next(),
                    Err(_) => None,
                };
                return Outcome::MadeElsewhere { task_id };
            }
            Attempt::Failed(error) => return Outcome::Failed { error },
            Attempt::OutcomeUnknown(error) => {
                on_event(Event::LookingUp {
                    name: job.name.clone(),
                    error: error.clone(),
                });
                match writer.lookup(&job.name).await {
                    Ok(ids) if !ids.is_empty() => {
                        return Outcome::Created {
                            task_id: ids.into_iter().next().unwrap_or_default(),
                            confirmed_by_lookup: true,
                        };
                    }
                    // Confirmed absent: the lost request did not take effect.
                    Ok(_) if attempt < MAX_CREATE_ATTEMPTS => attempt += 1,
                    Ok(_) => return Outcome::Failed { error },
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

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use super::*;
    use crate::testing::step_error as err;

    /// A scripted account: each create pops the next scripted reply; a
    /// reply marked as committed adds the task even when the reply is lost.
    #[derive(Default)]
    struct Script {
        replies: Mutex<VecDeque<(bool, Attempt)>>,
        lookups: Mutex<VecDeque<Result<(), StepError>>>,
        account: Mutex<Vec<String>>,
        creates_sent: Mutex<u32>,
    }

    impl Script {
        fn reply(self, committed: bool, attempt: Attempt) -> Script {
            self.replies.lock().unwrap().push_back((committed, attempt));
            self
        }

        fn failing_lookup(self, error: StepError) -> Script {
            self.lookups.lock().unwrap().push_back(Err(error));
            self
        }
    }

    impl Writer for Script {
        type Create = String;

        async fn create(&self, name: &String) -> Attempt {
            *self.creates_sent.lock().unwrap() += 1;
            let (committed, attempt) = self
                .replies
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or((true, Attempt::Created("118700000000000001".to_owned())));
            if committed {
                self.account.lock().unwrap().push(name.clone());
            }
            attempt
        }

        async fn lookup(&self, name: &str) -> Result<Vec<String>, StepError> {
            if let Some(Err(e)) = self.lookups.lock().unwrap().pop_front() {
                return Err(e);
            }
            Ok(self
                .account
                .lock()
                .unwrap()
                .iter()
                .filter(|n| *n == name)
                .map(|_| "118700000000000001".to_owned())
                .collect())
        }
    }

    async fn run(script: &Script, names: &[&str]) -> Report {
        let jobs = names
            .iter()
            .map(|n| Job {
                name: (*n).to_owned(),
                request: (*n).to_owned(),
            })
            .collect();
        execute(script, jobs, 4, &Cancellation::new(), &|_| {}).await
    }

    #[tokio::test]
    async fn a_lost_reply_after_commit_is_confirmed_by_lookup_not_resent() {
        let script =
            Script::default().reply(true, Attempt::OutcomeUnknown(err("connection closed")));
        let report = run(&script, &["a"]).await;
        assert!(matches!(
            report.outcomes[0].1,
            Outcome::Created {
                confirmed_by_lookup: true,
                ..
            }
        ));
        assert_eq!(*script.creates_sent.lock().unwrap(), 1);
        assert_eq!(script.account.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_lost_request_that_never_committed_is_sent_again() {
        let script = Script::default().reply(false, Attempt::OutcomeUnknown(err("timeout")));
        let report = run(&script, &["a"]).await;
        assert!(matches!(
            report.outcomes[0].1,
            Outcome::Created {
                confirmed_by_lookup: false,
                ..
            }
        ));
        assert_eq!(*script.creates_sent.lock().unwrap(), 2);
        assert_eq!(script.account.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_taken_name_is_convergence_not_failure() {
        let script = Script::default().reply(false, Attempt::NameTaken);
        script.account.lock().unwrap().push("a".to_owned());
        let report = run(&script, &["a"]).await;
        assert!(matches!(
            &report.outcomes[0].1,
            Outcome::MadeElsewhere { task_id: Some(_) }
        ));
        assert!(report.success());
    }

    #[tokio::test]
    async fn a_failed_lookup_leaves_the_outcome_unknown() {
        let script = Script::default()
            .reply(true, Attempt::OutcomeUnknown(err("reset")))
            .failing_lookup(err("throttled"));
        let report = run(&script, &["a"]).await;
        assert!(matches!(report.outcomes[0].1, Outcome::Unknown { .. }));
        assert_eq!(report.unknown(), 1);
        assert!(!report.success());
        assert_eq!(*script.creates_sent.lock().unwrap(), 1);
    }

    #[tokio::test]
    async fn repeated_losses_stop_after_the_attempt_limit() {
        let mut script = Script::default();
        for _ in 0..MAX_CREATE_ATTEMPTS {
            script = script.reply(false, Attempt::OutcomeUnknown(err("timeout")));
        }
        let report = run(&script, &["a"]).await;
        assert!(matches!(report.outcomes[0].1, Outcome::Failed { .. }));
        assert_eq!(*script.creates_sent.lock().unwrap(), MAX_CREATE_ATTEMPTS);
        assert!(script.account.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn one_failure_does_not_stop_the_others() {
        let script = Script::default().reply(false, Attempt::Failed(err("InvalidParameter")));
        let report = run(&script, &["a", "b", "c"]).await;
        assert_eq!(report.failed(), 1);
        assert_eq!(report.created(), 2);
    }

    #[tokio::test]
    async fn an_interrupted_run_starts_nothing_new() {
        let script = Script::default();
        let jobs = vec![Job {
            name: "a".to_owned(),
            request: "a".to_owned(),
        }];
        let cancel = Cancellation::new();
        assert_eq!(cancel.escalate(), Level::Stop);
        let report = execute(&script, jobs, 1, &cancel, &|_| {}).await;
        assert_eq!(report.skipped(), 1);
        assert_eq!(*script.creates_sent.lock().unwrap(), 0);
    }

    /// A writer whose creates never answer.
    struct Silent;

    impl Writer for Silent {
        type Create = ();

        async fn create(&self, (): &()) -> Attempt {
            std::future::pending().await
        }

        async fn lookup(&self, _: &str) -> Result<Vec<String>, StepError> {
            Ok(Vec::new())
        }
    }

    #[tokio::test]
    async fn abandoning_stops_waiting_for_what_is_in_flight() {
        let cancel = Cancellation::new();
        let jobs = vec![
            Job {
                name: "a".to_owned(),
                request: (),
            },
            Job {
                name: "b".to_owned(),
                request: (),
            },
        ];
        let started = tokio::sync::Notify::new();
        let on_event = |event: Event| {
            if matches!(event, Event::Started { .. }) {
                started.notify_one();
            }
        };
        let run = execute(&Silent, jobs, 1, &cancel, &on_event);
        let interrupt = async {
            started.notified().await;
            cancel.escalate();
            assert_eq!(cancel.escalate(), Level::Abandon);
        };
        let (report, ()) = tokio::join!(run, interrupt);
        assert_eq!((report.abandoned(), report.skipped()), (1, 1));
        assert!(!report.success());
    }
}
