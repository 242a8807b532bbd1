//! Scale benchmarks: plan and apply near the round-trip limit.
//!
//! `cargo bench --bench scale` (release build). Prints figures; judges
//! nothing. Every API scenario runs the real `aicall` binary against the
//! emulator started in this process with 20 ms of added latency per
//! request, so the physical limit is the number of round trips:
//! floor = ⌈requests ÷ parallelism⌉ × latency (a lower bound: a request
//! cannot start before the reply it depends on).
//!
//! 1. validate: 10,000 tasks in 100 files: wall time, peak memory.
//! 2. plan: account of 10,000 tasks; manifests of 1,000 (500 there and
//!    unchanged, 500 new): requests, wall time, floor, peak memory.
//! 3. plan: account of 10,000 tasks; manifests of 10: must look names up,
//!    not list 100 pages.
//! 4. apply: create 1,000 tasks at `--parallelism 8`: wall time against
//!    the floor, requests per task.
//! 5. render: a 10,000-task plan as text, JSON and Markdown.
//!
//! Scenarios 2–4 are round 1's: the quota is not the limit (the emulator
//! has none) and `--rate-limit 10000` says so, which also starts pacing
//! there; PageSize is raised to the emulator's 100.
//!
//! Issue 10's scenarios run with the client's defaults, no flags at all,
//! against the emulator's quotas (`--quota`, `--quota-for`), and print
//! requests and throttles per operation, wall time, the quota floor and
//! the ratio:
//!
//! 6. plan as in 2 (10,000 in the account, 1,000 in the manifests, 500
//!    new) at `--quota 100`: target ≤ 1.3× the floor, ≤ 5 % throttled,
//!    < 200 MiB;
//! 7. the same at `--quota 20`, below the default start rate of reads:
//!    ≤ 1.5× the floor, ≤ 10 % throttled;
//! 8. apply creating 300 tasks (account of 10,000) at `--quota 100
//!    --quota-for CreateAiCallTask=20`: ≤ 1.5× the floor, ≤ 10 %
//!    throttled, no duplicate.
//!
//! The quota floor of a phase is its largest per-operation count of
//! admitted requests ÷ that operation's quota, plus the round trips no
//! client can avoid: the first page before anything else, and the last
//! request's own. Apply's two phases (read the account, then create)
//! follow each other, so their floors add up.
//!
//! `AICALL_BENCH_RUNS=N` repeats each binary scenario N times (default 3)
//! and prints the best and the median; `AICALL_BENCH_ONLY=6,7` runs only
//! the scenarios listed.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// Each benchmark reads the parts of a run it needs.
#[allow(dead_code)]
mod measure;

use measure::{
    ACCOUNT, LATENCY, PAGE_SIZE, PARALLELISM, RATE_LIMIT, Run, connection, median_by_wall, mib,
    rounds, run_binary, start_emulator, summarise,
};

use aicall::emulator::{Emulator, EmulatorStats, NewTask, Operation, Quotas};
use aicall::manifest::model::{RetryReason, TimeOfDay, Weekday, Window};
use aicall::plan::build::{Inputs, build};
use aicall::plan::model::{
    DesiredTask, ObservedTask, Retry, ScheduledStart, Source, Start, Target, TaskConfig, TaskStatus,
};
use aicall::render::style::Style;
use aicall::render::text::TextOptions;

fn main() {
    let runs = measure::runs();
    let runtime = measure::runtime();
    println!(
        "aicall scale benchmarks: emulator latency {} ms, {runs} runs each\n",
        LATENCY.as_millis()
    );

    let only: Vec<usize> = std::env::var("AICALL_BENCH_ONLY")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_default();
    let wanted = |n: usize| only.is_empty() || only.contains(&n);
    if wanted(1) {
        validate(runs);
    }
    if wanted(2) {
        runtime.block_on(plan_many(runs));
    }
    if wanted(3) {
        runtime.block_on(plan_few(runs));
    }
    if wanted(4) {
        runtime.block_on(apply_many(runs));
    }
    if wanted(5) {
        render();
    }
    if wanted(6) {
        runtime.block_on(plan_at_quota(runs, 6, 100));
    }
    if wanted(7) {
        runtime.block_on(plan_at_quota(runs, 7, 20));
    }
    if wanted(8) {
        runtime.block_on(apply_at_quota(runs));
    }
}

/// Wall time against both floors, and peak memory.
fn print_timing(
    best: Duration,
    median: Duration,
    peak: Option<u64>,
    floor: Duration,
    chained: Duration,
    phases: &str,
) {
    let ratio = |floor: Duration| best.as_secs_f64() / floor.as_secs_f64();
    println!(
        "   wall {} best, {} median; floor {} (ratio {:.2}); peak memory {}",
        secs(best),
        secs(median),
        secs(floor),
        ratio(floor),
        mib(peak)
    );
    println!(
        "   floor with phases chained ({phases}) {} (ratio {:.2})",
        secs(chained),
        ratio(chained)
    );
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// A manifest task that matches `NewTask::example` exactly, so seeded tasks
/// of the same name are unchanged.
fn task_yaml(out: &mut String, name: &str) {
    let _ = writeln!(out, "  - name: {name}");
}

/// Writes `names` as manifests, `per_file` tasks per file.
fn write_manifests(dir: &Path, names: &[String], per_file: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for (i, chunk) in names.chunks(per_file).enumerate() {
        let mut text = String::from(
            "version: 1\n\
             defaults:\n\
             \x20 agentId: \"1180123456789012345\"\n\
             \x20 virtualNumber: \"0327121220001\"\n\
             \x20 start: immediate\n\
             \x20 concurrency: 10\n\
             \x20 callDays: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]\n\
             \x20 callWindows:\n\
             \x20   - { start: \"09:00\", end: \"12:00\" }\n\
             tasks:\n",
        );
        for name in chunk {
            task_yaml(&mut text, name);
        }
        std::fs::write(dir.join(format!("campaign-{i:03}.yaml")), text).unwrap();
    }
}

fn seeded(name: &str) -> NewTask {
    let mut task = NewTask::example(name);
    task.config.miss_call_retry = Some(false);
    task
}

/// An emulator with latency, holding `managed` (named) tasks and enough
/// unrelated ones to make `ACCOUNT` in all.
async fn account(managed: &[String]) -> Emulator {
    account_with(managed, Quotas::default()).await
}

/// [`account`] with `quotas`.
async fn account_with(managed: &[String], quotas: Quotas) -> Emulator {
    let emulator = start_emulator(LATENCY, quotas).await;
    let mut tasks: Vec<NewTask> = (0..ACCOUNT - managed.len())
        .map(|i| seeded(&format!("unrelated-{i:05}")))
        .collect();
    tasks.extend(managed.iter().map(|n| seeded(n)));
    emulator.seed(tasks).await.unwrap();
    emulator
}

fn names(prefix: &str, range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("{prefix}-{i:05}")).collect()
}

/// The floor: round trips ÷ parallelism × latency.
fn floor(requests: u64, parallelism: u32) -> Duration {
    rounds(&[requests], parallelism, LATENCY)
}

fn validate(runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    write_manifests(dir.path(), &names("续费提醒", 0..10_000), 100);
    let mut measured: Vec<Run> = (0..runs)
        .map(|_| run_binary(dir.path(), &["validate", "."], &[]))
        .collect();
    let (best, median, peak) = summarise(&mut measured);
    println!("1. validate: 10,000 tasks in 100 files");
    println!(
        "   wall {} best, {} median; peak memory {}",
        secs(best),
        secs(median),
        mib(peak)
    );
    println!("   target: < 0.250 s, < 80 MiB\n");
}

async fn plan_many(runs: usize) {
    let existing = names("task", 0..500);
    let all = names("task", 0..1_000);
    let dir = tempfile::tempdir().unwrap();
    write_manifests(&dir.path().join("m"), &all, 100);
    let mut measured = Vec::new();
    let mut requests = 0;
    for _ in 0..runs {
        let emulator = account(&existing).await;
        let env = connection(&emulator);
        let path = dir.path().to_path_buf();
        let run = tokio::task::spawn_blocking(move || {
            run_binary(&path, &plan_args("m", "--format", "json"), &env)
        })
        .await
        .unwrap();
        requests = emulator.stats().requests;
        assert!(
            run.stdout.contains("\"create\": 500"),
            "unexpected plan: {}{}",
            &run.stdout[..run.stdout.len().min(3000)],
            run.stderr
        );
        measured.push(run);
        emulator.shutdown().await.unwrap();
    }
    let (best, median, peak) = summarise(&mut measured);
    let floor = floor(requests, PARALLELISM);
    let pages = ACCOUNT.div_ceil(PAGE_SIZE as usize) as u64;
    let chained = rounds(&[1, pages - 1, 500], PARALLELISM, LATENCY);
    let bound = ACCOUNT.div_ceil(PAGE_SIZE as usize).min(1_000) + 500 + 1;
    println!("2. plan: account of 10,000 tasks; manifests of 1,000 (500 unchanged, 500 new)");
    println!("   requests {requests} (bound min(⌈T/PageSize⌉, M) + E + 1 = {bound})");
    print_timing(
        best,
        median,
        peak,
        floor,
        chained,
        "first page, other pages, details",
    );
    println!("   target: within 1.3x of the floor, < 200 MiB\n");
}

async fn plan_few(runs: usize) {
    let existing = names("task", 0..5);
    let all = names("task", 0..10);
    let dir = tempfile::tempdir().unwrap();
    write_manifests(&dir.path().join("m"), &all, 10);
    let mut measured = Vec::new();
    let mut stats = None;
    for _ in 0..runs {
        let emulator = account(&existing).await;
        let env = connection(&emulator);
        let path = dir.path().to_path_buf();
        let run = tokio::task::spawn_blocking(move || {
            run_binary(&path, &plan_args("m", "--format", "text"), &env)
        })
        .await
        .unwrap();
        stats = Some(emulator.stats());
        measured.push(run);
        emulator.shutdown().await.unwrap();
    }
    let stats = stats.unwrap();
    let (best, median, _) = summarise(&mut measured);
    let floor = floor(stats.requests, PARALLELISM);
    let chained = rounds(
        &[
            1,
            stats.action("QueryAiCallTaskPage") - 1,
            stats.action("QueryAiCallTaskDetail"),
        ],
        PARALLELISM,
        LATENCY,
    );
    println!("3. plan: account of 10,000 tasks; manifests of 10 (5 there)");
    println!(
        "   requests {} ({} pages/look-ups, {} details); listing every page would take {}",
        stats.requests,
        stats.action("QueryAiCallTaskPage"),
        stats.action("QueryAiCallTaskDetail"),
        ACCOUNT.div_ceil(PAGE_SIZE as usize)
    );
    println!(
        "   wall {} best, {} median; floor {} (ratio {:.2}); chained floor {} (ratio {:.2})\n",
        secs(best),
        secs(median),
        secs(floor),
        best.as_secs_f64() / floor.as_secs_f64(),
        secs(chained),
        best.as_secs_f64() / chained.as_secs_f64()
    );
}

async fn apply_many(runs: usize) {
    let all = names("new-task", 0..1_000);
    let dir = tempfile::tempdir().unwrap();
    write_manifests(&dir.path().join("m"), &all, 100);
    let mut measured = Vec::new();
    let mut stats = None;
    for _ in 0..runs {
        let emulator = account(&[]).await;
        let env = connection(&emulator);
        let path = dir.path().to_path_buf();
        let run = tokio::task::spawn_blocking(move || {
            let parallelism = PARALLELISM.to_string();
            let page_size = PAGE_SIZE.to_string();
            run_binary(
                &path,
                &[
                    "apply",
                    "m",
                    "--auto-approve",
                    "--parallelism",
                    &parallelism,
                    "--read-parallelism",
                    &parallelism,
                    "--page-size",
                    &page_size,
                    "--rate-limit",
                    RATE_LIMIT,
                ],
                &env,
            )
        })
        .await
        .unwrap();
        let s = emulator.stats();
        assert_eq!(
            s.action("CreateAiCallTask"),
            1_000,
            "every task created once"
        );
        stats = Some(s);
        measured.push(run);
        emulator.shutdown().await.unwrap();
    }
    let stats = stats.unwrap();
    let (best, median, peak) = summarise(&mut measured);
    let floor = floor(stats.requests, PARALLELISM);
    let creates = stats.action("CreateAiCallTask");
    let chained = rounds(
        &[1, stats.requests - creates - 1, creates],
        PARALLELISM,
        LATENCY,
    );
    println!("4. apply: create 1,000 tasks at --parallelism 8 (account of 10,000)");
    println!(
        "   requests {} ({} creates, {} to plan); {:.2} requests per created task",
        stats.requests,
        stats.action("CreateAiCallTask"),
        stats.requests - stats.action("CreateAiCallTask"),
        stats.requests as f64 / 1_000.0
    );
    print_timing(
        best,
        median,
        peak,
        floor,
        chained,
        "first page, other pages, creates",
    );
    println!("   target: within 1.3x of the floor\n");
}

fn plan_args(manifests: &str, format_flag: &str, format: &str) -> Vec<String> {
    let page_size = PAGE_SIZE.to_string();
    let parallelism = PARALLELISM.to_string();
    [
        "plan",
        manifests,
        format_flag,
        format,
        "--page-size",
        &page_size,
        "--read-parallelism",
        &parallelism,
        "--rate-limit",
        RATE_LIMIT,
    ]
    .map(str::to_owned)
    .into()
}

/// A plan of 10,000 entries: a third each create, drift and unchanged.
fn render() {
    let config = |i: usize| TaskConfig {
        agent_id: Some("118012345678901234".to_owned()),
        virtual_number: Some("0327121220001".to_owned()),
        start: Some(if i.is_multiple_of(2) {
            Start::Immediate
        } else {
            Start::Scheduled(ScheduledStart {
                at_ms: 1_922_317_200_000,
                offset_seconds: 8 * 3600,
            })
        }),
        concurrency: Some(50),
        call_days: Some(vec![Weekday::Monday, Weekday::Friday]),
        call_windows: Some(vec![Window {
            start: TimeOfDay::new(9, 0, 0).expect("a time"),
            end: TimeOfDay::new(12, 0, 0).expect("a time"),
        }]),
        retry: Some(Retry::On {
            reasons: vec![RetryReason::UserBusy, RetryReason::NoAnswer],
            times: 2,
            interval_minutes: 30,
        }),
    };
    let desired: Vec<DesiredTask> = (0..10_000)
        .map(|i| DesiredTask {
            name: format!("续费提醒-{i:05}"),
            config: config(i),
            status: None,
            renamed_from: Vec::new(),
            source: Source {
                file: PathBuf::from(format!("campaigns/c{:03}.yaml", i / 100))
                    .display()
                    .to_string(),
                line: 10 + i % 100 * 3,
                column: 11,
            },
        })
        .collect();
    let observed: Vec<ObservedTask> = desired
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 0)
        .map(|(i, d)| {
            let mut config = d.config.clone();
            if i % 3 == 1 {
                config.concurrency = Some(80);
                config.call_days = Some(vec![Weekday::Monday, Weekday::Saturday]);
            }
            ObservedTask {
                task_id: format!("1187{i:015}"),
                name: d.name.clone(),
                status: Some(TaskStatus::Running),
                config,
            }
        })
        .collect();
    let plan = build(Inputs {
        desired: &desired,
        observed: &observed,
        unmanaged_count: 0,
        unmanaged: None,
        target: Target {
            endpoint: "https://aiccs.aliyuncs.com".to_owned(),
            access_key: "LTAI****abcd".to_owned(),
            account_fingerprint: "0".repeat(16),
        },
        now: jiff::Timestamp::now(),
        allow_restart: true,
        targets: Vec::new(),
    })
    .unwrap();
    println!(
        "5. render: a 10,000-task plan ({} create, {} update, {} unchanged)",
        plan.summary.create, plan.summary.update, plan.summary.unchanged
    );
    let time = |f: &dyn Fn() -> String| {
        let mut best = Duration::MAX;
        let mut bytes = 0;
        for _ in 0..5 {
            let started = Instant::now();
            bytes = f().len();
            best = best.min(started.elapsed());
        }
        (best, bytes)
    };
    for (label, f) in [
        (
            "text",
            &(|| {
                aicall::render::text::render_plan(
                    &plan,
                    TextOptions {
                        verbose: true,
                        show_unmanaged: false,
                    },
                    Style::plain(),
                )
            }) as &dyn Fn() -> String,
        ),
        ("json", &|| aicall::render::json::render_plan(&plan)),
        ("markdown", &|| {
            aicall::render::markdown::render_plan(&plan, &[])
        }),
    ] {
        let (best, bytes) = time(f);
        println!(
            "   {label:<8} {} ({:.1} MiB)",
            secs(best),
            bytes as f64 / 1_048_576.0
        );
    }
    println!("   target: < 0.500 s each");
}

/// The quota floor of one phase: the largest count of admitted requests of
/// any operation ÷ its quota, plus two round trips (the first page before
/// anything, the last request's own).
fn quota_floor(stats: &EmulatorStats, quotas: &Quotas, ops: &[Operation]) -> Duration {
    let slowest = ops
        .iter()
        .filter_map(|&op| {
            let admitted = stats.action(op.action()) - stats.throttled(op.action());
            quotas
                .of(op)
                .map(|quota| admitted as f64 / f64::from(quota))
        })
        .fold(0.0, f64::max);
    Duration::from_secs_f64(slowest) + LATENCY * 2
}

/// Requests and throttles per operation, as the emulator counted them.
fn print_requests(stats: &EmulatorStats) {
    let total = stats.requests.max(1);
    println!(
        "   requests {} ({} throttled, {:.1} %)",
        stats.requests,
        stats.throttled,
        100.0 * stats.throttled as f64 / total as f64
    );
    for (action, count) in &stats.by_action {
        println!(
            "     {action:<22} {count:>6} ({} throttled)",
            stats.throttled(action)
        );
    }
}

fn print_quota_timing(best: Duration, median: Duration, peak: Option<u64>, floor: Duration) {
    println!(
        "   wall {} best, {} median; quota floor {}; ratio {:.2} (median {:.2}); peak memory {}",
        secs(best),
        secs(median),
        secs(floor),
        best.as_secs_f64() / floor.as_secs_f64(),
        median.as_secs_f64() / floor.as_secs_f64(),
        mib(peak)
    );
}

/// Scenario 2's plan with no flags, against `--quota quota`.
async fn plan_at_quota(runs: usize, number: usize, quota: u32) {
    let existing = names("task", 0..500);
    let all = names("task", 0..1_000);
    let dir = tempfile::tempdir().unwrap();
    write_manifests(&dir.path().join("m"), &all, 100);
    let quotas = Quotas {
        every: Some(quota),
        ..Quotas::default()
    };
    let mut measured = Vec::new();
    let mut stats = Vec::new();
    for _ in 0..runs {
        let emulator = account_with(&existing, quotas.clone()).await;
        let env = connection(&emulator);
        let path = dir.path().to_path_buf();
        let run = tokio::task::spawn_blocking(move || {
            run_binary(&path, &["plan", "m", "--format", "json"], &env)
        })
        .await
        .unwrap();
        assert!(
            run.stdout.contains("\"create\": 500"),
            "unexpected plan: {}",
            run.stderr
        );
        stats.push((run.wall, emulator.stats()));
        measured.push(run);
        emulator.shutdown().await.unwrap();
    }
    let median_stats = median_by_wall(&mut stats);
    let (best, median, peak) = summarise(&mut measured);
    let floor = quota_floor(median_stats, &quotas, &[Operation::Page, Operation::Detail]);
    println!(
        "{number}. plan at --quota {quota}, default client settings: account of 10,000 tasks; \
         manifests of 1,000 (500 unchanged, 500 new)"
    );
    print_requests(median_stats);
    print_quota_timing(best, median, peak, floor);
    let (ratio, throttled) = if quota >= 100 { (1.3, 5) } else { (1.5, 10) };
    println!(
        "   target: within {ratio}x of the quota floor, <= {throttled} % throttled, < 200 MiB\n"
    );
}

/// Apply creating 300 tasks in an account of 10,000, no flags, against
/// `--quota 100 --quota-for CreateAiCallTask=20`.
async fn apply_at_quota(runs: usize) {
    let all = names("new-task", 0..300);
    let dir = tempfile::tempdir().unwrap();
    write_manifests(&dir.path().join("m"), &all, 100);
    let quotas = Quotas {
        every: Some(100),
        per_operation: [(Operation::Create, 20)].into_iter().collect(),
    };
    let mut measured = Vec::new();
    let mut stats = Vec::new();
    for _ in 0..runs {
        let emulator = account_with(&[], quotas.clone()).await;
        let env = connection(&emulator);
        let path = dir.path().to_path_buf();
        let run = tokio::task::spawn_blocking(move || {
            run_binary(&path, &["apply", "m", "--auto-approve"], &env)
        })
        .await
        .unwrap();
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for task in emulator.tasks() {
            *counts.entry(task.config.name).or_default() += 1;
        }
        let duplicates = counts.values().filter(|&&n| n > 1).count();
        assert_eq!(duplicates, 0, "a task was created twice");
        assert!(
            all.iter().all(|n| counts.get(n) == Some(&1)),
            "a task is missing"
        );
        stats.push((run.wall, emulator.stats()));
        measured.push(run);
        emulator.shutdown().await.unwrap();
    }
    let median_stats = median_by_wall(&mut stats);
    let (best, median, peak) = summarise(&mut measured);
    let reading = quota_floor(median_stats, &quotas, &[Operation::Page, Operation::Detail]);
    let creating = quota_floor(median_stats, &quotas, &[Operation::Create]) - LATENCY;
    let floor = reading + creating;
    println!(
        "8. apply creating 300 tasks at --quota 100 --quota-for CreateAiCallTask=20, default \
         client settings (account of 10,000)"
    );
    print_requests(median_stats);
    println!(
        "   quota floor: reading {} + creating {} (phases follow each other); 0 duplicates",
        secs(reading),
        secs(creating)
    );
    print_quota_timing(best, median, peak, floor);
    println!("   target: within 1.5x of the quota floor, <= 10 % throttled, 0 duplicates\n");
}
