//! Reading the account: which manifest tasks exist, and how they are set up.
//!
//! The API's name filter is fuzzy (`aiccs-api.md` §3.3), so identity is
//! decided here, client-side, by exact name. Two strategies exist and the
//! cheaper one is chosen once the first page has told the total T:
//!
//! - list every page: ⌈T/PageSize⌉ requests in all;
//! - look each of the M manifest names up: M more requests.
//!
//! Either way the remaining requests run concurrently, and then every
//! manifest task found has its detail read, so a plan costs at most
//! `min(⌈T/PageSize⌉, M) + E + 1` requests for E existing managed tasks.

use std::collections::{BTreeMap, HashSet};

use futures_util::StreamExt as _;
use futures_util::stream;

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
    /// Unmanaged tasks, when every page was listed.
    pub unmanaged: Option<Vec<UnmanagedTask>>,
}

/// Reads what the plan needs to know about `names` (the manifest's task
/// names, unique).
pub async fn read(
    client: &Client,
    names: &[&str],
    options: ReadOptions,
) -> Result<AccountState, ApiError> {
    let page_size = options.page_size.max(1);
    let parallelism = options.parallelism.max(1);
    let filter = PageQuery::default();
    let first = client
        .query_task_page(&PageQuery {
            page_no: Some(1),
            page_size: Some(page_size),
            ..PageQuery::default()
        })
        .await?;
    let total = first.total.unwrap_or(first.list.len() as u64);
    let remaining_pages = total.div_ceil(u64::from(page_size)).saturating_sub(1);
    let wanted: HashSet<&str> = names.iter().copied().collect();

    let (found, unmanaged) = if options.list_unmanaged || remaining_pages <= names.len() as u64 {
        let all = client
            .list_tasks_after(&filter, first, page_size, parallelism)
            .await?;
        let (found, rest): (Vec<TaskSummary>, Vec<TaskSummary>) = all
            .into_iter()
            .partition(|t| t.task_name.as_deref().is_some_and(|n| wanted.contains(n)));
        let unmanaged: Vec<UnmanagedTask> = rest
            .into_iter()
            .map(|t| UnmanagedTask {
                task_id: t.task_id.to_string(),
                name: t.task_name.unwrap_or_default(),
                status: t.status.map(status),
            })
            .collect();
        (found, Some(unmanaged))
    } else {
        let lookups: Vec<Result<Vec<TaskSummary>, ApiError>> = stream::iter(names)
            .map(|name| client.find_tasks_named(name, page_size))
            .buffer_unordered(parallelism)
            .collect()
            .await;
        let mut found = Vec::new();
        for lookup in lookups {
            found.extend(lookup?);
        }
        (found, None)
    };

    // One task may be listed twice when pages shift under a listing.
    let mut by_id: BTreeMap<String, TaskSummary> = BTreeMap::new();
    for task in found {
        by_id.entry(task.task_id.to_string()).or_insert(task);
    }
    let details: Vec<Result<ObservedTask, ApiError>> = stream::iter(by_id.into_values())
        .map(|task| async move {
            let detail = client.task_detail(&task.task_id).await?;
            Ok(observed_task(
                &task.task_id,
                task.task_name.as_deref().unwrap_or_default(),
                task.status,
                &detail,
            ))
        })
        .buffer_unordered(parallelism)
        .collect()
        .await;
    let mut observed = details.into_iter().collect::<Result<Vec<_>, _>>()?;
    observed.sort_by(|a, b| a.task_id.cmp(&b.task_id));
    let unmanaged_count = match &unmanaged {
        Some(list) => list.len() as u64,
        None => total.saturating_sub(observed.len() as u64),
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
