//! `aicall apply`: create what the plan says is missing, exactly once.
//!
//! The plan is computed (or loaded from `--plan` and checked for staleness)
//! and printed first. On a terminal the user confirms with `yes`; without
//! one, `--auto-approve` is required. The executor then runs the creates,
//! each reported as it finishes, and a summary closes the run. All the
//! words come from `crate::render::apply`.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::account::AccountWriter;
use crate::account::mapping::create_request;
use crate::apply::{self, Cancellation, Event, Job, Level};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::plan::model::{DesiredTask, Plan};
use crate::plan::saved::SavedPlan;
use crate::render::apply::{self as words, NoPrompt};
use crate::render::style::Style;
use crate::render::{plan_errors, text};
use crate::settings::{self, ApplySource, Manifests, Output};

use super::interrupt::Interrupts;
use super::plan::{load_desired, make_plan, text_options};
use super::session::Session;
use super::{eprint, print};

/// Runs `aicall apply`.
pub fn run(settings: &settings::Apply, output: &Output) -> Result<ExitStatus, Error> {
    let (manifests, saved) = match &settings.source {
        ApplySource::Manifests(manifests) => (manifests.clone(), None),
        ApplySource::Saved(path) => {
            let saved = read_plan_file(path)?;
            let manifests = Manifests {
                paths: saved.paths.iter().map(PathBuf::from).collect(),
            };
            (manifests, Some((path.as_path(), saved)))
        }
    };
    let Some(desired) = load_desired(&manifests, output)? else {
        return Ok(ExitStatus::Failure);
    };

    super::runtime()?.block_on(async {
        let session = Session::open(&settings.connection).await?;
        let status = apply_with(&session, settings, output, &desired, saved, &manifests).await;
        session.close().await?;
        status
    })
}

async fn apply_with(
    session: &Session,
    settings: &settings::Apply,
    output: &Output,
    desired: &[DesiredTask],
    saved: Option<(&Path, SavedPlan)>,
    manifests: &Manifests,
) -> Result<ExitStatus, Error> {
    let fresh = match make_plan(
        session,
        desired,
        &settings.connection,
        settings.listing.show_unmanaged,
        output,
    )
    .await?
    {
        Ok(plan) => plan,
        Err(errors) => {
            eprint(&plan_errors::render(&errors, output.stderr))?;
            return Ok(ExitStatus::Failure);
        }
    };
    let plan: Plan = match saved {
        Some((path, saved)) => {
            let stale = saved.check(desired, &fresh);
            if !stale.is_empty() {
                eprint(&words::stale(path, &stale, output.stderr))?;
                return Ok(ExitStatus::Failure);
            }
            // Apply exactly what was reviewed (it equals the fresh plan's
            // creates, which the check established).
            saved.plan
        }
        None => fresh,
    };

    print(&text::render_plan(
        &plan,
        text_options(settings.listing),
        output.stdout,
    ))?;
    let creates: Vec<_> = plan.creates().collect();
    if creates.is_empty() {
        print(words::nothing_to_do())?;
        return Ok(ExitStatus::Success);
    }
    if !settings.auto_approve {
        if !confirm(creates.len(), output, manifests.reads_stdin())? {
            return Ok(ExitStatus::Failure);
        }
        // Time spent answering the prompt is not the API's.
        session.client.restart_deadline();
    }

    let jobs: Vec<Job<_>> = creates
        .iter()
        .map(|entry| Job {
            name: entry.name.clone(),
            request: create_request(&entry.name, &entry.desired),
        })
        .collect();
    let writer = AccountWriter {
        client: session.client.clone(),
        page_size: settings.connection.page_size,
    };

    // Registered before the first create is sent, so even an immediate
    // Ctrl-C stops new creates instead of killing the process mid-request.
    let cancel = Cancellation::new();
    let mut interrupts = Interrupts::register()?;
    let watcher = {
        let cancel = cancel.clone();
        let style = output.stderr;
        tokio::spawn(async move {
            while interrupts.next().await.is_some() {
                let note = match cancel.escalate() {
                    Level::Stop => words::interrupted(style),
                    Level::Abandon => words::abandoning(style),
                };
                let _ = eprint(&note);
                if cancel.abandon.is_cancelled() {
                    break;
                }
            }
        })
    };

    // The progress lines are a block of their own, like the summary.
    print("\n")?;
    let progress = Progress::new(jobs.len(), output);
    let report = apply::execute(&writer, jobs, settings.parallelism, &cancel, &|event| {
        progress.on(event)
    })
    .await;
    progress.finish();
    watcher.abort();

    print(&words::summary(&report, output.stdout))?;
    Ok(if report.abandoned() > 0 {
        ExitStatus::Interrupted
    } else if report.success() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Asks on the terminal; refuses without one.
fn confirm(creates: usize, output: &Output, reads_stdin: bool) -> Result<bool, Error> {
    let refusal = if reads_stdin {
        Some(NoPrompt::ManifestsFromStdin)
    } else if !output.stdin_is_terminal {
        Some(NoPrompt::NotATerminal)
    } else {
        None
    };
    if let Some(why) = refusal {
        eprint(&words::no_prompt(why, output.stderr))?;
        return Ok(false);
    }
    eprint(&words::prompt(creates))?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(Error::Prompt)?;
    if answer.trim() == "yes" {
        Ok(true)
    } else {
        eprint(words::cancelled())?;
        Ok(false)
    }
}

fn read_plan_file(path: &Path) -> Result<SavedPlan, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::PlanFile {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    SavedPlan::from_json(&text).map_err(|source| Error::PlanFormat {
        path: path.to_path_buf(),
        source,
    })
}

/// Reports steps as they finish: a progress bar on a terminal (stderr),
/// and one line per finished task on stdout either way.
struct Progress {
    bar: Option<ProgressBar>,
    style: Style,
    done: Mutex<usize>,
    total: usize,
}

impl Progress {
    fn new(total: usize, output: &Output) -> Progress {
        let bar = output.stderr_is_terminal.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(words::PROGRESS_TEMPLATE) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            style: output.stdout,
            done: Mutex::new(0),
            total,
        }
    }

    fn on(&self, event: Event) {
        let (line, finished) = match event {
            Event::Started { name } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(name);
                }
                return;
            }
            Event::LookingUp { name, error } => {
                (words::looking_up(&name, &error, self.style), false)
            }
            Event::Finished { name, outcome } => {
                let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
                *done += 1;
                (
                    words::finished(&name, &outcome, *done, self.total, self.style),
                    true,
                )
            }
        };
        let line = format!("{line}\n");
        match &self.bar {
            Some(bar) => {
                bar.suspend(|| {
                    let _ = print(&line);
                });
                if finished {
                    bar.inc(1);
                }
            }
            None => {
                let _ = print(&line);
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
