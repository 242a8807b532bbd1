//! The writer's output read back by the project's own reader: every task
//! comes back as it went in, and the text looks hand-written.

use super::*;
use crate::manifest::model::{RetryReason, Scheduled, TaskSpec};
use crate::testing::load_valid;

fn time(text: &str) -> TimeOfDay {
    text.parse().expect("a time")
}

fn window(start: &str, end: &str) -> Window {
    Window {
        start: time(start),
        end: time(end),
    }
}

fn task(name: &str) -> Task {
    Task {
        name: name.to_owned(),
        task_id: "118700000000000001".to_owned(),
        agent_id: Some("118012345678901234".to_owned()),
        virtual_number: Some("0327121220001".to_owned()),
        start: Some(Start::Immediate),
        concurrency: None,
        call_days: Some(vec![Weekday::Monday, Weekday::Friday]),
        call_windows: Some(vec![window("09:00", "12:00"), window("14:00", "18:00:30")]),
        retry: None,
        status: None,
        notes: Vec::new(),
        gaps: Vec::new(),
    }
}

fn scheduled(written: &str) -> Start {
    Start::At(Scheduled {
        at: crate::instant::Instant::parse(written).expect("a timestamp"),
        written: written.to_owned(),
    })
}

#[track_caller]
fn assert_same(spec: &TaskSpec, task: &Task) {
    assert_eq!(spec.name, task.name);
    assert_eq!(Some(&spec.agent_id), task.agent_id.as_ref());
    assert_eq!(Some(&spec.virtual_number), task.virtual_number.as_ref());
    assert_eq!(Some(&spec.start), task.start.as_ref());
    assert_eq!(spec.concurrency, task.concurrency);
    assert_eq!(Some(&spec.call_days), task.call_days.as_ref());
    assert_eq!(Some(&spec.call_windows), task.call_windows.as_ref());
    assert_eq!(spec.retry, task.retry);
    assert_eq!(spec.status, task.status);
}

#[test]
fn shared_values_go_to_defaults_and_documents_follow_agents() {
    let retry = Retry {
        reasons: vec![RetryReason::UserBusy, RetryReason::NoAnswer],
        times: 2,
        interval_minutes: 30,
    };
    let mut b = task("b-second");
    b.retry = Some(retry.clone());
    b.concurrency = Some(50);
    b.start = Some(scheduled("2035-12-01T09:00:00+08:00"));
    b.status = Some(DeclaredStatus::Stopped);
    let mut a = task("a-first");
    a.retry = Some(retry);
    let mut other = task("other-agent");
    other.agent_id = Some("118012345678905555".to_owned());
    other.virtual_number = Some("02161230000".to_owned());
    let tasks = vec![b, other, a];
    let written = write(&tasks, "../schemas/aicall-manifest.schema.json");
    insta::assert_snapshot!(written.text);
    assert_eq!(
        (written.documents, written.declared, written.commented),
        (2, 3, 0)
    );
    let specs = load_valid(&written.text);
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a-first", "b-second", "other-agent"]);
    for spec in &specs {
        let task = tasks.iter().find(|t| t.name == spec.name).expect("a task");
        assert_same(spec, task);
    }
}

#[test]
fn awkward_names_read_back_exactly_through_the_manifest_reader() {
    let tasks: Vec<Task> = scalar::tests::AWKWARD
        .iter()
        .filter(|name| !name.chars().any(char::is_control))
        .map(|name| task(name))
        .collect();
    let written = write(&tasks, "s.json");
    let specs = load_valid(&written.text);
    let mut want: Vec<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
    want.sort_unstable();
    let got: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(got, want);
}

#[test]
fn a_task_that_cannot_be_declared_is_written_commented_out() {
    let mut broken = task("broken");
    broken.call_windows = None;
    broken.gaps = vec![Gap::NotReported {
        field: Field::CallWindows,
    }];
    let mut lonely = task("lonely\nname");
    lonely.agent_id = Some("9".to_owned());
    lonely.gaps = vec![Gap::ControlInName];
    let mut noted = task("noted");
    noted.notes = vec![Gap::Unexpressed {
        settings: vec![("CallExpireType".to_owned(), "1".to_owned())],
    }];
    let written = write(&[broken, lonely, noted], "s.json");
    insta::assert_snapshot!(written.text);
    assert_eq!((written.declared, written.commented), (1, 2));
    let specs = load_valid(&written.text);
    assert_eq!(specs.len(), 1);
    assert_eq!(specs[0].name, "noted");
}
