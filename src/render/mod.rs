//! Everything a person or a program reads: diagnostics, plans, summaries.
//!
//! Renderers turn values into text. They never call the API and never
//! decide colour themselves: they receive a [`style::Style`].
pub mod diagnostics;
pub mod json;
pub mod markdown;
pub mod style;
pub mod text;

#[cfg(test)]
pub(crate) mod tests {
    //! Snapshots of one representative plan in every format: creates (one
    //! Chinese name, one scheduled with retry), a drift touching a list, a
    //! long value and the retry policy, unchanged tasks, unmanaged tasks.
    use crate::plan::build::tests::{desired, now, observed, target};
    use crate::plan::build::{Inputs, build};
    use crate::plan::model::{Plan, Retry, StartConfig, UnmanagedTask};

    use super::style::Style;
    use super::text::TextOptions;

    pub(crate) fn sample_plan() -> Plan {
        let immediate = desired("续费提醒-2026-12", 9);
        let mut scheduled = desired("renewal-reminder-december", 16);
        scheduled.config.start = Some(StartConfig::Scheduled {
            at: "2030-12-01T09:00:00+08:00".to_owned(),
            at_ms: "2030-12-01T01:00:00Z"
                .parse::<jiff::Timestamp>()
                .expect("timestamp")
                .as_millisecond(),
        });
        scheduled.config.retry = Some(Retry::On {
            reasons: vec!["USER_BUSY".to_owned(), "NO_ANSWER".to_owned()],
            times: 2,
            interval_minutes: 30,
        });
        scheduled.config.concurrency = None;
        let drifted = desired("winback-q1", 24);
        let same_a = desired("onboarding-day-1", 30);
        let same_b = desired("onboarding-day-7", 36);

        let mut drifted_now = observed(&drifted, "118700000000000012");
        drifted_now.config.call_days = Some(vec!["MONDAY".to_owned(), "SATURDAY".to_owned()]);
        drifted_now.config.agent_id = Some("118012345678909999".to_owned());
        drifted_now.config.concurrency = Some(80);
        drifted_now.config.retry = Some(Retry::On {
            reasons: vec!["NO_ANSWER".to_owned()],
            times: 1,
            interval_minutes: 60,
        });
        let mut same_b_now = observed(&same_b, "118700000000000031");
        same_b_now.config.virtual_number = None;
        let observed = [
            drifted_now,
            observed(&same_a, "118700000000000030"),
            same_b_now,
        ];
        let desired = [immediate, scheduled, drifted, same_a, same_b];
        build(Inputs {
            desired: &desired,
            observed: &observed,
            unmanaged_count: 1,
            unmanaged: Some(vec![UnmanagedTask {
                task_id: "118700000000000001".to_owned(),
                name: "legacy | 老任务".to_owned(),
                status: Some("STOPPED".to_owned()),
            }]),
            target: target(),
            now: now(),
        })
        .expect("sample plan builds")
    }

    #[test]
    fn text_default() {
        let plan = sample_plan();
        insta::assert_snapshot!(super::text::render_plan(
            &plan,
            TextOptions::default(),
            Style::plain()
        ));
    }

    #[test]
    fn text_verbose_with_unmanaged() {
        let plan = sample_plan();
        insta::assert_snapshot!(super::text::render_plan(
            &plan,
            TextOptions {
                verbose: true,
                show_unmanaged: true
            },
            Style::plain()
        ));
    }

    #[test]
    fn json() {
        insta::assert_snapshot!(super::json::render_plan(&sample_plan()));
    }

    #[test]
    fn markdown() {
        insta::assert_snapshot!(super::markdown::render_plan(&sample_plan()));
    }
}
