//! Adopting account tasks: the manifest task that plans as "no changes"
//! for each task the account holds (`aicall export`).
//!
//! This is the plan read backwards, so it lives beside [`super::decide`]:
//! each field is written as the value that [`super::diff::compare`] finds
//! equal to the account's, and `status` as the word that
//! [`super::decide::existing`] leaves alone. [`unchanged`] then proves it
//! on the text actually written. Nothing here reads the account or writes
//! a file.
//!
//! `status` (only with `--with-status`): RUNNING is `running`, STOPPED is
//! `stopped`, INIT is `running` (a waiting task starts by itself at its
//! time, and `running` never starts one early, whereas `stopped` would
//! stop it); FAILED is left unmanaged with a note, because `running` would
//! start it again and `stopped` would declare a state it is not in; so is
//! a status aicall does not know or was not told.
//!
//! A task the manifest language cannot declare (an empty name, a control
//! character in it, a name two tasks share, a required field missing or
//! beyond a manifest's limits) is handed to the writer with its gaps, to
//! be written commented out; what is merely worth knowing is a note.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::Offset;

use crate::manifest::field::Field;
use crate::manifest::model::{
    DeclaredStatus, Retry as SpecRetry, Scheduled, Start as SpecStart, TaskSpec, Window,
};
use crate::manifest::write::{Gap, Task};

use super::decide;
use super::desired::desired_task;
use super::model::{Action, ObservedTask, Retry, Start, TaskStatus};

/// An account task as `export` reads it: what a plan sees of it, and what
/// a plan cannot see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTask {
    /// The task as a plan observes it.
    pub observed: ObservedTask,
    /// Fields the account reports in a form aicall does not understand:
    /// `None` in the observed configuration although they were reported.
    pub unreadable: Vec<Field>,
    /// Settings the account holds that no manifest field expresses: API
    /// parameter and value.
    pub unexpressed: Vec<(String, String)>,
}

/// How tasks are adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdoptOptions {
    /// Declare `status` (`--with-status`); otherwise it is left unmanaged.
    pub with_status: bool,
    /// The offset scheduled starts are written in (`--utc-offset`).
    pub offset: Offset,
}

/// The manifest task of each of `tasks`.
pub fn adopt(tasks: &[AccountTask], options: AdoptOptions) -> Vec<Task> {
    let mut carriers: HashMap<&str, usize> = HashMap::new();
    for task in tasks {
        *carriers.entry(task.observed.name.as_str()).or_default() += 1;
    }
    tasks
        .iter()
        .map(|task| {
            let count = carriers
                .get(task.observed.name.as_str())
                .copied()
                .unwrap_or(1);
            adopt_one(task, count, options)
        })
        .collect()
}

fn adopt_one(task: &AccountTask, carriers: usize, options: AdoptOptions) -> Task {
    let observed = &task.observed;
    let config = &observed.config;
    let mut gaps = Vec::new();
    let mut notes = Vec::new();

    if observed.name.is_empty() {
        gaps.push(Gap::EmptyName);
    } else if observed.name.chars().any(char::is_control) {
        gaps.push(Gap::ControlInName);
    }
    if carriers > 1 {
        gaps.push(Gap::DuplicateName { count: carriers });
    }
    let missing = |field: Field, gaps: &mut Vec<Gap>| {
        gaps.push(if task.unreadable.contains(&field) {
            Gap::Unexpressible { field }
        } else {
            Gap::NotReported { field }
        });
    };
    let id = |value: &Option<String>, field: Field, gaps: &mut Vec<Gap>| match value {
        None => {
            missing(field, gaps);
            None
        }
        Some(id) if id.is_empty() || id.trim() != id => {
            gaps.push(Gap::PaddedId { field });
            Some(id.clone())
        }
        Some(id) => Some(id.clone()),
    };
    let agent_id = id(&config.agent_id, Field::AgentId, &mut gaps);
    let virtual_number = id(&config.virtual_number, Field::VirtualNumber, &mut gaps);

    let start = match config.start {
        None => {
            missing(Field::Start, &mut gaps);
            None
        }
        Some(Start::Immediate) => Some(SpecStart::Immediate),
        Some(Start::Scheduled(start)) => {
            match crate::instant::Instant::from_millisecond(start.at_ms, options.offset) {
                // Validation refuses a start outside the API's range.
                Some(at) if crate::instant::in_api_range(start.at_ms) => {
                    Some(SpecStart::At(Scheduled {
                        at,
                        written: start.rfc3339_in(options.offset),
                    }))
                }
                _ => {
                    gaps.push(Gap::Unexpressible {
                        field: Field::Start,
                    });
                    None
                }
            }
        }
    };

    let concurrency = match config.concurrency {
        Some(n) if TaskSpec::CONCURRENCY.contains(&n) => Some(n),
        Some(n) => {
            notes.push(Gap::ConcurrencyUnmanaged {
                value: i64::from(n),
            });
            None
        }
        None => None,
    };

    let call_days = config.call_days.clone();
    if call_days.is_none() {
        missing(Field::CallDays, &mut gaps);
    }
    let call_windows = config.call_windows.clone();
    match &call_windows {
        None => missing(Field::CallWindows, &mut gaps),
        Some(windows) if windows.iter().any(|w| w.start >= w.end) => {
            gaps.push(Gap::Unexpressible {
                field: Field::CallWindows,
            });
        }
        Some(windows) if overlap(windows) => gaps.push(Gap::OverlappingWindows),
        Some(_) => {}
    }

    let retry = match &config.retry {
        // Not reported: the service's default, no redial (§3.1), which is
        // what an absent `retry` says.
        None if !task.unreadable.contains(&Field::Retry) => None,
        None => {
            gaps.push(Gap::Unexpressible {
                field: Field::Retry,
            });
            None
        }
        Some(Retry::Off) => None,
        Some(Retry::On {
            reasons,
            times,
            interval_minutes,
        }) => {
            if reasons.is_empty() {
                gaps.push(Gap::RetryWithoutReasons);
            }
            let times = in_range(*times, Field::RetryTimes, &mut gaps);
            let interval = in_range(*interval_minutes, Field::RetryIntervalMinutes, &mut gaps);
            match (times, interval) {
                (Some(times), Some(interval)) => Some(SpecRetry {
                    reasons: reasons.clone(),
                    times: u8::try_from(times).unwrap_or(u8::MAX),
                    interval_minutes: u16::try_from(interval).unwrap_or(u16::MAX),
                }),
                _ => None,
            }
        }
    };

    let status = if options.with_status {
        match observed.status {
            Some(TaskStatus::Running | TaskStatus::Init) => Some(DeclaredStatus::Running),
            Some(TaskStatus::Stopped) => Some(DeclaredStatus::Stopped),
            Some(TaskStatus::Failed) => {
                notes.push(Gap::StatusFailed);
                None
            }
            Some(TaskStatus::Other(code)) => {
                notes.push(Gap::StatusUnknown { code });
                None
            }
            None => {
                notes.push(Gap::StatusNotReported);
                None
            }
        }
    } else {
        None
    };
    if !task.unexpressed.is_empty() {
        notes.push(Gap::Unexpressed {
            settings: task.unexpressed.clone(),
        });
    }

    Task {
        name: observed.name.clone(),
        task_id: observed.task_id.clone(),
        agent_id,
        virtual_number,
        start,
        concurrency,
        call_days,
        call_windows,
        retry,
        status,
        notes,
        gaps,
    }
}

/// `value` when a manifest accepts it for `field` ([`Field::range`]),
/// else a gap.
fn in_range(value: u32, field: Field, gaps: &mut Vec<Gap>) -> Option<u32> {
    match field.range() {
        Some(range) if !range.contains(&i64::from(value)) => {
            gaps.push(Gap::OutOfRange {
                field,
                value: i64::from(value),
                min: *range.start(),
                max: *range.end(),
            });
            None
        }
        _ => Some(value),
    }
}

/// Whether sorted `windows` overlap (touching is fine), as validation
/// judges them.
fn overlap(windows: &[Window]) -> bool {
    let mut latest = None;
    for window in windows {
        if latest.is_some_and(|end| window.start < end) {
            return true;
        }
        latest = latest.max(Some(window.end));
    }
    false
}

/// The names of the `declared` account tasks that the manifests read back
/// as `specs` do not plan as "no changes" at `now`: each declared task
/// must come back exactly once, and its entry must be unchanged.
pub fn unchanged(specs: &[TaskSpec], declared: &[&ObservedTask], now: Timestamp) -> Vec<String> {
    let mut by_name: HashMap<&str, Vec<&TaskSpec>> = HashMap::new();
    for spec in specs {
        by_name.entry(spec.name.as_str()).or_default().push(spec);
    }
    let mut failed = Vec::new();
    for task in declared {
        let ok = match by_name.get(task.name.as_str()).map(Vec::as_slice) {
            Some([spec]) => {
                let desired = desired_task(spec);
                decide::existing(&desired, task, now, false).action == Action::Unchanged
            }
            _ => false,
        };
        if !ok {
            failed.push(task.name.clone());
        }
    }
    if specs.len() != declared.len() {
        let known: std::collections::HashSet<&str> =
            declared.iter().map(|t| t.name.as_str()).collect();
        failed.extend(
            specs
                .iter()
                .filter(|s| !known.contains(s.name.as_str()))
                .map(|s| s.name.clone()),
        );
    }
    failed
}

#[cfg(test)]
mod tests;
