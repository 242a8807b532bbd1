//! What `apply` reports while it runs and once it is done: the progress
//! (a line per finished task and a bar on a terminal, or JSON lines with
//! `--format json`) and how the run ended, which becomes the JSON summary
//! line and the job summary. The words and lines come from
//! `crate::render`; this module only decides which, and prints.

use std::collections::HashMap;
use std::sync::Mutex;

use indicatif::ProgressBar;

use crate::apply::{Event, Report};
use crate::exit::ExitStatus;
use crate::plan::model::{Action, Plan, Step};
use crate::render::apply_json::{self, RunResult};
use crate::render::style::Style;
use crate::render::{outcome, summary as job_summary};
use crate::settings::Output;

use super::print;

/// How a run ended, and what it did when it got as far as acting.
pub(super) struct Ended {
    pub status: ExitStatus,
    pub applied: Option<Applied>,
}

/// What a run that got as far as acting did.
pub(super) struct Applied {
    pub report: Report,
    pub blocked: usize,
    pub entries: Entries,
}

/// Each acted-on entry by name: its kind, steps and task ID, for the
/// lines and summaries that name a finished task.
pub(super) type Entries = HashMap<String, (Action, Vec<Step>, Option<String>)>;

/// The acted-on entries of `plan`.
pub(super) fn entries(plan: &Plan) -> Entries {
    plan.actions()
        .map(|entry| {
            (
                entry.name.clone(),
                (entry.action, entry.steps.clone(), entry.task_id.clone()),
            )
        })
        .collect()
}

/// The entry of task `name`: its kind, steps and ID.
fn entry<'a>(entries: &'a Entries, name: &str) -> (Action, &'a [Step], Option<&'a str>) {
    entries
        .get(name)
        .map_or((Action::Create, &[][..], None), |(a, s, id)| {
            (*a, s.as_slice(), id.as_deref())
        })
}

impl Ended {
    /// Stopped before acting (the reason is on stderr already).
    pub fn not_applied() -> Ended {
        Ended {
            status: ExitStatus::Failure,
            applied: None,
        }
    }

    pub fn summary_line(&self) -> apply_json::Line {
        let code = self.status.code();
        let Some(applied) = &self.applied else {
            return apply_json::summary(&Report::default(), 0, RunResult::NotApplied, code);
        };
        let result = match self.status {
            _ if applied.report.outcomes.is_empty() && applied.blocked == 0 => {
                RunResult::NothingToDo
            }
            ExitStatus::Interrupted => RunResult::Interrupted,
            ExitStatus::Success => RunResult::Complete,
            _ => RunResult::Incomplete,
        };
        apply_json::summary(&applied.report, applied.blocked, result, code)
    }

    pub fn job_summary(&self, room: usize) -> String {
        let Some(applied) = &self.applied else {
            return job_summary::not_applied(self.status.code());
        };
        let tasks: Vec<job_summary::Applied<'_>> = applied
            .report
            .outcomes
            .iter()
            .map(|(name, outcome)| {
                let (action, steps, task_id) = entry(&applied.entries, name);
                job_summary::Applied {
                    name,
                    entry: (action, steps),
                    task_id,
                    outcome,
                }
            })
            .collect();
        job_summary::apply(&tasks, &applied.report, applied.blocked, room)
    }
}

/// Reports steps as they finish: a progress bar on a terminal (stderr),
/// and one line per finished task on stdout either way; with `json`, a
/// JSON line per step on stdout and no bar.
pub(super) struct Progress {
    bar: Option<ProgressBar>,
    style: Style,
    json: bool,
    done: Mutex<usize>,
    total: usize,
    /// Each task's kind, steps and ID, for its closing line.
    entries: Entries,
}

impl Progress {
    pub fn new(entries: Entries, total: usize, output: &Output, json: bool) -> Progress {
        let bar = (output.stderr_is_terminal && !json)
            .then(|| super::stderr_bar(Some(total as u64), outcome::PROGRESS_TEMPLATE));
        Progress {
            bar,
            style: output.stdout,
            json,
            done: Mutex::new(0),
            total,
            entries,
        }
    }

    /// The JSON line of `event`, if it makes one.
    fn json_line(&self, event: &Event) -> Option<String> {
        let line = match event {
            Event::Started { .. } => return None,
            Event::LookingUp { name, error } => apply_json::reply_lost(name, error),
            Event::StepDone {
                name,
                step,
                task_id,
            } => apply_json::step_done(name, *step, task_id),
            Event::Finished { name, outcome } => {
                let (action, steps, task_id) = entry(&self.entries, name);
                apply_json::task(name, (action, steps), task_id, outcome)
            }
        };
        Some(apply_json::render(&line))
    }

    pub fn on(&self, event: Event) {
        if self.json {
            if let Some(line) = self.json_line(&event) {
                let _ = print(&line);
            }
            return;
        }
        let (line, finished) = match event {
            Event::Started { name } => {
                if let Some(bar) = &self.bar {
                    // indicatif draws the message itself, not through `print`.
                    bar.set_message(super::scrub::scrub(&name).into_owned());
                }
                return;
            }
            Event::LookingUp { name, error } => {
                (outcome::looking_up(&name, &error, self.style), false)
            }
            Event::StepDone { name, step, .. } => {
                (outcome::step_done(&name, step, self.style), false)
            }
            Event::Finished {
                name,
                outcome: ended,
            } => {
                let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
                *done += 1;
                let (action, steps, _) = entry(&self.entries, &name);
                (
                    outcome::finished(
                        &name,
                        (action, steps),
                        &ended,
                        *done,
                        self.total,
                        self.style,
                    ),
                    true,
                )
            }
        };
        let line = format!("{line}\n");
        super::beside_bar(self.bar.as_ref(), || {
            let _ = print(&line);
        });
        if let Some(bar) = self.bar.as_ref().filter(|_| finished) {
            bar.inc(1);
        }
    }

    /// Clears the bar and hands back the entries, for the summaries.
    pub fn finish(self) -> Entries {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.entries
    }
}
