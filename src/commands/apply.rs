//! `aicall apply`: create what the plan says is missing, exactly once.
//!
//! The plan is computed (or loaded from `--plan` and checked for staleness)
//! and printed first. On a terminal the user confirms with `yes`; without
//! one, `--auto-approve` is required. The executor then runs the creates,
//! each reported as it finishes, and a summary closes the run. All the
//! words come from `crate::render::apply`.
//!
//! With `--format json`, stdout holds only JSON lines
//! (`crate::render::apply_json`): the format line first, a line per step as
//! it finishes, the summary last, whatever happens in between; the plan and
//! every other word for people go to stderr. With `GITHUB_STEP_SUMMARY`
//! set, the outcomes are appended to the job summary.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use crate::account::{self, AccountWriter};
use crate::api::Endpoint;
use crate::apply::{self, Cancellation, Level, Report};
use crate::cli::ApplyFormat;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::plan::check::{self, Mismatch};
use crate::plan::model::{DesiredTask, Plan};
use crate::plan::saved::SavedPlan;
use crate::plan::target::Targets;
use crate::render::apply::{self as words, NoPrompt};
use crate::render::apply_json;
use crate::render::{outcome, plan_errors, text};
use crate::settings::{self, Account, ApplySource, Connection, Manifests, Output};

use super::apply_report::{self, Applied, Ended, Progress};
use super::interrupt::Interrupts;
use super::plan::{load_desired, make_plan, text_options};
use super::session::{LOCAL_PREFIX, Session, shown_endpoint};
use super::{eprint, print, step_summary};

/// Runs `aicall apply`.
pub fn run(settings: &settings::Apply, output: &Output) -> Result<ExitStatus, Error> {
    let json = settings.format == ApplyFormat::Json;
    if json {
        print(&apply_json::render(&apply_json::format_line()))?;
    }
    let ended = match &settings.source {
        ApplySource::Manifests(manifests) => apply_manifests(manifests, settings, output),
        ApplySource::Saved(path) => apply_saved(path, settings, output),
    };
    let ended = match ended {
        Ok(ended) => ended,
        Err(err) => {
            // The last line is the summary whatever happened; the error
            // itself goes to stderr, as always.
            if json {
                let ended = Ended {
                    status: err.exit_status(),
                    applied: None,
                };
                let _ = print(&apply_json::render(&ended.summary_line()));
            }
            return Err(err);
        }
    };
    if json {
        print(&apply_json::render(&ended.summary_line()))?;
    }
    step_summary::append(settings.step_summary.as_deref(), output, |room| {
        ended.job_summary(room)
    });
    Ok(ended.status)
}

/// `apply [PATH...]`: a plan made now, of the tasks `--target` selects.
fn apply_manifests(
    manifests: &Manifests,
    settings: &settings::Apply,
    output: &Output,
) -> Result<Ended, Error> {
    let Some(desired) = load_desired(manifests, output)? else {
        return Ok(Ended::not_applied());
    };
    let targets = settings.targets.clone().unwrap_or_default();
    let desired = targets.select(desired)?;
    super::runtime()?.block_on(async {
        let session = Session::open(&settings.connection).await?;
        let ended = async {
            let Some(plan) = fresh_plan(
                &session,
                settings,
                output,
                &desired,
                settings.allow_restart,
                &targets,
            )
            .await?
            else {
                return Ok(Ended::not_applied());
            };
            execute(&session, settings, output, &plan, manifests.reads_stdin()).await
        }
        .await;
        session.close().await?;
        ended
    })
}

/// `apply --plan FILE`: a saved plan is a claim, not an authority. It is
/// checked against the manifests it names (re-read and re-validated), the
/// endpoint and credentials of this run and its seal before any request,
/// then against the account; what runs is the plan made now, which the
/// checks proved equal to the one reviewed (`crate::plan::check`).
fn apply_saved(path: &Path, settings: &settings::Apply, output: &Output) -> Result<Ended, Error> {
    let saved = read_plan_file(path)?;
    let refuse = |mismatches: &[Mismatch]| -> Result<Ended, Error> {
        eprint(&words::refused(path, mismatches, output.stderr))?;
        Ok(Ended::not_applied())
    };
    let unsafe_paths = check::uncontained_paths(&saved);
    if !unsafe_paths.is_empty() {
        return refuse(&unsafe_paths);
    }
    let manifests = Manifests {
        paths: saved.paths.iter().map(PathBuf::from).collect(),
    };
    let Some(desired) = load_desired(&manifests, output)? else {
        return Ok(Ended::not_applied());
    };
    let (targets, desired) = match check::targeted(&saved, settings.targets.as_ref(), desired) {
        Ok(targeted) => targeted,
        Err(mismatch) => return refuse(&[mismatch]),
    };
    let mut mismatches = check::verify(&saved, &desired);
    if saved.plan.summary.restart > 0 && !settings.allow_restart {
        mismatches.push(Mismatch::RestartNotAllowed);
    }
    if !mismatches.is_empty() {
        return refuse(&mismatches);
    }
    let connection = match connection_for(&saved, &settings.connection)? {
        Ok(connection) => connection,
        Err(mismatch) => return refuse(&[mismatch]),
    };

    super::runtime()?.block_on(async {
        let session = Session::open(&connection).await?;
        let status = async {
            let key = &session.seal_key;
            let mismatches = check::verify_target(&saved, &session.target, key);
            if !mismatches.is_empty() {
                return refuse(&mismatches);
            }
            let Some(fresh) = fresh_plan(
                &session,
                settings,
                output,
                &desired,
                saved.plan.allow_restart,
                &targets,
            )
            .await?
            else {
                return Ok(Ended::not_applied());
            };
            let stale = check::check(&saved, &fresh);
            if !stale.is_empty() {
                eprint(&words::stale(path, &stale, output.stderr))?;
                return Ok(Ended::not_applied());
            }
            execute(&session, settings, output, &fresh, false).await
        }
        .await;
        session.close().await?;
        status
    })
}

/// Where a saved plan is applied: where it was made, unless the command
/// line names a place, which must then be that one.
fn connection_for(
    saved: &SavedPlan,
    given: &Connection,
) -> Result<Result<Connection, Mismatch>, Error> {
    let planned = &saved.plan.target.endpoint;
    if given.account_given {
        let current = shown_endpoint(&given.account);
        if &current != planned {
            return Ok(Err(Mismatch::Endpoint {
                planned: planned.clone(),
                current,
            }));
        }
        return Ok(Ok(given.clone()));
    }
    let account = match planned.strip_prefix(LOCAL_PREFIX) {
        // The embedded emulator reads and writes its state file: the plan
        // must not point it anywhere but inside this directory.
        Some(state) if !check::path_is_contained(state) => {
            return Ok(Err(Mismatch::Path {
                path: state.to_owned(),
            }));
        }
        Some(state) => Account::Local {
            state_file: PathBuf::from(state),
        },
        None => Account::Remote {
            endpoint: Endpoint::parse(planned)?,
            profile: match &given.account {
                Account::Remote { profile, .. } => profile.clone(),
                Account::Local { .. } => None,
            },
        },
    };
    Ok(Ok(Connection {
        account,
        ..given.clone()
    }))
}

/// Reads the account and builds a plan of `desired`, printing why when
/// none can be made.
async fn fresh_plan(
    session: &Session,
    settings: &settings::Apply,
    output: &Output,
    desired: &[DesiredTask],
    allow_restart: bool,
    targets: &Targets,
) -> Result<Option<Plan>, Error> {
    match make_plan(
        session,
        desired,
        &settings.connection,
        settings.listing.show_unmanaged,
        allow_restart,
        targets,
        output,
    )
    .await?
    {
        Ok(plan) => Ok(Some(plan)),
        Err(errors) => {
            eprint(&plan_errors::render(&errors, output.stderr))?;
            Ok(None)
        }
    }
}

/// Prints `plan`, asks, and runs its steps.
async fn execute(
    session: &Session,
    settings: &settings::Apply,
    output: &Output,
    plan: &Plan,
    reads_stdin: bool,
) -> Result<Ended, Error> {
    // JSON: stdout is for JSON lines only; the words go to stderr.
    let json = settings.format == ApplyFormat::Json;
    let say = |text: &str| if json { eprint(text) } else { print(text) };
    let style = if json { output.stderr } else { output.stdout };
    say(&text::render_plan(
        plan,
        text_options(settings.listing),
        style,
    ))?;
    let jobs = account::jobs(plan);
    let blocked = plan.summary.blocked;
    let entries = apply_report::entries(plan);
    let ended = |status, report, entries| Ended {
        status,
        applied: Some(Applied {
            report,
            blocked,
            entries,
        }),
    };
    if jobs.is_empty() {
        if blocked > 0 {
            say(&outcome::summary(&Report::default(), blocked, style))?;
            return Ok(ended(ExitStatus::Failure, Report::default(), entries));
        }
        say(outcome::nothing_to_do())?;
        return Ok(ended(ExitStatus::Success, Report::default(), entries));
    }
    if !settings.auto_approve {
        if !confirm(plan, output, reads_stdin)? {
            return Ok(Ended::not_applied());
        }
        // Time spent answering the prompt is not the API's.
        session.client.restart_deadline();
    }

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
    if !json {
        print("\n")?;
    }
    let progress = Progress::new(entries, jobs.len(), output, json);
    let report = apply::execute(&writer, jobs, settings.parallelism, &cancel, &|event| {
        progress.on(event)
    })
    .await;
    let entries = progress.finish();
    watcher.abort();

    say(&outcome::summary(&report, blocked, style))?;
    let status = if report.abandoned() > 0 {
        ExitStatus::Interrupted
    } else if report.success() && blocked == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    };
    Ok(ended(status, report, entries))
}

/// Asks on the terminal; refuses without one.
fn confirm(plan: &Plan, output: &Output, reads_stdin: bool) -> Result<bool, Error> {
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
    let creates = plan.creates().count();
    let only_creates = plan.actions().count() == creates;
    eprint(&if only_creates {
        words::prompt(creates)
    } else {
        words::prompt_changes(plan)
    })?;
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
