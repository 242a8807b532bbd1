//! Adoption read back: what is written plans as "no changes" against the
//! account it came from, for every status, start, retry and name; what
//! cannot be declared says why.

use jiff::tz::Offset;
use proptest::prelude::*;

use super::*;
use crate::manifest::load_texts;
use crate::manifest::model::{RetryReason, TimeOfDay, Weekday};
use crate::manifest::write::write;
use crate::plan::model::{ScheduledStart, TaskConfig};
use crate::testing::{config, now, window};

const UTC: AdoptOptions = AdoptOptions {
    with_status: false,
    offset: Offset::UTC,
};

fn account(name: &str, id: &str, status: Option<TaskStatus>, config: TaskConfig) -> AccountTask {
    AccountTask {
        observed: ObservedTask {
            task_id: id.to_owned(),
            name: name.to_owned(),
            status,
            config,
        },
        unreadable: Vec::new(),
        unexpressed: Vec::new(),
    }
}

/// Adopts `tasks`, writes them, reads them back and returns what did not
/// plan unchanged, and the text.
fn round_trip(tasks: &[AccountTask], options: AdoptOptions) -> (Vec<String>, String) {
    let adopted = adopt(tasks, options);
    let written = write(&adopted, "s.json");
    if written.declared == 0 {
        // Only comments: no manifest, and `export` writes none.
        return (Vec::new(), written.text);
    }
    let tasks_read = crate::testing::load_valid(&written.text);
    let declared: Vec<&ObservedTask> = tasks
        .iter()
        .zip(&adopted)
        .filter(|(_, a)| a.declared())
        .map(|(t, _)| &t.observed)
        .collect();
    (unchanged(&tasks_read, &declared, now()), written.text)
}

#[test]
fn every_status_plans_unchanged_with_and_without_status() {
    let statuses = [
        Some(TaskStatus::Init),
        Some(TaskStatus::Running),
        Some(TaskStatus::Stopped),
        Some(TaskStatus::Failed),
        Some(TaskStatus::Other(9)),
        None,
    ];
    let tasks: Vec<AccountTask> = statuses
        .iter()
        .enumerate()
        .map(|(i, status)| {
            account(
                &format!("t{i}"),
                &format!("11870000000000000{i}"),
                *status,
                config(),
            )
        })
        .collect();
    for with_status in [false, true] {
        let options = AdoptOptions { with_status, ..UTC };
        let (failed, _) = round_trip(&tasks, options);
        assert_eq!(failed, Vec::<String>::new(), "with_status {with_status}");
    }
    let adopted = adopt(
        &tasks,
        AdoptOptions {
            with_status: true,
            ..UTC
        },
    );
    let declared: Vec<Option<DeclaredStatus>> = adopted.iter().map(|t| t.status).collect();
    use DeclaredStatus::{Running, Stopped};
    assert_eq!(
        declared,
        [
            Some(Running),
            Some(Running),
            Some(Stopped),
            None,
            None,
            None
        ]
    );
    assert_eq!(adopted[3].notes, [Gap::StatusFailed]);
    assert_eq!(adopted[4].notes, [Gap::StatusUnknown { code: 9 }]);
    assert_eq!(adopted[5].notes, [Gap::StatusNotReported]);
    assert!(
        adopt(&tasks, UTC)
            .iter()
            .all(|t| t.status.is_none() && t.notes.is_empty())
    );
}

#[test]
fn a_scheduled_start_is_written_in_the_chosen_offset_and_may_be_past() {
    let mut past = config();
    past.start = Some(Start::Scheduled(ScheduledStart {
        at_ms: now().as_millisecond() - 86_400_000,
        offset_seconds: 0,
    }));
    let mut millis = config();
    millis.start = Some(Start::Scheduled(ScheduledStart {
        at_ms: crate::testing::start_ms() + 250,
        offset_seconds: 0,
    }));
    let tasks = [
        account(
            "past",
            "118700000000000001",
            Some(TaskStatus::Running),
            past,
        ),
        account(
            "millis",
            "118700000000000002",
            Some(TaskStatus::Init),
            millis,
        ),
        account(
            "default",
            "118700000000000003",
            Some(TaskStatus::Init),
            config(),
        ),
    ];
    let eight = AdoptOptions {
        offset: Offset::from_seconds(8 * 3600).expect("an offset"),
        ..UTC
    };
    let (failed, text) = round_trip(&tasks, eight);
    assert!(failed.is_empty(), "{failed:?}");
    assert!(
        text.contains("{ at: \"2030-12-01T09:00:00+08:00\" }"),
        "{text}"
    );
    assert!(
        text.contains("{ at: \"2030-12-01T09:00:00.25+08:00\" }"),
        "{text}"
    );
    let (failed, text) = round_trip(&tasks, UTC);
    assert!(failed.is_empty(), "{failed:?}");
    assert!(text.contains("{ at: \"2030-12-01T01:00:00Z\" }"), "{text}");
}

#[test]
fn what_cannot_be_declared_is_named() {
    let with = |edit: fn(&mut TaskConfig)| {
        let mut c = config();
        edit(&mut c);
        c
    };
    let tasks = [
        account("", "1", Some(TaskStatus::Running), config()),
        account("line\nbreak", "2", Some(TaskStatus::Running), config()),
        account("twin", "3", Some(TaskStatus::Running), config()),
        account("twin", "4", Some(TaskStatus::Running), config()),
        account("no-days", "5", None, with(|c| c.call_days = None)),
        account("no-agent", "6", None, with(|c| c.agent_id = None)),
        account(
            "padded",
            "7",
            None,
            with(|c| c.virtual_number = Some(" 1".to_owned())),
        ),
        account(
            "times",
            "8",
            None,
            with(|c| {
                c.retry = Some(Retry::On {
                    reasons: vec![],
                    times: 0,
                    interval_minutes: 721,
                })
            }),
        ),
        account(
            "overlap",
            "9",
            None,
            with(|c| {
                c.call_windows = Some(vec![
                    window("09:00:00", "12:00:00"),
                    window("11:00:00", "13:00:00"),
                ])
            }),
        ),
        account(
            "epoch",
            "10",
            None,
            with(|c| {
                // Before the API's first instant (0 ms).
                c.start = Some(Start::Scheduled(ScheduledStart {
                    at_ms: -1,
                    offset_seconds: 0,
                }))
            }),
        ),
        account("fine", "11", None, with(|c| c.concurrency = Some(0))),
    ];
    let adopted = adopt(&tasks, UTC);
    let gaps: Vec<(&str, &[Gap])> = adopted
        .iter()
        .map(|t| (t.name.as_str(), t.gaps.as_slice()))
        .collect();
    assert_eq!(
        gaps,
        [
            ("", &[Gap::EmptyName][..]),
            ("line\nbreak", &[Gap::ControlInName]),
            ("twin", &[Gap::DuplicateName { count: 2 }]),
            ("twin", &[Gap::DuplicateName { count: 2 }]),
            (
                "no-days",
                &[Gap::NotReported {
                    field: Field::CallDays
                }]
            ),
            (
                "no-agent",
                &[Gap::NotReported {
                    field: Field::AgentId
                }]
            ),
            (
                "padded",
                &[Gap::PaddedId {
                    field: Field::VirtualNumber
                }]
            ),
            (
                "times",
                &[
                    Gap::RetryWithoutReasons,
                    Gap::OutOfRange {
                        field: Field::RetryTimes,
                        value: 0,
                        min: 1,
                        max: 3
                    },
                    Gap::OutOfRange {
                        field: Field::RetryIntervalMinutes,
                        value: 721,
                        min: 1,
                        max: 720
                    },
                ]
            ),
            ("overlap", &[Gap::OverlappingWindows]),
            (
                "epoch",
                &[Gap::Unexpressible {
                    field: Field::Start
                }]
            ),
            ("fine", &[]),
        ]
    );
    assert_eq!(adopted[10].notes, [Gap::ConcurrencyUnmanaged { value: 0 }]);
    let mut unreadable = account("unreadable", "12", None, with(|c| c.retry = None));
    unreadable.unreadable = vec![Field::Retry];
    assert_eq!(
        adopt(&[unreadable], UTC)[0].gaps,
        [Gap::Unexpressible {
            field: Field::Retry
        }]
    );
    let (failed, _) = round_trip(&tasks, UTC);
    assert!(failed.is_empty(), "{failed:?}");
}

#[test]
fn a_spec_that_differs_is_caught() {
    let task = account("t", "1", Some(TaskStatus::Running), config());
    let adopted = adopt(std::slice::from_ref(&task), UTC);
    let written = write(&adopted, "s.json");
    let text = written.text.replace("times: 2", "times: 3");
    let loaded = load_texts(vec![("e.yaml".into(), text)], &|_| None);
    assert_eq!(unchanged(&loaded.tasks, &[&task.observed], now()), ["t"]);
    assert_eq!(unchanged(&[], &[&task.observed], now()), ["t"]);
}

fn time_of_day() -> impl Strategy<Value = TimeOfDay> {
    (0u32..24, 0u32..60, prop_oneof![Just(0u32), 0u32..60])
        .prop_map(|(h, m, s)| TimeOfDay::new(h, m, s).expect("a time"))
}

/// Sorted, non-overlapping windows, with and without seconds.
fn windows() -> impl Strategy<Value = Vec<Window>> {
    prop::collection::btree_set(time_of_day(), 2..=8)
        .prop_map(|times| {
            let times: Vec<TimeOfDay> = times.into_iter().collect();
            times
                .chunks_exact(2)
                .map(|pair| Window {
                    start: pair[0],
                    end: pair[1],
                })
                .collect()
        })
        .prop_filter("at least one window", |w: &Vec<Window>| !w.is_empty())
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,12}",
        "[ -~]{1,12}",
        "\\PC{1,8}",
        "[a\\x00-\\x1f\\x7f]{1,4}",
        prop::sample::select(vec![
            "yes", "null", "123", "1e3", "- a", "a: b", "#x", " x ", "${X}", "\"q\"", "\\", "📞",
            "续费"
        ])
        .prop_map(str::to_owned),
    ]
}

fn observed_config() -> impl Strategy<Value = TaskConfig> {
    (
        prop::option::of(0i64..2_000_000_000_000),
        prop::option::of(1u32..=500),
        prop::sample::subsequence(Weekday::ALL.to_vec(), 1..=7),
        windows(),
        prop::option::of((
            prop::sample::subsequence(RetryReason::ALL.to_vec(), 1..=7),
            1u32..=3,
            1u32..=720,
        )),
        any::<bool>(),
    )
        .prop_map(
            |(start, concurrency, days, windows, retry, off)| TaskConfig {
                agent_id: Some(
                    if off {
                        "118012345678901234"
                    } else {
                        "118012345678905555"
                    }
                    .to_owned(),
                ),
                virtual_number: Some("0327121220001".to_owned()),
                start: Some(match start {
                    Some(ms) => Start::Scheduled(ScheduledStart {
                        at_ms: ms + 1,
                        offset_seconds: 0,
                    }),
                    None => Start::Immediate,
                }),
                concurrency,
                call_days: Some(days),
                call_windows: Some(windows),
                retry: Some(match retry {
                    Some((reasons, times, interval_minutes)) => Retry::On {
                        reasons,
                        times,
                        interval_minutes,
                    },
                    None => Retry::Off,
                }),
            },
        )
}

fn status() -> impl Strategy<Value = Option<TaskStatus>> {
    prop::sample::select(vec![
        Some(TaskStatus::Init),
        Some(TaskStatus::Running),
        Some(TaskStatus::Stopped),
        Some(TaskStatus::Failed),
        None,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any account adopted, written and read back plans as no changes.
    #[test]
    fn any_account_round_trips(
        tasks in prop::collection::vec((name(), status(), observed_config()), 1..12),
        with_status in any::<bool>(),
        offset_hours in -12i32..=14,
    ) {
        let tasks: Vec<AccountTask> = tasks
            .into_iter()
            .enumerate()
            .map(|(i, (name, status, config))| account(&name, &format!("1187{i:014}"), status, config))
            .collect();
        let options = AdoptOptions {
            with_status,
            offset: Offset::from_seconds(offset_hours * 3600).expect("an offset"),
        };
        let (failed, text) = round_trip(&tasks, options);
        prop_assert!(failed.is_empty(), "{failed:?}\n{text}");
    }
}
