//! `aicall apply`: create what the plan says is missing, exactly once.
//!
//! The plan is computed (or loaded from `--plan` and checked for staleness)
//! and printed first. On a terminal the user confirms with `yes`; without
//! one, `--auto-approve` is required. Creates then run concurrently, each
//! reported as it finishes, and a summary closes the run.

use std::collections::BTreeSet;
use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::api::mapping::create_request;
use crate::apply::{self, ApiCreator, Event, Job, Outcome, Report};
use crate::cli::ApplyArgs;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::plan::model::{Action, Plan};
use crate::plan::saved::{Precondition, SavedPlan, Staleness};
use crate::render::style::{Paint, Style};
use crate::render::text::{self, TextOptions};

use super::Global;
use super::plan::{eprintln_note, load_desired, make_plan, print_plan_errors};
use super::session::Session;

/// Runs `aicall apply`.
pub fn run(args: &ApplyArgs, global: &Global) -> Result<ExitStatus, Error> {
    let saved = match &args.plan {
        Some(path) => Some(read_plan_file(path)?),
        None => None,
    };
    let paths: Vec<PathBuf> = match &saved {
        Some(saved) => saved.paths.iter().map(PathBuf::from).collect(),
        None => args.paths.clone(),
    };
    let reads_stdin = paths.iter().any(|p| p.as_os_str() == "-");
    let Some(desired) = load_desired(&paths, global)? else {
        return Ok(ExitStatus::Failure);
    };

    super::runtime()?.block_on(async {
        let session = Session::open(&args.connection).await?;
        let status = apply_with(
            &session,
            args,
            global,
            &desired,
            saved.as_ref(),
            reads_stdin,
        )
        .await;
        session.close().await?;
        status
    })
}

async fn apply_with(
    session: &Session,
    args: &ApplyArgs,
    global: &Global,
    desired: &[crate::plan::model::DesiredTask],
    saved: Option<&SavedPlan>,
    reads_stdin: bool,
) -> Result<ExitStatus, Error> {
    let plan = match make_plan(session, desired, &args.connection, args.show_unmanaged).await? {
        Ok(plan) => plan,
        Err(errors) => {
            print_plan_errors(&errors, global.stderr)?;
            return Ok(ExitStatus::Failure);
        }
    };
    let plan = match saved {
        Some(saved) => {
            let stale = staleness(saved, desired, &plan);
            if !stale.is_empty() {
                refuse_stale(&stale, args, global.stderr)?;
                return Ok(ExitStatus::Failure);
            }
            // Apply exactly what was reviewed (it equals the fresh plan's
            // creates, which the checks above established).
            saved.plan.clone()
        }
        None => plan,
    };

    let options = TextOptions {
        verbose: args.verbose,
        show_unmanaged: args.show_unmanaged,
    };
    print_stdout(&text::render_plan(&plan, options, global.stdout))?;
    let creates: Vec<_> = plan.creates().collect();
    if creates.is_empty() {
        // The plan's closing lines already said there is nothing to create.
        return Ok(ExitStatus::Success);
    }

    if !args.auto_approve && !confirm(creates.len(), global, reads_stdin)? {
        return Ok(ExitStatus::Failure);
    }

    let jobs: Vec<Job<_>> = creates
        .iter()
        .map(|entry| Job {
            name: entry.name.clone(),
            request: create_request(&entry.name, &entry.desired),
        })
        .collect();
    let creator = ApiCreator {
        client: session.client.clone(),
        page_size: args.connection.page_size,
    };

    let interrupted = Arc::new(AtomicBool::new(false));
    // Registered before the first create is sent, so even an immediate
    // Ctrl-C stops new creates instead of killing the process mid-request.
    let mut interrupts = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(Error::Runtime)?;
    let watcher = {
        let interrupted = interrupted.clone();
        let style = global.stderr;
        tokio::spawn(async move {
            if interrupts.recv().await.is_some() {
                interrupted.store(true, Ordering::SeqCst);
                let _ = eprintln_note(
                    style,
                    "interrupted: no new task will be started; waiting for those in flight \
                     (interrupt again to abandon them: re-running apply settles them)",
                );
                if interrupts.recv().await.is_some() {
                    std::process::exit(130);
                }
            }
        })
    };

    // The progress lines are a block of their own, like the summary.
    print_stdout("\n")?;
    let progress = Progress::new(jobs.len(), global);
    let report = apply::execute(
        &creator,
        jobs,
        args.parallelism as usize,
        &interrupted,
        &|event| progress.on(event),
    )
    .await;
    progress.finish();
    watcher.abort();

    print_stdout(&summary(&report, global.stdout))?;
    Ok(if report.success() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Everything that makes `saved` inapplicable now.
fn staleness(
    saved: &SavedPlan,
    desired: &[crate::plan::model::DesiredTask],
    fresh: &Plan,
) -> Vec<Staleness> {
    let mut stale = saved.staleness(desired, &fresh.target);
    let fresh_creates: BTreeSet<&str> = fresh.creates().map(|t| t.name.as_str()).collect();
    for precondition in &saved.preconditions {
        let Precondition::NoTaskNamed { name } = precondition;
        if !fresh_creates.contains(name.as_str()) {
            let found = fresh
                .tasks
                .iter()
                .find(|t| &t.name == name && t.action != Action::Create)
                .and_then(|t| t.task_id.as_deref())
                .map_or_else(
                    || format!("`{name}` is no longer in the manifests"),
                    |id| format!("task {id} has that name now"),
                );
            stale.push(Staleness::PreconditionFailed {
                precondition: precondition.clone(),
                found,
            });
        }
    }
    let saved_creates: BTreeSet<&str> = saved.plan.creates().map(|t| t.name.as_str()).collect();
    let unplanned: Vec<String> = fresh_creates
        .difference(&saved_creates)
        .map(|n| (*n).to_owned())
        .collect();
    // New tasks in the manifests are already reported as a manifest change.
    if !unplanned.is_empty() && stale.is_empty() {
        stale.push(Staleness::Unplanned { names: unplanned });
    }
    stale
}

fn refuse_stale(stale: &[Staleness], args: &ApplyArgs, style: Style) -> Result<(), Error> {
    let mut out = format!(
        "{}: the saved plan `{}` is stale and was not applied:\n",
        style.paint(Paint::Error, "error"),
        args.plan
            .as_deref()
            .unwrap_or_else(|| std::path::Path::new("?"))
            .display()
    );
    for reason in stale {
        out.push_str(&format!("  - {reason}\n"));
    }
    out.push_str(&format!(
        "  {} make a new plan with `aicall plan --out FILE`, review it, then apply that\n",
        style.paint(Paint::Help, "= help:")
    ));
    std::io::stderr()
        .lock()
        .write_all(out.as_bytes())
        .map_err(Error::Output)
}

/// Asks on the terminal; refuses without one.
fn confirm(count: usize, global: &Global, reads_stdin: bool) -> Result<bool, Error> {
    if !global.stdin_is_terminal || reads_stdin {
        let why = if reads_stdin {
            "the manifests came from stdin"
        } else {
            "stdin is not a terminal"
        };
        let style = global.stderr;
        writeln!(
            std::io::stderr().lock(),
            "{}: refusing to apply without confirmation: {why}\n  {} review the plan above, then run again with `--auto-approve`",
            style.paint(Paint::Error, "error"),
            style.paint(Paint::Help, "= help:"),
        )
        .map_err(Error::Output)?;
        return Ok(false);
    }
    let mut stderr = std::io::stderr().lock();
    write!(
        stderr,
        "Create {count} {}? Only `yes` is accepted: ",
        if count == 1 { "task" } else { "tasks" }
    )
    .map_err(Error::Output)?;
    stderr.flush().map_err(Error::Output)?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(Error::Output)?;
    if answer.trim() == "yes" {
        Ok(true)
    } else {
        writeln!(stderr, "Apply cancelled: nothing was created.").map_err(Error::Output)?;
        Ok(false)
    }
}

fn read_plan_file(path: &std::path::Path) -> Result<SavedPlan, Error> {
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

fn print_stdout(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).map_err(Error::Output)?;
    stdout.flush().map_err(Error::Output)
}

/// Reports creates as they finish: a progress bar on a terminal (stderr),
/// and one line per finished task on stdout either way.
struct Progress {
    bar: Option<ProgressBar>,
    style: Style,
    done: Mutex<usize>,
    total: usize,
}

impl Progress {
    fn new(total: usize, global: &Global) -> Progress {
        let bar = global.stderr_is_terminal.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} created or settled  {msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            style: global.stdout,
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
            Event::LookingUp { name, error } => (
                format!(
                    "{} {name}: {}; looking the name up before sending anything again",
                    self.style.paint(Paint::Warning, "? reply lost"),
                    lost_reply_cause(&*error)
                ),
                false,
            ),
            Event::Finished { name, outcome } => {
                let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
                *done += 1;
                let counter = self
                    .style
                    .paint(Paint::Dim, &format!("[{}/{}]", *done, self.total));
                (
                    format!("{} {counter}", outcome_line(&name, &outcome, self.style)),
                    true,
                )
            }
        };
        match &self.bar {
            Some(bar) => {
                bar.suspend(|| {
                    let _ = writeln!(std::io::stdout().lock(), "{line}");
                });
                if finished {
                    bar.inc(1);
                }
            }
            None => {
                let _ = writeln!(std::io::stdout().lock(), "{line}");
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Why a reply was lost, without repeating what the line already says
/// (the task and that the outcome is unknown): the innermost cause.
fn lost_reply_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    while let Some(cause) = innermost.source() {
        innermost = cause;
    }
    innermost.to_string()
}

fn outcome_line(name: &str, outcome: &Outcome, style: Style) -> String {
    match outcome {
        Outcome::Created {
            task_id,
            confirmed_by_lookup: false,
        } => format!(
            "{} {name} (task {task_id})",
            style.paint(Paint::Add, "+ created")
        ),
        Outcome::Created {
            task_id,
            confirmed_by_lookup: true,
        } => format!(
            "{} {name} (task {task_id}; the reply was lost, the look-up found it)",
            style.paint(Paint::Add, "+ created")
        ),
        Outcome::MadeElsewhere { task_id } => format!(
            "{} {name}{}: it was created elsewhere meanwhile; nothing to do",
            style.paint(Paint::Dim, "= exists"),
            task_id
                .as_deref()
                .map(|id| format!(" (task {id})"))
                .unwrap_or_default()
        ),
        Outcome::Failed { error } => {
            let mut line = format!("{} {name}: {error}", style.paint(Paint::Error, "! failed"));
            let mut source = error.source();
            while let Some(cause) = source {
                line.push_str(&format!("\n    Caused by: {cause}"));
                source = cause.source();
            }
            line
        }
        Outcome::Unknown {
            error,
            lookup_error,
        } => format!(
            "{} {name}: {error}; the look-up that would settle it failed too ({lookup_error}); \
             re-run `aicall apply`: it looks the name up before creating anything",
            style.paint(Paint::Warning, "? unknown")
        ),
        Outcome::Skipped => format!(
            "{} {name}: not started (interrupted)",
            style.paint(Paint::Dim, "- skipped")
        ),
    }
}

fn summary(report: &Report, style: Style) -> String {
    let mut parts = vec![format!("{} created", report.created())];
    for (count, label) in [
        (report.made_elsewhere(), "created elsewhere"),
        (report.failed(), "failed"),
        (report.unknown(), "unknown (re-run apply)"),
        (report.skipped(), "skipped"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {label}"));
        }
    }
    let head = if report.success() {
        style.paint(Paint::Add, "Apply complete:")
    } else {
        style.paint(Paint::Error, "Apply incomplete:")
    };
    format!("\n{head} {}.\n", parts.join(", "))
}
