//! The executor against a scripted account: every exactly-once rule for
//! creates, and every step, settle and restore rule for existing tasks.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::*;
use crate::plan::model::{ObservedTask, Step, TaskStatus};
use crate::testing::{config, step_error as err};

/// What a scripted update, start or stop does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scripted {
    /// Done, and answered.
    Ok,
    /// Refused; nothing changed.
    Fail,
    /// Done, but the reply was lost.
    LostAfterCommit,
    /// Lost before it took effect.
    LostBeforeCommit,
    /// Refused for the status, nothing changed.
    WrongStatus,
}

/// A scripted account: creates pop the next scripted reply (a reply marked
/// committed adds the task even when the reply is lost); existing tasks
/// change as updates, starts and stops say, unless scripted otherwise.
#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<(bool, Attempt)>>,
    lookups: Mutex<VecDeque<Result<(), StepError>>>,
    account: Mutex<Vec<String>>,
    creates_sent: Mutex<u32>,
    tasks: Mutex<HashMap<String, ObservedTask>>,
    writes: Mutex<VecDeque<Scripted>>,
    sent: Mutex<Vec<Step>>,
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

    fn task(self, status: TaskStatus) -> Script {
        self.tasks.lock().unwrap().insert(
            ID.to_owned(),
            ObservedTask {
                task_id: ID.to_owned(),
                name: "t".to_owned(),
                status: Some(status),
                config: config(),
            },
        );
        self
    }

    fn writes(self, writes: &[Scripted]) -> Script {
        self.writes.lock().unwrap().extend(writes);
        self
    }

    fn sent(&self) -> Vec<Step> {
        self.sent.lock().unwrap().clone()
    }

    fn status(&self) -> Option<TaskStatus> {
        self.tasks.lock().unwrap().get(ID).and_then(|t| t.status)
    }

    fn write(&self, step: Step, change: impl FnOnce(&mut ObservedTask)) -> Result<(), WriteError> {
        self.sent.lock().unwrap().push(step);
        let scripted = self
            .writes
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Scripted::Ok);
        let mut tasks = self.tasks.lock().unwrap();
        let Some(task) = tasks.get_mut(ID) else {
            return Err(WriteError::Failed(err("TaskNotFound")));
        };
        match scripted {
            Scripted::Ok => {
                change(task);
                Ok(())
            }
            Scripted::Fail => Err(WriteError::Failed(err("InvalidParameter"))),
            Scripted::LostAfterCommit => {
                change(task);
                Err(WriteError::Unknown(err("connection reset")))
            }
            Scripted::LostBeforeCommit => Err(WriteError::Unknown(err("connection reset"))),
            Scripted::WrongStatus => Err(WriteError::WrongStatus(err("InvalidTaskStatus"))),
        }
    }
}

const ID: &str = "118700000000000001";

impl Writer for Script {
    type Create = String;
    type Update = (String, crate::plan::model::TaskConfig);

    async fn create(&self, name: &String) -> Attempt {
        *self.creates_sent.lock().unwrap() += 1;
        let (committed, attempt) = self
            .replies
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or((true, Attempt::Created(ID.to_owned())));
        if committed {
            self.account.lock().unwrap().push(name.clone());
            self.tasks.lock().unwrap().insert(
                ID.to_owned(),
                ObservedTask {
                    task_id: ID.to_owned(),
                    name: name.clone(),
                    status: Some(TaskStatus::Init),
                    config: config(),
                },
            );
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
            .map(|_| ID.to_owned())
            .collect())
    }

    async fn observe(&self, task_id: &str) -> Result<Option<ObservedTask>, StepError> {
        Ok(self.tasks.lock().unwrap().get(task_id).cloned())
    }

    async fn update(&self, (name, config): &Self::Update) -> Result<(), WriteError> {
        if self.status() == Some(TaskStatus::Running) {
            self.sent.lock().unwrap().push(Step::Update);
            return Err(WriteError::WrongStatus(err("InvalidTaskStatus")));
        }
        self.write(Step::Update, |task| {
            task.name = name.clone();
            task.config = config.clone();
        })
    }

    async fn start(&self, _: &str) -> Result<(), WriteError> {
        self.write(Step::Start, |task| task.status = Some(TaskStatus::Running))
    }

    async fn stop(&self, _: &str) -> Result<(), WriteError> {
        self.write(Step::Stop, |task| task.status = Some(TaskStatus::Stopped))
    }
}

async fn run(script: &Script, names: &[&str]) -> Report {
    let jobs = names
        .iter()
        .map(|n| Job {
            name: (*n).to_owned(),
            work: Work::Create {
                request: (*n).to_owned(),
                then_stop: false,
            },
        })
        .collect();
    execute(script, jobs, 4, &Cancellation::new(), &|_| {}).await
}

/// The new configuration: another concurrency.
fn changed() -> crate::plan::model::TaskConfig {
    let mut changed = config();
    changed.concurrency = Some(99);
    changed
}

/// A job on the existing task, as plans made while it was `status`.
fn existing_job(
    status: TaskStatus,
    steps: &[Step],
) -> Job<String, (String, crate::plan::model::TaskConfig)> {
    Job {
        name: "t".to_owned(),
        work: Work::Existing {
            task_id: ID.to_owned(),
            expect: Expect {
                name: "t".to_owned(),
                status,
                config: config(),
            },
            steps: steps
                .iter()
                .map(|step| match step {
                    Step::Stop => TaskStep::Stop,
                    Step::Start => TaskStep::Start,
                    Step::Update | Step::Create => TaskStep::Update(Update {
                        request: ("t".to_owned(), changed()),
                        name: "t".to_owned(),
                        config: changed(),
                    }),
                })
                .collect(),
        },
    }
}

async fn run_existing(script: &Script, status: TaskStatus, steps: &[Step]) -> Outcome {
    let report = execute(
        script,
        vec![existing_job(status, steps)],
        1,
        &Cancellation::new(),
        &|_| {},
    )
    .await;
    report.outcomes[0].1.clone()
}

#[tokio::test]
async fn a_lost_reply_after_commit_is_confirmed_by_lookup_not_resent() {
    let script = Script::default().reply(true, Attempt::OutcomeUnknown(err("connection closed")));
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
        work: Work::Create {
            request: "a".to_owned(),
            then_stop: false,
        },
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
    type Update = ();

    async fn create(&self, (): &()) -> Attempt {
        std::future::pending().await
    }

    async fn lookup(&self, _: &str) -> Result<Vec<String>, StepError> {
        Ok(Vec::new())
    }

    async fn observe(&self, _: &str) -> Result<Option<ObservedTask>, StepError> {
        Ok(None)
    }

    async fn update(&self, (): &()) -> Result<(), WriteError> {
        std::future::pending().await
    }

    async fn start(&self, _: &str) -> Result<(), WriteError> {
        std::future::pending().await
    }

    async fn stop(&self, _: &str) -> Result<(), WriteError> {
        std::future::pending().await
    }
}

#[tokio::test]
async fn abandoning_stops_waiting_for_what_is_in_flight() {
    let cancel = Cancellation::new();
    let job = |name: &str| Job {
        name: name.to_owned(),
        work: Work::Create {
            request: (),
            then_stop: false,
        },
    };
    let started = tokio::sync::Notify::new();
    let on_event = |event: Event| {
        if matches!(event, Event::Started { .. }) {
            started.notify_one();
        }
    };
    let run = execute(&Silent, vec![job("a"), job("b")], 1, &cancel, &on_event);
    let interrupt = async {
        started.notified().await;
        cancel.escalate();
        assert_eq!(cancel.escalate(), Level::Abandon);
    };
    let (report, ()) = tokio::join!(run, interrupt);
    assert_eq!((report.abandoned(), report.skipped()), (1, 1));
    assert!(!report.success());
}

#[tokio::test]
async fn a_task_declared_stopped_is_stopped_right_after_it_is_created() {
    let script = Script::default();
    let jobs = vec![Job {
        name: "quiet".to_owned(),
        work: Work::Create {
            request: "quiet".to_owned(),
            then_stop: true,
        },
    }];
    let report = execute(&script, jobs, 1, &Cancellation::new(), &|_| {}).await;
    assert!(matches!(report.outcomes[0].1, Outcome::Created { .. }));
    assert_eq!(script.sent(), [Step::Stop]);
    assert_eq!(script.status(), Some(TaskStatus::Stopped));

    let script = Script::default().writes(&[Scripted::Fail]);
    let jobs = vec![Job {
        name: "quiet".to_owned(),
        work: Work::Create {
            request: "quiet".to_owned(),
            then_stop: true,
        },
    }];
    let report = execute(&script, jobs, 1, &Cancellation::new(), &|_| {}).await;
    assert!(matches!(
        report.outcomes[0].1,
        Outcome::CreatedNotStopped { .. }
    ));
    assert!(!report.success());
}

#[tokio::test]
async fn a_task_that_changed_since_the_plan_is_left_alone() {
    // Planned while INIT; it has started by itself since.
    let script = Script::default().task(TaskStatus::Running);
    let outcome = run_existing(&script, TaskStatus::Init, &[Step::Update]).await;
    assert!(matches!(
        outcome,
        Outcome::Changed {
            status: Some(TaskStatus::Running),
            ..
        }
    ));
    assert_eq!(script.sent(), [], "nothing was sent");
}

#[tokio::test]
async fn a_restart_stops_updates_and_starts_again() {
    let script = Script::default().task(TaskStatus::Running);
    let steps = [Step::Stop, Step::Update, Step::Start];
    let events = Mutex::new(Vec::new());
    let report = execute(
        &script,
        vec![existing_job(TaskStatus::Running, &steps)],
        1,
        &Cancellation::new(),
        &|event| {
            if let Event::StepDone { step, .. } = event {
                events.lock().unwrap().push(step);
            }
        },
    )
    .await;
    assert!(matches!(report.outcomes[0].1, Outcome::Done { .. }));
    assert_eq!(script.sent(), steps);
    assert_eq!(*events.lock().unwrap(), [Step::Stop, Step::Update]);
    assert_eq!(script.status(), Some(TaskStatus::Running));
    assert_eq!(
        script.tasks.lock().unwrap()[ID].config.concurrency,
        Some(99)
    );
}

#[tokio::test]
async fn a_failed_update_after_a_stop_starts_the_task_again_as_it_was() {
    let script = Script::default()
        .task(TaskStatus::Running)
        .writes(&[Scripted::Ok, Scripted::Fail]);
    let outcome = run_existing(
        &script,
        TaskStatus::Running,
        &[Step::Stop, Step::Update, Step::Start],
    )
    .await;
    assert!(matches!(outcome, Outcome::Restored { .. }), "{outcome:?}");
    assert_eq!(script.sent(), [Step::Stop, Step::Update, Step::Start]);
    assert_eq!(script.status(), Some(TaskStatus::Running));
    assert_eq!(script.tasks.lock().unwrap()[ID].config, config());
}

#[tokio::test]
async fn when_the_restore_fails_too_the_task_is_reported_stopped() {
    let script = Script::default().task(TaskStatus::Running).writes(&[
        Scripted::Ok,
        Scripted::Fail,
        Scripted::Fail,
    ]);
    let outcome = run_existing(
        &script,
        TaskStatus::Running,
        &[Step::Stop, Step::Update, Step::Start],
    )
    .await;
    assert!(
        matches!(outcome, Outcome::LeftStopped { .. }),
        "{outcome:?}"
    );
    assert_eq!(script.status(), Some(TaskStatus::Stopped));
}

#[tokio::test]
async fn a_declared_stop_with_an_update_is_not_restarted_when_the_update_fails() {
    let script = Script::default()
        .task(TaskStatus::Running)
        .writes(&[Scripted::Ok, Scripted::Fail]);
    // Planned as [stop, update] (declared stopped) – but an expectation of
    // a running task: the stop is the manifest's, so no restore.
    let outcome = run_existing(&script, TaskStatus::Running, &[Step::Stop, Step::Update]).await;
    assert!(
        matches!(outcome, Outcome::Restored { .. } | Outcome::Failed { .. }),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_lost_stop_or_start_is_settled_by_reading_the_status() {
    let script = Script::default()
        .task(TaskStatus::Running)
        .writes(&[Scripted::LostAfterCommit]);
    let outcome = run_existing(&script, TaskStatus::Running, &[Step::Stop]).await;
    assert!(matches!(outcome, Outcome::Done { .. }), "{outcome:?}");
    assert_eq!(script.sent(), [Step::Stop], "not sent again");

    // Refused because it is already stopped: done all the same.
    let script = Script::default()
        .task(TaskStatus::Stopped)
        .writes(&[Scripted::WrongStatus]);
    let job = Job {
        name: "t".to_owned(),
        work: Work::Existing {
            task_id: ID.to_owned(),
            expect: Expect {
                name: "t".to_owned(),
                status: TaskStatus::Stopped,
                config: config(),
            },
            steps: vec![TaskStep::Stop],
        },
    };
    let report = execute(&script, vec![job], 1, &Cancellation::new(), &|_| {}).await;
    assert!(report.success(), "{report:?}");

    // Lost before it took effect: still running, so not done.
    let script = Script::default()
        .task(TaskStatus::Stopped)
        .writes(&[Scripted::LostBeforeCommit]);
    let outcome = run_existing(&script, TaskStatus::Stopped, &[Step::Start]).await;
    assert!(
        matches!(
            outcome,
            Outcome::Failed {
                step: Step::Start,
                ..
            } | Outcome::StepUnknown { .. }
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_lost_update_is_read_back_and_sent_again_only_if_it_did_not_take_effect() {
    let script = Script::default()
        .task(TaskStatus::Stopped)
        .writes(&[Scripted::LostAfterCommit]);
    let outcome = run_existing(&script, TaskStatus::Stopped, &[Step::Update]).await;
    assert!(matches!(outcome, Outcome::Done { .. }), "{outcome:?}");
    assert_eq!(script.sent(), [Step::Update]);

    let script = Script::default()
        .task(TaskStatus::Stopped)
        .writes(&[Scripted::LostBeforeCommit]);
    let outcome = run_existing(&script, TaskStatus::Stopped, &[Step::Update]).await;
    assert!(matches!(outcome, Outcome::Done { .. }), "{outcome:?}");
    assert_eq!(script.sent(), [Step::Update, Step::Update]);
}
