//! What the executor reports: events while it works, an outcome per task,
//! and the report of the whole run. Values only; `crate::render::apply`
//! turns them into text.

use super::error::StepError;

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
        error: StepError,
    },
    /// Whether it was created could not be established. Re-run apply.
    Unknown {
        /// Why the create's outcome is unknown.
        error: StepError,
        /// Why the look-up that would settle it failed.
        lookup_error: StepError,
    },
    /// Not attempted: the run was interrupted first.
    Skipped,
    /// In flight when the run was interrupted a second time: it may or may
    /// not have taken effect. Re-run apply: it looks before it acts.
    Abandoned,
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
        error: StepError,
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

    /// Tasks abandoned in flight by a second interruption.
    pub fn abandoned(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Abandoned))
    }

    /// Whether every task converged.
    pub fn success(&self) -> bool {
        self.outcomes.iter().all(|(_, o)| o.converged())
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, o)| f(o)).count()
    }
}
