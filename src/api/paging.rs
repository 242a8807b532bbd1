//! Reading a listing: every page of QueryAiCallTaskPage (§3.3), and the
//! lookups built on it.
//!
//! The service pages newest first, so tasks created while we read shift
//! later items onto later pages; its `TaskName` filter is fuzzy; its
//! largest page size is undocumented (§8: the docs' example is 20), so a
//! page refused for its size is asked again smaller, and the client
//! remembers the size that worked. `Listing` de-duplicates, and decides
//! when enough pages have been read.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::client::Client;
use super::error::ApiError;
use super::types::{PageQuery, TaskId, TaskPage, TaskSummary};

/// Pages fetched at once by [`Client::find_tasks_named`]: fuzzy matches of
/// one name rarely fill more than a page.
const FIND_PARALLELISM: usize = 4;

/// The page size to fall back to when a larger one is refused: the only
/// size the docs show (§8).
pub const FALLBACK_PAGE_SIZE: u32 = 20;

/// A listing's progress, after each page that arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagesRead {
    /// Pages read so far, the first one included.
    pub read: u32,
    /// Pages the listing expects to read (it may find it needs more).
    pub expected: u32,
}

impl Client {
    /// Every task in the account, newest first as the service lists them.
    pub async fn list_all_tasks(
        &self,
        page_size: u32,
        parallelism: usize,
    ) -> Result<Vec<TaskSummary>, ApiError> {
        self.list_tasks(&PageQuery::default(), page_size, parallelism)
            .await
    }

    /// The tasks named exactly `name` (case-sensitive).
    ///
    /// The service's `TaskName` filter is a case-insensitive substring
    /// match (§3.3), so every page of fuzzy matches is read and the exact
    /// ones kept: looking up `a` also reads `A` and `ab`, and keeps neither.
    pub async fn find_tasks_named(
        &self,
        name: &str,
        page_size: u32,
    ) -> Result<Vec<TaskSummary>, ApiError> {
        let filter = PageQuery {
            task_name: Some(name.to_owned()),
            ..PageQuery::default()
        };
        let mut tasks = self
            .list_tasks(&filter, page_size, FIND_PARALLELISM)
            .await?;
        tasks.retain(|task| task.task_name.as_deref() == Some(name));
        Ok(tasks)
    }

    /// The page item of one task (it carries the status, which the detail
    /// lacks), or `None` if the service lists no such task.
    pub async fn task_summary(&self, id: &TaskId) -> Result<Option<TaskSummary>, ApiError> {
        let page = self
            .query_task_page(&PageQuery {
                task_id: Some(id.clone()),
                ..PageQuery::default()
            })
            .await?;
        Ok(page.list.into_iter().find(|task| &task.task_id == id))
    }

    /// Every task matching `filter`, read page by page.
    ///
    /// The first page gives `Total`; the remaining pages up to
    /// `⌈Total/page_size⌉` are fetched `parallelism` at a time. Tasks
    /// created meanwhile shift later items onto later pages, so tasks are
    /// de-duplicated by ID, and reading goes on one page at a time while
    /// fewer than `Total` distinct tasks are held and no page came back
    /// short. If the service serves smaller pages than asked (its maximum
    /// is undocumented), the size it serves is used instead.
    /// `filter`'s `PageNo` and `PageSize` are ignored.
    pub async fn list_tasks(
        &self,
        filter: &PageQuery,
        page_size: u32,
        parallelism: usize,
    ) -> Result<Vec<TaskSummary>, ApiError> {
        let (first, page_size) = self.first_page(filter, page_size).await?;
        self.list_tasks_after(filter, first, page_size, parallelism)
            .await
    }

    /// Page 1 of `filter`, and the page size it was read with: `page_size`,
    /// or less if the service refused that many (see [`Client::page_size_cap`]).
    pub async fn first_page(
        &self,
        filter: &PageQuery,
        page_size: u32,
    ) -> Result<(TaskPage, u32), ApiError> {
        self.sized_page(filter, 1, page_size.max(1)).await
    }

    /// Like [`Client::list_tasks`], continuing from a first page the caller
    /// already fetched (with the same filter and `page_size`), so its
    /// `Total` can decide a strategy without costing a second request.
    pub async fn list_tasks_after(
        &self,
        filter: &PageQuery,
        first: TaskPage,
        page_size: u32,
        parallelism: usize,
    ) -> Result<Vec<TaskSummary>, ApiError> {
        self.list_tasks_after_each(filter, first, page_size, parallelism, &|_, _| {})
            .await
    }

    /// Like [`Client::list_tasks_after`], handing each page to `on_page`
    /// as soon as it arrives (in whatever order pages arrive), with how
    /// many have been read of how many expected.
    pub async fn list_tasks_after_each(
        &self,
        filter: &PageQuery,
        first: TaskPage,
        page_size: u32,
        parallelism: usize,
        on_page: &(dyn Fn(&TaskPage, PagesRead) + Send + Sync),
    ) -> Result<Vec<TaskSummary>, ApiError> {
        let page_size = self.page_size_for(page_size.max(1));
        // The real maximum PageSize is undocumented (§3.3). A service that
        // serves fewer rows than asked, without saying so, would make every
        // page look "short"; measure the page size it actually uses.
        let served = u32::try_from(first.list.len()).unwrap_or(u32::MAX);
        let mut effective = first
            .page_size
            .filter(|&size| size > 0 && size < page_size)
            .unwrap_or(page_size);
        if served > 0 && served < effective && first.total.is_some_and(|t| u64::from(served) < t) {
            effective = served;
        }
        let mut listing = Listing::new(effective);
        listing.add(first);
        let mut next_page = 2;
        let mut progress = PagesRead {
            read: 1,
            expected: 1,
        };
        if let (false, Some(total)) = (listing.short_page_seen, listing.total) {
            let last = u32::try_from(total.div_ceil(u64::from(effective))).unwrap_or(u32::MAX);
            if last >= 2 {
                progress.expected = last;
                let read = std::sync::atomic::AtomicU32::new(1);
                let counted = |page: &TaskPage| {
                    let read = read.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    on_page(
                        page,
                        PagesRead {
                            read,
                            expected: last,
                        },
                    );
                };
                for page in self
                    .pages(filter, 2..=last, page_size, parallelism.max(1), &counted)
                    .await?
                {
                    listing.add(page);
                }
                progress.read = last;
                next_page = last.saturating_add(1);
            }
        }
        while listing.wants_more() {
            let before = listing.tasks.len();
            let page = self.page(filter, next_page, page_size).await?;
            progress.read += 1;
            progress.expected = progress.expected.max(progress.read);
            on_page(&page, progress);
            listing.add(page);
            // A full page that adds nothing new means the service repeats
            // itself; stop rather than loop forever.
            if listing.tasks.len() == before {
                break;
            }
            next_page = next_page.saturating_add(1);
        }
        Ok(listing.tasks)
    }

    async fn page(
        &self,
        filter: &PageQuery,
        page_no: u32,
        page_size: u32,
    ) -> Result<TaskPage, ApiError> {
        Ok(self.sized_page(filter, page_no, page_size).await?.0)
    }

    /// Page `page_no` at `page_size`, or at the largest size the service
    /// has accepted if that is smaller. A page refused for its size is
    /// asked again at [`FALLBACK_PAGE_SIZE`], then at the largest size the
    /// service's message states, and the size that worked is remembered.
    async fn sized_page(
        &self,
        filter: &PageQuery,
        page_no: u32,
        page_size: u32,
    ) -> Result<(TaskPage, u32), ApiError> {
        let mut size = self.page_size_for(page_size);
        loop {
            let query = PageQuery {
                page_no: Some(page_no),
                page_size: Some(size),
                ..filter.clone()
            };
            match self.query_task_page(&query).await {
                Ok(page) => return Ok((page, size)),
                Err(err) => {
                    let Some(smaller) = smaller_page_size(&err, size) else {
                        return Err(err);
                    };
                    self.learn_page_size_cap(smaller);
                    size = self.page_size_for(smaller);
                }
            }
        }
    }

    /// Fetches `numbers`, at most `parallelism` at once, in page order,
    /// handing each to `on_page` as it arrives.
    async fn pages(
        &self,
        filter: &PageQuery,
        numbers: std::ops::RangeInclusive<u32>,
        page_size: u32,
        parallelism: usize,
        on_page: &(dyn Fn(&TaskPage) + Sync),
    ) -> Result<Vec<TaskPage>, ApiError> {
        let permits = Arc::new(Semaphore::new(parallelism));
        let mut set = JoinSet::new();
        for page_no in numbers {
            let client = self.clone();
            let filter = filter.clone();
            let permits = permits.clone();
            set.spawn(async move {
                let _permit = permits.acquire_owned().await;
                (page_no, client.page(&filter, page_no, page_size).await)
            });
        }
        let mut pages = BTreeMap::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((page_no, Ok(page))) => {
                    on_page(&page);
                    pages.insert(page_no, page);
                }
                // Dropping the set aborts the pages still in flight.
                Ok((_, Err(err))) => return Err(err),
                Err(join_error) => std::panic::resume_unwind(join_error.into_panic()),
            }
        }
        Ok(pages.into_values().collect())
    }
}

/// The page size to ask for after `error` refused a page of `asked` rows,
/// if `error` is such a refusal: [`FALLBACK_PAGE_SIZE`], or once that is
/// refused too, the largest number below it that the message names (the
/// emulator says "an integer from 1 to 10"; other wordings name their
/// bound the same way).
fn smaller_page_size(error: &ApiError, asked: u32) -> Option<u32> {
    let ApiError::Service {
        code,
        message,
        http_status: 400..=499,
        ..
    } = error
    else {
        return None;
    };
    let about_page_size = |text: &str| text.to_ascii_lowercase().contains("pagesize");
    // `InvalidParameter` and the rest of the `Invalid…` family.
    let refused = code.starts_with("Invalid") || about_page_size(code);
    if !refused || !(about_page_size(code) || about_page_size(message)) {
        return None;
    }
    if asked > FALLBACK_PAGE_SIZE {
        return Some(FALLBACK_PAGE_SIZE);
    }
    message
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|digits| digits.parse::<u32>().ok())
        .filter(|&n| n >= 1 && n < asked)
        .max()
}

/// Tasks gathered across pages, de-duplicated by ID.
struct Listing {
    page_size: u32,
    tasks: Vec<TaskSummary>,
    seen: HashSet<TaskId>,
    total: Option<u64>,
    short_page_seen: bool,
}

impl Listing {
    fn new(page_size: u32) -> Listing {
        Listing {
            page_size,
            tasks: Vec::new(),
            seen: HashSet::new(),
            total: None,
            short_page_seen: false,
        }
    }

    fn add(&mut self, page: TaskPage) {
        if page.list.len() < self.page_size as usize {
            self.short_page_seen = true;
        }
        // The largest Total seen: tasks are never deleted, only created.
        self.total = self.total.max(page.total);
        for task in page.list {
            if self.seen.insert(task.task_id.clone()) {
                self.tasks.push(task);
            }
        }
    }

    /// Whether another page should be read: none came back short, and
    /// fewer distinct tasks than `Total` are held (or `Total` is unknown).
    fn wants_more(&self) -> bool {
        !self.short_page_seen
            && self
                .total
                .is_none_or(|total| (self.tasks.len() as u64) < total)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex};

    use serde_json::{Value, json};

    use crate::api::test_server::{Seen, Server, Step, ok};
    use crate::api::types::TaskId;

    /// A fake account: `(id, name)` newest first, paged like §7 says.
    fn account_page(tasks: &[(u64, String)], seen: &Seen) -> Step {
        let page_no: usize = seen.param("PageNo").unwrap_or("1").parse().unwrap();
        let page_size: usize = seen.param("PageSize").unwrap_or("20").parse().unwrap();
        let filter = seen.param("TaskName").map(str::to_lowercase);
        let matching: Vec<_> = tasks
            .iter()
            .filter(|(_, name)| {
                filter
                    .as_ref()
                    .is_none_or(|f| name.to_lowercase().contains(f))
            })
            .collect();
        let list: Vec<_> = matching
            .iter()
            .skip((page_no - 1) * page_size)
            .take(page_size)
            .map(|(id, name)| json!({"TaskId": id.to_string(), "TaskName": name, "Status": 1}))
            .collect();
        ok(json!({"PageNo":page_no,"PageSize":page_size,"Total":matching.len(),"List":list}))
    }

    fn numbered(count: u64) -> Vec<(u64, String)> {
        (0..count)
            .rev()
            .map(|i| (118_700_000_000_000_001 + i, format!("task-{i}")))
            .collect()
    }

    #[tokio::test]
    async fn listing_reads_each_page_once() {
        for (count, expected_requests) in [(0, 1), (7, 1), (10, 1), (95, 10), (100, 10)] {
            let tasks = numbered(count);
            let server = Server::start(move |_, seen| account_page(&tasks, seen)).await;
            let client = server.client(|_| {});
            let listed = client.list_all_tasks(10, 4).await.unwrap();
            assert_eq!(listed.len() as u64, count);
            assert_eq!(server.seen().len(), expected_requests, "{count} tasks");
            let ids: HashSet<_> = listed.iter().map(|t| t.task_id.clone()).collect();
            assert_eq!(ids.len() as u64, count);
        }
    }

    #[tokio::test]
    async fn listing_adapts_to_a_service_serving_smaller_pages_than_asked() {
        let tasks = numbered(23);
        let server = Server::start(move |_, seen| {
            // Serves at most 4 rows a page but echoes the PageSize asked.
            let mut clamped = seen.clone();
            let asked = seen.param("PageSize").unwrap().to_owned();
            clamped.params.retain(|(n, _)| n != "PageSize");
            clamped.params.push(("PageSize".to_owned(), "4".to_owned()));
            let Step::Reply { body, .. } = account_page(&tasks, &clamped) else {
                unreachable!()
            };
            ok(serde_json::from_str::<Value>(&body).unwrap()["Data"]
                .as_object()
                .map(|data| {
                    let mut data = data.clone();
                    data.insert("PageSize".to_owned(), json!(asked.parse::<u32>().unwrap()));
                    Value::Object(data)
                })
                .unwrap())
        })
        .await;
        let client = server.client(|_| {});
        let listed = client.list_all_tasks(10, 3).await.unwrap();
        assert_eq!(listed.len(), 23);
        assert_eq!(server.seen().len(), 6);
    }

    #[tokio::test]
    async fn listing_survives_tasks_created_while_paging() {
        let tasks = Arc::new(Mutex::new(numbered(50)));
        let original: HashSet<TaskId> = numbered(50)
            .iter()
            .map(|(id, _)| TaskId::from(*id))
            .collect();
        let account = tasks.clone();
        let server = Server::start(move |n, seen| {
            let mut tasks = account.lock().unwrap();
            if n == 1 {
                // Three creates land after page 1 was read: every later
                // page shifts by three.
                for i in 0..3 {
                    tasks.insert(0, (119_000_000_000_000_000 + i, format!("new-{i}")));
                }
            }
            account_page(&tasks, seen)
        })
        .await;
        let client = server.client(|_| {});
        let listed = client.list_all_tasks(10, 3).await.unwrap();
        let ids: Vec<TaskId> = listed.iter().map(|t| t.task_id.clone()).collect();
        let unique: HashSet<TaskId> = ids.iter().cloned().collect();
        assert_eq!(unique.len(), ids.len(), "a task was listed twice");
        assert!(
            original.is_subset(&unique),
            "a task that existed all along was missed"
        );
    }

    #[tokio::test]
    async fn find_by_name_is_exact_over_a_fuzzy_filter() {
        let mut tasks = numbered(30);
        for (i, name) in ["a", "A", "ab", "ba", "b"].into_iter().enumerate() {
            tasks.insert(0, (119_000_000_000_000_000 + i as u64, name.to_owned()));
        }
        let server = Server::start(move |_, seen| account_page(&tasks, seen)).await;
        let client = server.client(|_| {});
        let found = client.find_tasks_named("a", 2).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].task_name.as_deref(), Some("a"));
        // "a" matches a, A, ab, ba and task-*: every page was read.
        assert!(
            server
                .seen()
                .iter()
                .all(|s| s.param("TaskName") == Some("a"))
        );
        assert!(client.find_tasks_named("c", 2).await.unwrap().is_empty());
    }
}
