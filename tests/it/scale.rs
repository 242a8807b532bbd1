//! The request budget of a plan (issue 5, "# 4 · Scale"), at a size small
//! enough for the suite: requests ≤ min(⌈T/PageSize⌉, M) + E + 1 for T
//! account tasks, M manifest tasks and E of them existing, whichever
//! strategy the account's size calls for; and an apply that sends exactly
//! one create per missing task. The timings live in `benches/scale.rs`.

use crate::common::cloud::{Cloud, base, plain_manifest};
use crate::common::harness::workspace;

const ACCOUNT: usize = 120;
const PAGE_SIZE: u64 = 10;

/// An account of [`ACCOUNT`] tasks, `existing` of them named `task-NNN`.
async fn account(existing: usize) -> Cloud {
    let cloud = Cloud::start().await;
    let mut tasks: Vec<_> = (0..existing)
        .map(|i| base(&format!("task-{i:03}")))
        .collect();
    tasks.extend((existing..ACCOUNT).map(|i| base(&format!("other-{i:03}"))));
    cloud.seed(tasks).await;
    cloud
}

fn manifest(count: usize) -> String {
    let names: Vec<String> = (0..count).map(|i| format!("task-{i:03}")).collect();
    plain_manifest(&names.iter().map(String::as_str).collect::<Vec<_>>())
}

fn bound(manifest_tasks: u64, existing: u64) -> u64 {
    (ACCOUNT as u64).div_ceil(PAGE_SIZE).min(manifest_tasks) + existing + 1
}

async fn plan(cloud: &Cloud, manifest_tasks: usize) -> u64 {
    let output = cloud
        .run(workspace(&manifest(manifest_tasks)).args(["plan", "tasks.yaml", "--page-size", "10"]))
        .await;
    output.assert_code(0);
    cloud.stats().requests
}

#[tokio::test(flavor = "multi_thread")]
async fn many_manifest_tasks_list_every_page_within_the_budget() {
    // 12 pages are cheaper than 40 look-ups.
    let cloud = account(20).await;
    let requests = plan(&cloud, 40).await;
    assert!(requests <= bound(40, 20), "{requests} > {}", bound(40, 20));
    assert_eq!(cloud.stats().action("QueryAiCallTaskPage"), 12);
    assert_eq!(cloud.stats().action("QueryAiCallTaskDetail"), 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn few_manifest_tasks_are_looked_up_within_the_budget() {
    // 5 look-ups are cheaper than 11 more pages.
    let cloud = account(3).await;
    let requests = plan(&cloud, 5).await;
    assert!(requests <= bound(5, 3), "{requests} > {}", bound(5, 3));
    assert_eq!(cloud.stats().action("QueryAiCallTaskPage"), 1 + 5);
    assert_eq!(cloud.stats().action("QueryAiCallTaskDetail"), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_sends_one_create_per_missing_task_and_nothing_more() {
    let cloud = account(10).await;
    let output = cloud
        .run(workspace(&manifest(40)).args([
            "apply",
            "tasks.yaml",
            "--auto-approve",
            "--parallelism",
            "8",
            "--page-size",
            "10",
        ]))
        .await;
    output.assert_code(0);
    let stats = cloud.stats();
    assert_eq!(stats.action("CreateAiCallTask"), 30, "{stats:?}");
    // The plan's budget plus the creates: no look-up, no retry.
    assert_eq!(stats.requests, bound(40, 10) - 1 + 30, "{stats:?}");
}
