//! A plan's entries as the executor's jobs: each step with the API request
//! it sends, and for an existing task what the plan saw of it.

use crate::api::{CreateTask, TaskId, UpdateTask};
use crate::apply::{Expect, Job, TaskStep, Update, Work};
use crate::plan::model::{Plan, Step, TaskEntry};

use super::mapping::{create_request, update_request};

/// The jobs of every entry of `plan` that has steps, in plan order.
pub fn jobs(plan: &Plan) -> Vec<Job<CreateTask, UpdateTask>> {
    plan.actions().filter_map(job).collect()
}

fn job(entry: &TaskEntry) -> Option<Job<CreateTask, UpdateTask>> {
    let work = if entry.steps.first() == Some(&Step::Create) {
        Work::Create {
            request: create_request(&entry.name, &entry.desired),
            then_stop: entry.steps.contains(&Step::Stop),
        }
    } else {
        // An entry that acts on an existing task records the task as it
        // saw it (the builder keeps `account` whenever there are steps).
        let task_id = entry.task_id.clone()?;
        let account = entry.account.clone()?;
        let id = TaskId::new(task_id.as_str()).ok()?;
        let steps = entry
            .steps
            .iter()
            .map(|step| match step {
                Step::Stop => TaskStep::Stop,
                Step::Start => TaskStep::Start,
                Step::Update | Step::Create => TaskStep::Update(Update {
                    request: update_request(&id, &entry.name, &entry.desired, &account),
                    name: entry.name.clone(),
                    config: entry.desired.clone(),
                }),
            })
            .collect();
        Work::Existing {
            task_id,
            expect: Expect {
                name: entry
                    .renamed_from
                    .clone()
                    .unwrap_or_else(|| entry.name.clone()),
                status: entry.status?,
                config: account,
            },
            steps,
        }
    };
    Some(Job {
        name: entry.name.clone(),
        work,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::build::build;
    use crate::plan::model::TaskStatus;
    use crate::testing::{desired, inputs, observed, scheduled};

    #[test]
    fn every_entry_with_steps_becomes_a_job_with_its_requests() {
        let mut quiet = desired("quiet", 1);
        quiet.status = Some(crate::plan::model::DeclaredStatus::Stopped);
        quiet.config.start = Some(scheduled());
        let changed = desired("changed", 2);
        let same = desired("same", 3);
        let mut account = observed(&changed, "118700000000000002");
        account.config.concurrency = Some(7);
        account.status = Some(TaskStatus::Running);
        let observed_tasks = [account, observed(&same, "118700000000000003")];
        let desired_tasks = [quiet, changed, same];
        let mut input = inputs(&desired_tasks, &observed_tasks, 0);
        input.allow_restart = true;
        let plan = build(input).expect("plan");
        let jobs = jobs(&plan);
        assert_eq!(jobs.len(), 2, "the unchanged task has no job");
        assert!(matches!(
            &jobs[0].work,
            Work::Create { then_stop: true, request } if request.settings.task_name == "quiet"
        ));
        let Work::Existing {
            task_id,
            expect,
            steps,
        } = &jobs[1].work
        else {
            panic!("an existing task's job");
        };
        assert_eq!(task_id, "118700000000000002");
        assert_eq!(expect.status, TaskStatus::Running);
        assert_eq!(expect.config.concurrency, Some(7));
        let kinds: Vec<Step> = steps.iter().map(TaskStep::step).collect();
        assert_eq!(kinds, [Step::Stop, Step::Update, Step::Start]);
        let TaskStep::Update(update) = &steps[1] else {
            panic!("the update");
        };
        assert_eq!(update.request.settings.task_cps, Some(50));
    }
}
