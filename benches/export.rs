//! Export benchmark (issue 9): `aicall export` of a 10,000-task account.
//!
//! `cargo bench --bench export` (release build). Prints figures; judges
//! nothing. The real binary runs against the emulator started in this
//! process with 20 ms added to every request, so the physical limit is the
//! number of round trips: an export lists every page, then reads every
//! task's detail, `--read-parallelism` at a time:
//! floor = ⌈requests ÷ parallelism⌉ × latency, and the chained floor adds
//! that the details can only start once the listing is done (first page,
//! then the others, then the details). A second run without added latency
//! shows what aicall itself costs (reading, adopting, writing, and reading
//! its own output back to prove it plans unchanged).
//!
//! The exported file is then checked once: `validate` must accept it.
//! `AICALL_BENCH_RUNS=N` repeats each scenario N times (default 3).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

// Each benchmark reads the parts of a run it needs.
#[allow(dead_code)]
mod measure;

use measure::{
    ACCOUNT, LATENCY, PAGE_SIZE, PARALLELISM, RATE_LIMIT, connection, mib, rounds, run_binary,
    start_emulator, summarise,
};

use aicall::emulator::{CallDay, CallWindow, NewTask, Quotas, RetryReason, StartType};

fn main() {
    let runs = measure::runs();
    let runtime = measure::runtime();
    println!(
        "aicall export benchmark: {ACCOUNT} tasks, PageSize {PAGE_SIZE}, --read-parallelism {PARALLELISM}, {runs} runs each\n"
    );
    runtime.block_on(export(runs, LATENCY));
    runtime.block_on(export(runs, Duration::ZERO));
}

/// Task `i`: ten agents, half scheduled, a third redialling, windows with
/// and without seconds, so grouping and `defaults` have work to do.
fn task(i: usize) -> NewTask {
    let mut task = NewTask::example(format!("campaign-{i:05}"));
    task.agent_id = format!("11801234567890{:04}", i % 10);
    let config = &mut task.config;
    if i % 2 == 1 {
        config.start_type = StartType::Schedule;
        config.task_start_time = Some(2_056_442_400_000 + i as i64 * 60_000);
    }
    config.call_days = CallDay::ALL[..1 + i % 7].to_vec();
    if i.is_multiple_of(4) {
        config.call_times.push(CallWindow {
            start: "14:00:30".to_owned(),
            end: "18:00:00".to_owned(),
        });
    }
    config.miss_call_retry = Some(i.is_multiple_of(3));
    if i.is_multiple_of(3) {
        config.call_retry_reasons = Some(vec![RetryReason::UserBusy, RetryReason::NoAnswer]);
        config.call_retry_times = Some(2);
        config.call_retry_interval = Some(30);
    }
    task
}

async fn export(runs: usize, latency: Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut measured = Vec::new();
    let mut stats = None;
    for run in 0..runs {
        let emulator = start_emulator(latency, Quotas::default()).await;
        emulator
            .seed((0..ACCOUNT).map(task).collect())
            .await
            .unwrap();
        let env = connection(&emulator);
        let path = dir.path().to_path_buf();
        let out = format!("export-{run}.yaml");
        let measured_run = tokio::task::spawn_blocking(move || {
            let parallelism = PARALLELISM.to_string();
            let page_size = PAGE_SIZE.to_string();
            run_binary(
                &path,
                &[
                    "export",
                    "--out",
                    &out,
                    "--page-size",
                    &page_size,
                    "--read-parallelism",
                    &parallelism,
                    "--rate-limit",
                    RATE_LIMIT,
                ],
                &env,
            )
        })
        .await
        .unwrap();
        measured.push(measured_run);
        stats = Some(emulator.stats());
        emulator.shutdown().await.unwrap();
    }
    let check = run_binary(dir.path(), &["validate", "export-0.yaml"], &[]);
    let size = std::fs::metadata(dir.path().join("export-0.yaml"))
        .unwrap()
        .len();

    let stats = stats.unwrap();
    let (best, median, peak) = summarise(&mut measured);
    let pages = stats.action("QueryAiCallTaskPage");
    let details = stats.action("QueryAiCallTaskDetail");
    let floor = rounds(&[stats.requests], PARALLELISM, latency);
    let chained = rounds(&[1, pages - 1, details], PARALLELISM, latency);
    println!(
        "export 10,000 tasks, {} ms latency per request",
        latency.as_millis()
    );
    println!(
        "   requests {} ({pages} pages, {details} details; ⌈T/PageSize⌉ + T = {})",
        stats.requests,
        ACCOUNT.div_ceil(PAGE_SIZE as usize) + ACCOUNT
    );
    if latency.is_zero() {
        println!(
            "   wall {:.3} s best, {:.3} s median; peak memory {}",
            best.as_secs_f64(),
            median.as_secs_f64(),
            mib(peak)
        );
    } else {
        let ratio = |floor: Duration| best.as_secs_f64() / floor.as_secs_f64();
        println!(
            "   wall {:.3} s best, {:.3} s median; floor {:.3} s (ratio {:.2}); chained floor {:.3} s (ratio {:.2}); peak memory {}",
            best.as_secs_f64(),
            median.as_secs_f64(),
            floor.as_secs_f64(),
            ratio(floor),
            chained.as_secs_f64(),
            ratio(chained),
            mib(peak)
        );
    }
    println!(
        "   the file: {:.1} MiB; `validate` accepts it in {:.3} s\n",
        size as f64 / (1024.0 * 1024.0),
        check.wall.as_secs_f64()
    );
}
