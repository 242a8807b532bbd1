//! The executor: creates the plan's missing tasks, concurrently, exactly once.
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
//! The executor talks to a [`Creator`] and reports [`Event`]s; it never
//! prints and never formats text.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt as _;
use futures_util::stream;

/// An error from below, kept whole for rendering (its cause chain included).
pub type BoxError = Arc<dyn std::error::Error + Send + Sync + 'static>;

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
    OutcomeUnknown(BoxError),
    /// Refused for another reason; nothing was created.
    Failed(BoxError),
}

/// What the executor needs from the API.
pub trait Creator: Send + Sync {
    /// What one create sends.
    type Request: Send + Sync;

    /// Sends one create request.
    fn create(&self, request: &Self::Request) -> impl Future<Output = Attempt> + Send;

    /// The IDs of the account tasks named exactly `name`.
    fn lookup(&self, name: &str) -> impl Future<Output = Result<Vec<String>, BoxError>> + Send;
}

/// One task to create.
#[derive(Debug, Clone)]
pub struct Job<R> {
    /// The task's name (its identity).
    pub name: String,
    /// The request that creates it.
    pub request: R,
}

/// How one task ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Created by this run.
    Created {
        /// The new task's ID.
        task_id: String,
        /// Whether the reply was lost and creation was confirmed by looking
        /// the name up.
        confirmed_by_lookup: bool,
    },
    /// Someone else created it meanwhile: the account converged anyway.
    MadeElsewhere {
        /// The existing task's ID, when the look-up found it.
        task_id: Option<String>,
    },
    /// Not created; the account holds no such task.
    Failed {
        /// Why.
        error: BoxError,
    },
    /// Whether it was created could not be established. Re-run apply.
    Unknown {
        /// Why the create's outcome is unknown.
        error: BoxError,
        /// Why the look-up that would settle it failed.
        lookup_error: BoxError,
    },
    /// Not attempted: the run was interrupted first.
    Skipped,
}

impl Outcome {
    /// Whether the task is in the account now (created here or elsewhere).
    pub fn converged(&self) -> bool {
        matches!(
            self,
            Outcome::Created { .. } | Outcome::MadeElsewhere { .. }
        )
    }
}

/// Something the executor reports while it works.
#[derive(Debug, Clone)]
pub enum Event {
    /// A task's create is being sent.
    Started {
        /// The task.
        name: String,
    },
    /// A reply was lost; the name is being looked up before anything else.
    LookingUp {
        /// The task.
        name: String,
        /// Why the reply's outcome is unknown.
        error: BoxError,
    },
    /// A task is done, one way or another.
    Finished {
        /// The task.
        name: String,
        /// How it ended.
        outcome: Outcome,
    },
}

/// How the whole run ended.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every task with its outcome, in the order they finished.
    pub outcomes: Vec<(String, Outcome)>,
}

impl Report {
    /// Tasks created by this run.
    pub fn created(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Created { .. }))
    }

    /// Tasks someone else created meanwhile.
    pub fn made_elsewhere(&self) -> usize {
        self.count(|o| matches!(o, Outcome::MadeElsewhere { .. }))
    }

    /// Tasks that failed.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed { .. }))
    }

    /// Tasks whose fate is unknown.
    pub fn unknown(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Unknown { .. }))
    }

    /// Tasks not attempted because of an interruption.
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped))
    }

    /// Whether every task converged.
    pub fn success(&self) -> bool {
        self.outcomes.iter().all(|(_, o)| o.converged())
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, o)| f(o)).count()
    }
}

/// Runs `jobs` with at most `parallelism` creates in flight, reporting each
/// step to `on_event`. Once `interrupted` is set, no further create starts;
/// those in flight finish.
pub async fn execute<C: Creator>(
    creator: &C,
    jobs: Vec<Job<C::Request>>,
    parallelism: usize,
    interrupted: &AtomicBool,
    on_event: &(dyn Fn(Event) + Send + Sync),
) -> Report {
    let mut report = Report::default();
    let mut finished = stream::iter(jobs)
        .map(|job| async move {
            let outcome = if interrupted.load(Ordering::SeqCst) {
                Outcome::Skipped
            } else {
                on_event(Event::Started {
                    name: job.name.clone(),
                });
                create_once(creator, &job, on_event).await
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

async fn create_once<C: Creator>(
    creator: &C,
    job: &Job<C::Request>,
    on_event: &(dyn Fn(Event) + Send + Sync),
) -> Outcome {
    let mut attempt = 1;
    loop {
        match creator.create(&job.request).await {
            Attempt::Created(task_id) => {
                return Outcome::Created {
                    task_id,
                    confirmed_by_lookup: false,
                };
            }
            Attempt::NameTaken => {
                let task_id = match creator.lookup(&job.name).await {
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
                match creator.lookup(&job.name).await {
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

/// The executor's view of the real API client.
#[derive(Debug, Clone)]
pub struct ApiCreator {
    /// The client.
    pub client: crate::api::Client,
    /// Rows per page for name look-ups.
    pub page_size: u32,
}

impl Creator for ApiCreator {
    type Request = crate::api::CreateTask;

    async fn create(&self, request: &crate::api::CreateTask) -> Attempt {
        match self.client.create_task(request).await {
            Ok(id) => Attempt::Created(id.to_string()),
            Err(err) if err.code() == Some(NAME_TAKEN) => Attempt::NameTaken,
            Err(err) if err.is_outcome_unknown() => Attempt::OutcomeUnknown(Arc::new(err)),
            Err(err) => Attempt::Failed(Arc::new(err)),
        }
    }

    async fn lookup(&self, name: &str) -> Result<Vec<String>, BoxError> {
        match self.client.find_tasks_named(name, self.page_size).await {
            Ok(tasks) => Ok(tasks.into_iter().map(|t| t.task_id.to_string()).collect()),
            Err(err) => Err(Arc::new(err)),
        }
    }
}

/// The business error code of a create refused because the name is taken
/// (`aiccs-api.md` §7).
pub const NAME_TAKEN: &str = "TaskNameDuplicate";

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{0}")]
    struct TestError(&'static str);

    fn err(text: &'static str) -> BoxError {
        Arc::new(TestError(text))
    }

    /// A scripted account: each create pops the next scripted reply; a
    /// reply marked as committed adds the task even when the reply is lost.
    #[derive(Default)]
    struct Script {
        replies: Mutex<VecDeque<(bool, Attempt)>>,
        lookups: Mutex<VecDeque<Result<(), BoxError>>>,
        account: Mutex<Vec<String>>,
        creates_sent: Mutex<u32>,
    }

    impl Script {
        fn reply(self, committed: bool, attempt: Attempt) -> Script {
            self.replies.lock().unwrap().push_back((committed, attempt));
            self
        }

        fn failing_lookup(self, error: BoxError) -> Script {
            self.lookups.lock().unwrap().push_back(Err(error));
            self
        }
    }

    impl Creator for Script {
        type Request = String;

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

        async fn lookup(&self, name: &str) -> Result<Vec<String>, BoxError> {
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
        execute(script, jobs, 4, &AtomicBool::new(false), &|_| {}).await
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
        let report = execute(&script, jobs, 1, &AtomicBool::new(true), &|_| {}).await;
        assert_eq!(report.skipped(), 1);
        assert_eq!(*script.creates_sent.lock().unwrap(), 0);
    }
}
