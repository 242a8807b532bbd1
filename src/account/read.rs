//! Reading the account: which manifest tasks exist, and how they are set up.
//!
//! The API's name filter is fuzzy (`aiccs-api.md` §3.3), so identity is
//! decided here, client-side, by exact name. Two strategies exist and the
//! cheaper one is chosen once the first page has told the total T:
//!
//! - list every page: ⌈T/PageSize⌉ requests in all;
//! - look each of the M manifest names up: M more requests.
//!
//! Either way the remaining requests run concurrently, and every manifest
//! task found has its detail read as soon as the page or look-up that
//! found it has arrived: QueryAiCallTaskDetail has a quota of its own
//! (§8), so details need not wait for the whole listing. A plan costs at
//! most `min(⌈T/PageSize⌉, M) + E + 1` requests for E existing managed
//! tasks. At most `parallelism` of them are on the wire at once, whatever
//! their operation.
//!
//! What happens is reported as [`ReadEvent`] values, never as text.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use futures_util::StreamExt as _;
use futures_util::stream;
use tokio::sync::mpsc;

use crate::api::{ApiError, Client, PageQuery, TaskSummary};
use crate::plan::adopt::AccountTask;
use crate::plan::model::{ObservedTask, TaskStatus, UnmanagedTask};

use super::mapping::{account_task, observed_task, status};

/// How to read the account.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Rows per page.
    pub page_size: u32,
    /// Requests in flight at once.
    pub parallelism: usize,
    /// List every task, so unmanaged ones can be named (`--show-unmanaged`).
    pub list_unmanaged: bool,
}

/// What the account holds, as far as the plan needs it.
#[derive(Debug, Clone)]
pub struct AccountState {
    /// Every account task whose exact name a manifest uses, with its detail.
    pub observed: Vec<ObservedTask>,
    /// How many account tasks no manifest names.
    pub unmanaged_count: u64,
    /// Unmanaged tasks, when asked for ([`ReadOptions::list_unmanaged`]).
    pub unmanaged: Option<Vec<UnmanagedTask>>,
}

/// Something the reader reports while it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadEvent {
    /// The service refused `asked` rows a page; `used` it accepts.
    PageSizeReduced {
        /// The page size asked for.
        asked: u32,
        /// The page size read with instead.
        used: u32,
    },
    /// How far reading has come.
    Progress(ReadProgress),
}

/// How far reading has come: counts only, for a progress display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadProgress {
    /// Pages of the listing read (the first page included).
    pub pages_read: u64,
    /// Pages the listing is expected to take.
    pub pages_expected: u64,
    /// Names looked up, when names are looked up instead of listed.
    pub lookups_done: u64,
    /// Names to look up (0 when listing).
    pub lookups: u64,
    /// Details read.
    pub details_read: u64,
    /// Managed tasks found so far, each needing its detail.
    pub details_found: u64,
}

/// Reads what the plan needs to know about `names` (the manifest's task
/// names, unique).
pub async fn read(
    client: &Client,
    names: &[&str],
    options: ReadOptions,
) -> Result<AccountState, ApiError> {
    read_reporting(client, names, options, &|_| {}).await
}

/// [`read`], reporting to `on_event` as it goes.
pub async fn read_reporting(
    client: &Client,
    names: &[&str],
    options: ReadOptions,
    on_event: &(dyn Fn(ReadEvent) + Send + Sync),
) -> Result<AccountState, ApiError> {
    let parallelism = options.parallelism.max(1);
    let client = client.limited(parallelism);
    let filter = PageQuery::default();
    let asked = options.page_size.max(1);
    let (first, page_size) = client.first_page(&filter, asked).await?;
    if page_size < asked {
        on_event(ReadEvent::PageSizeReduced {
            asked,
            used: page_size,
        });
    }
    let total = first.total.unwrap_or(first.list.len() as u64);
    let remaining_pages = total.div_ceil(u64::from(page_size)).saturating_sub(1);
    let wanted: HashSet<&str> = names.iter().copied().collect();
    let list_all = options.list_unmanaged || remaining_pages <= names.len() as u64;

    let progress = Progress::new(on_event);
    progress.update(|p| {
        p.pages_read = 1;
        p.pages_expected = if list_all { 1 + remaining_pages } else { 1 };
        p.lookups = if list_all { 0 } else { names.len() as u64 };
    });
    // Managed tasks go to their details as they are found; one task may
    // be found twice when pages shift under a listing.
    let (found_tx, found_rx) = mpsc::unbounded_channel::<TaskSummary>();
    let found_tx = Mutex::new(Some(found_tx));
    let seen = Mutex::new(HashSet::new());
    let found = |task: &TaskSummary| {
        let managed = task
            .task_name
            .as_deref()
            .is_some_and(|n| wanted.contains(n));
        let new = managed && lock(&seen).insert(task.task_id.clone());
        if new {
            progress.update(|p| p.details_found += 1);
            if let Some(tx) = lock(&found_tx).as_ref() {
                let _ = tx.send(task.clone());
            }
        }
    };

    let finding = async {
        let unmanaged = if list_all {
            first.list.iter().for_each(&found);
            let all = client
                .list_tasks_after_each(&filter, first, page_size, parallelism, &|page, read| {
                    page.list.iter().for_each(&found);
                    progress.update(|p| {
                        p.pages_read = u64::from(read.read);
                        p.pages_expected = u64::from(read.expected);
                    });
                })
                .await?;
            let others = all
                .into_iter()
                .filter(|t| !t.task_name.as_deref().is_some_and(|n| wanted.contains(n)));
            // Named only when asked for; counted either way.
            Some(if options.list_unmanaged {
                let named: Vec<UnmanagedTask> = others
                    .map(|t| UnmanagedTask {
                        task_id: t.task_id.to_string(),
                        name: t.task_name.unwrap_or_default(),
                        status: t.status.map(status),
                    })
                    .collect();
                (named.len() as u64, Some(named))
            } else {
                (others.count() as u64, None)
            })
        } else {
            let mut lookups = stream::iter(names)
                .map(|name| client.find_tasks_named(name, page_size))
                .buffer_unordered(parallelism);
            while let Some(lookup) = lookups.next().await {
                lookup?.iter().for_each(&found);
                progress.update(|p| p.lookups_done += 1);
            }
            None
        };
        // Nothing more will be found: the details can finish.
        lock(&found_tx).take();
        Ok::<_, ApiError>(unmanaged)
    };

    let details = async {
        let tasks = stream::unfold(found_rx, |mut rx| async move {
            rx.recv().await.map(|task| (task, rx))
        });
        let details = tasks
            .map(|task| {
                let client = &client;
                async move {
                    let detail = client.task_detail(&task.task_id).await?;
                    Ok::<_, ApiError>(observed_task(
                        &task.task_id,
                        task.task_name.as_deref().unwrap_or_default(),
                        task.status,
                        &detail,
                    ))
                }
            })
            // Enough queued that the detail budget is never idle for want
            // of work; the place on the wire is the client's to give.
            .buffer_unordered(parallelism * 2);
        let mut details = std::pin::pin!(details);
        let mut observed = BTreeMap::new();
        while let Some(task) = details.next().await {
            let task = task?;
            progress.update(|p| p.details_read += 1);
            observed.insert(task.task_id.clone(), task);
        }
        Ok::<_, ApiError>(observed)
    };

    let (unmanaged, observed) = tokio::try_join!(finding, details)?;
    let observed: Vec<ObservedTask> = observed.into_values().collect();
    let (unmanaged_count, unmanaged) = match unmanaged {
        Some(listed) => listed,
        None => (total.saturating_sub(observed.len() as u64), None),
    };
    Ok(AccountState {
        observed,
        unmanaged_count,
        unmanaged,
    })
}

/// Every account task `select` keeps, told by its name and status from the
/// listing, with its detail: what `aicall export` writes. Every page is
/// listed (the first, then the rest `parallelism` at a time), then the kept
/// tasks' details are read `parallelism` at a time, so an export costs
/// `⌈T/PageSize⌉ + K` requests for K tasks kept of T.
pub async fn read_every(
    client: &Client,
    select: &(dyn Fn(&str, Option<TaskStatus>) -> bool + Sync),
    options: ReadOptions,
) -> Result<Vec<AccountTask>, ApiError> {
    let parallelism = options.parallelism.max(1);
    let all = client
        .list_all_tasks(options.page_size.max(1), parallelism)
        .await?;
    let kept = all.into_iter().filter(|task| {
        select(
            task.task_name.as_deref().unwrap_or_default(),
            task.status.map(status),
        )
    });
    let details: Vec<Result<AccountTask, ApiError>> = stream::iter(kept)
        .map(|task| async move {
            let detail = client.task_detail(&task.task_id).await?;
            Ok(account_task(&task, &detail))
        })
        .buffer_unordered(parallelism)
        .collect()
        .await;
    let mut tasks = details.into_iter().collect::<Result<Vec<_>, _>>()?;
    tasks.sort_by(|a, b| a.observed.task_id.cmp(&b.observed.task_id));
    Ok(tasks)
}

/// The progress so far, reported on every change.
struct Progress<'a> {
    now: Mutex<ReadProgress>,
    on_event: &'a (dyn Fn(ReadEvent) + Send + Sync),
}

impl<'a> Progress<'a> {
    fn new(on_event: &'a (dyn Fn(ReadEvent) + Send + Sync)) -> Progress<'a> {
        Progress {
            now: Mutex::new(ReadProgress::default()),
            on_event,
        }
    }

    fn update(&self, change: impl FnOnce(&mut ReadProgress)) {
        let snapshot = {
            let mut now = lock(&self.now);
            change(&mut now);
            *now
        };
        (self.on_event)(ReadEvent::Progress(snapshot));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Plain counters and a set: consistent after every statement.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
