//! What the executor reports: events while it works, an outcome per task,
//! and the report of the whole run. Values only; `crate::render::apply`
//! turns them into text.

use crate::plan::model::{Step, TaskStatus};

use super::error::StepError;

/// How one task ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Created by this run (and stopped, when declared stopped).
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
    /// Created, but the stop its manifest declares failed: it will start at
    /// its scheduled time unless stopped. Re-running apply stops it.
    CreatedNotStopped {
        /// The new task's ID.
        task_id: String,
        /// Why the stop failed.
        error: StepError,
    },
    /// Every step of an existing task was done.
    Done {
        /// The task's ID.
        task_id: String,
        /// The steps done, in order.
        steps: Vec<Step>,
    },
    /// When apply came to it, the task already was what the plan asked for
    /// (another apply got there first): nothing to do.
    AlreadyDone {
        /// The task's ID.
        task_id: String,
    },
    /// The task was no longer what the plan saw when apply came to it: left
    /// alone. Plan again.
    Changed {
        /// The task's ID.
        task_id: String,
        /// Its status now, when it still exists under its name.
        status: Option<TaskStatus>,
    },
    /// A step failed; the task is as the steps before it left it.
    Failed {
        /// The step that failed.
        step: Step,
        /// Why.
        error: StepError,
    },
    /// The update of a running task failed after aicall had stopped it; it
    /// was started again with its old configuration: back as it was.
    Restored {
        /// Why the update failed.
        error: StepError,
    },
    /// The update of a running task failed after aicall had stopped it,
    /// and starting it again failed too: the task is STOPPED.
    LeftStopped {
        /// The task's ID.
        task_id: String,
        /// Why the update failed.
        error: StepError,
        /// Why the start that would have restored it failed.
        restore_error: StepError,
    },
    /// Whether it was created could not be established. Re-run apply.
    Unknown {
        /// Why the create's outcome is unknown.
        error: StepError,
        /// Why the look-up that would settle it failed.
        lookup_error: StepError,
    },
    /// A step's outcome could not be established, not even by reading the
    /// task back. Re-run apply: it plans from the account.
    StepUnknown {
        /// The step.
        step: Step,
        /// Why.
        error: StepError,
    },
    /// Not attempted: the run was interrupted first.
    Skipped,
    /// In flight when the run was interrupted a second time: it may or may
    /// not have taken effect. Re-run apply: it looks before it acts.
    Abandoned,
}

impl Outcome {
    /// Whether the task now matches what the plan asked for.
    pub fn converged(&self) -> bool {
        matches!(
            self,
            Outcome::Created { .. }
                | Outcome::MadeElsewhere { .. }
                | Outcome::Done { .. }
                | Outcome::AlreadyDone { .. }
        )
    }
}

/// Something the executor reports while it works.
#[derive(Debug, Clone)]
pub enum Event {
    /// A task's first step is being sent.
    Started {
        /// The task.
        name: String,
    },
    /// A reply was lost; the name is being looked up before anything else.
    LookingUp {
        /// The task.
        name: String,
        /// Why the reply's outcome is unknown.
        error: StepError,
    },
    /// One step of a task with several is done; the task goes on.
    StepDone {
        /// The task.
        name: String,
        /// The step.
        step: Step,
        /// The task's ID (for a create, the new task's).
        task_id: String,
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

    /// Existing tasks someone else changed as planned meanwhile.
    pub fn already_done(&self) -> usize {
        self.count(|o| matches!(o, Outcome::AlreadyDone { .. }))
    }

    /// Existing tasks whose steps were all done.
    pub fn done(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Done { .. }))
    }

    /// Tasks left alone because they changed since the plan.
    pub fn changed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Changed { .. }))
    }

    /// Tasks whose step failed (restored ones and those left stopped
    /// included).
    pub fn failed(&self) -> usize {
        self.count(|o| {
            matches!(
                o,
                Outcome::Failed { .. }
                    | Outcome::Restored { .. }
                    | Outcome::LeftStopped { .. }
                    | Outcome::CreatedNotStopped { .. }
            )
        })
    }

    /// Tasks whose fate is unknown.
    pub fn unknown(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Unknown { .. } | Outcome::StepUnknown { .. }))
    }

    /// Tasks not attempted because of an interruption.
    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped))
    }

    /// Tasks abandoned in flight by a second interruption.
    pub fn abandoned(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Abandoned))
    }

    /// The tasks left stopped by a failed restart, with why.
    pub fn left_stopped(&self) -> impl Iterator<Item = (&str, &Outcome)> {
        self.outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::LeftStopped { .. }))
            .map(|(name, o)| (name.as_str(), o))
    }

    /// Whether every task converged.
    pub fn success(&self) -> bool {
        self.outcomes.iter().all(|(_, o)| o.converged())
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, o)| f(o)).count()
    }
}
