//! The account's tasks in memory, and the six operations on them.
//!
//! One mutex guards everything, held only for the few microseconds an
//! operation takes, so concurrent requests serialise exactly where the
//! service must: the name check and the insert of a create happen under the
//! same lock, and two creates with one name cannot both win.
//!
//! Every successful mutation bumps a version number. The server answers a
//! request only once the state file holds the version that request saw
//! (see `writer.rs`), so "answered" implies "durable".

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use super::call::{Call, PageQuery};
use super::service_error::ServiceError;
use super::task::{NewTask, StartType, StoredTask, TaskConfig, TaskId, TaskStatus};

/// What a successful call produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Created(TaskId),
    /// Update, Start and Stop: `Data` is `true`.
    Done,
    Page(PageResult),
    Detail(Box<StoredTask>),
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageResult {
    pub page_no: u64,
    pub page_size: u32,
    pub total: u64,
    /// Newest first, each as seen at the time of the call.
    pub items: Vec<StoredTask>,
}

/// What the state file holds: the whole account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub version: u64,
    pub next_id: TaskId,
    /// In ID order.
    pub tasks: Vec<StoredTask>,
}

/// Why a set of tasks cannot be an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Inconsistency {
    /// Two tasks share an ID.
    #[error("two tasks have the ID `{0}`")]
    DuplicateId(TaskId),
    /// Two tasks share a name.
    #[error("two tasks are named `{0}`")]
    DuplicateName(String),
    /// The next ID would collide with a task's.
    #[error("`next_task_id` {next} is not above the largest task ID {largest}")]
    NextIdTooLow {
        /// The recorded next ID.
        next: TaskId,
        /// The largest task ID.
        largest: TaskId,
    },
}

#[derive(Debug)]
struct Entry {
    task: StoredTask,
    /// The name lowercased once, for the case-insensitive filter.
    name_lower: String,
}

#[derive(Debug)]
struct State {
    tasks: BTreeMap<TaskId, Entry>,
    by_name: HashMap<String, TaskId>,
    next_id: TaskId,
    version: u64,
}

/// The account: every task, behind one lock.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
}

impl Store {
    /// An account holding `tasks`, handing out `next_id` next.
    pub(crate) fn new(next_id: TaskId, tasks: Vec<StoredTask>) -> Result<Store, Inconsistency> {
        let mut state = State {
            tasks: BTreeMap::new(),
            by_name: HashMap::with_capacity(tasks.len()),
            next_id,
            version: 0,
        };
        for task in tasks {
            if state.tasks.contains_key(&task.id) {
                return Err(Inconsistency::DuplicateId(task.id));
            }
            if state.by_name.contains_key(&task.config.name) {
                return Err(Inconsistency::DuplicateName(task.config.name));
            }
            state.insert(task);
        }
        if let Some(&largest) = state.tasks.keys().next_back()
            && next_id <= largest
        {
            return Err(Inconsistency::NextIdTooLow {
                next: next_id,
                largest,
            });
        }
        Ok(Store {
            state: Mutex::new(state),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the state as it was between
        // two operations (each mutates only after its checks pass), so the
        // data is still sound: keep serving.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs one call at `now_ms`. Returns its result and the version of the
    /// state it saw, which must be durable before the reply goes out.
    pub(crate) fn execute(&self, call: Call, now_ms: i64) -> (Result<Outcome, ServiceError>, u64) {
        let mut state = self.lock();
        let result = match call {
            Call::Create(new) => state.create(new, now_ms).map(Outcome::Created),
            Call::Update { task_id, config } => state
                .update(task_id, config, now_ms)
                .map(|()| Outcome::Done),
            Call::Start(task_id) => state.start(task_id, now_ms).map(|()| Outcome::Done),
            Call::Stop(task_id) => state.stop(task_id, now_ms).map(|()| Outcome::Done),
            Call::Detail(task_id) => state
                .tasks
                .get(&task_id)
                .map(|entry| Outcome::Detail(Box::new(entry.task.settled(now_ms))))
                .ok_or(ServiceError::TaskNotFound { task_id }),
            Call::Page(query) => Ok(Outcome::Page(state.page(&query, now_ms))),
        };
        (result, state.version)
    }

    /// Creates every task or none (a name already taken, or repeated in
    /// `tasks`, refuses the lot). Returns the IDs and the new version.
    pub(crate) fn seed(
        &self,
        tasks: Vec<NewTask>,
        now_ms: i64,
    ) -> Result<(Vec<TaskId>, u64), ServiceError> {
        let mut state = self.lock();
        let mut names = std::collections::HashSet::with_capacity(tasks.len());
        for task in &tasks {
            let name = &task.config.name;
            if state.by_name.contains_key(name) || !names.insert(name.as_str()) {
                return Err(ServiceError::NameTaken { name: name.clone() });
            }
        }
        let ids = tasks
            .into_iter()
            .map(|new| state.create(new, now_ms))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((ids, state.version))
    }

    /// Puts task `task_id` in `status` directly, as the service does on its
    /// own (a start that fails leaves a task FAILED) or someone in the
    /// console would; the new version is returned. For tests.
    pub(crate) fn set_status(
        &self,
        task_id: TaskId,
        status: TaskStatus,
        now_ms: i64,
    ) -> Result<u64, ServiceError> {
        let mut state = self.lock();
        let entry = state.settled(task_id, now_ms)?;
        entry.task.status = status;
        state.version += 1;
        Ok(state.version)
    }

    /// The whole account, for the state file.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let state = self.lock();
        Snapshot {
            version: state.version,
            next_id: state.next_id,
            tasks: state.tasks.values().map(|e| e.task.clone()).collect(),
        }
    }

    /// The current version.
    pub(crate) fn version(&self) -> u64 {
        self.lock().version
    }

    /// Every task as seen at `now_ms`, in ID order.
    pub(crate) fn tasks_at(&self, now_ms: i64) -> Vec<StoredTask> {
        self.lock()
            .tasks
            .values()
            .map(|e| e.task.settled(now_ms))
            .collect()
    }
}

impl State {
    fn insert(&mut self, task: StoredTask) {
        self.by_name.insert(task.config.name.clone(), task.id);
        let name_lower = task.config.name.to_lowercase();
        self.tasks.insert(task.id, Entry { task, name_lower });
    }

    fn create(&mut self, new: NewTask, now_ms: i64) -> Result<TaskId, ServiceError> {
        if self.by_name.contains_key(&new.config.name) {
            // The existing task's ID is not echoed (§7).
            return Err(ServiceError::NameTaken {
                name: new.config.name,
            });
        }
        let id = self.next_id;
        let (status, real_start_time) = match new.config.start_type {
            StartType::Immediate => (TaskStatus::Running, Some(now_ms)),
            StartType::Schedule => (TaskStatus::Init, None),
        };
        self.insert(StoredTask {
            id,
            agent_id: new.agent_id,
            application_code: new.application_code,
            config: new.config,
            status,
            create_time: now_ms,
            real_start_time,
        });
        self.next_id = TaskId(id.0 + 1);
        self.version += 1;
        Ok(id)
    }

    /// The task, its scheduled start applied (no version bump: the
    /// effective state does not change, only how it is written down).
    fn settled(&mut self, task_id: TaskId, now_ms: i64) -> Result<&mut Entry, ServiceError> {
        let entry = self
            .tasks
            .get_mut(&task_id)
            .ok_or(ServiceError::TaskNotFound { task_id })?;
        entry.task.settle(now_ms);
        Ok(entry)
    }

    fn update(
        &mut self,
        task_id: TaskId,
        config: TaskConfig,
        now_ms: i64,
    ) -> Result<(), ServiceError> {
        let status = self.settled(task_id, now_ms)?.task.status;
        if status == TaskStatus::Running {
            return Err(ServiceError::InvalidTaskStatus {
                task_id,
                status,
                action: "UpdateAiCallTask",
            });
        }
        if let Some(&owner) = self.by_name.get(&config.name)
            && owner != task_id
        {
            return Err(ServiceError::NameTaken { name: config.name });
        }
        let entry = self.settled(task_id, now_ms)?;
        let old_name = std::mem::replace(&mut entry.task.config, config);
        let new_name = entry.task.config.name.clone();
        entry.name_lower = new_name.to_lowercase();
        if old_name.name != new_name {
            self.by_name.remove(&old_name.name);
            self.by_name.insert(new_name, task_id);
        }
        self.version += 1;
        Ok(())
    }

    fn start(&mut self, task_id: TaskId, now_ms: i64) -> Result<(), ServiceError> {
        let entry = self.settled(task_id, now_ms)?;
        match entry.task.status {
            TaskStatus::Init | TaskStatus::Stopped | TaskStatus::Failed => {
                entry.task.status = TaskStatus::Running;
                entry.task.real_start_time = Some(now_ms);
            }
            status @ TaskStatus::Running => {
                return Err(ServiceError::InvalidTaskStatus {
                    task_id,
                    status,
                    action: "StartAiCallTask",
                });
            }
        }
        self.version += 1;
        Ok(())
    }

    fn stop(&mut self, task_id: TaskId, now_ms: i64) -> Result<(), ServiceError> {
        let entry = self.settled(task_id, now_ms)?;
        match entry.task.status {
            TaskStatus::Running | TaskStatus::Init => entry.task.status = TaskStatus::Stopped,
            status @ (TaskStatus::Stopped | TaskStatus::Failed) => {
                return Err(ServiceError::InvalidTaskStatus {
                    task_id,
                    status,
                    action: "StopAiCallTask",
                });
            }
        }
        self.version += 1;
        Ok(())
    }

    fn page(&self, query: &PageQuery, now_ms: i64) -> PageResult {
        let skip = usize::try_from((query.page_no - 1).saturating_mul(u64::from(query.page_size)))
            .unwrap_or(usize::MAX);
        let take = query.page_size as usize;
        // Newest first: IDs count up, so TaskId descending (§7).
        let newest_first = self.tasks.values().rev();
        let (total, items) = if is_unfiltered(query) {
            let items = newest_first
                .skip(skip)
                .take(take)
                .map(|e| e.task.settled(now_ms))
                .collect();
            (self.tasks.len() as u64, items)
        } else {
            let mut total = 0u64;
            let mut items = Vec::new();
            for entry in newest_first.filter(|e| matches(query, e, now_ms)) {
                if total >= skip as u64 && items.len() < take {
                    items.push(entry.task.settled(now_ms));
                }
                total += 1;
            }
            (total, items)
        };
        PageResult {
            page_no: query.page_no,
            page_size: query.page_size,
            total,
            items,
        }
    }
}

fn is_unfiltered(query: &PageQuery) -> bool {
    query.status.is_none()
        && query.task_name.is_none()
        && query.agent_name.is_none()
        && query.task_id.is_none()
        && query.application_code.is_none()
        && query.source.is_none()
}

fn matches(query: &PageQuery, entry: &Entry, now_ms: i64) -> bool {
    let task = &entry.task;
    query.task_id.is_none_or(|id| id == task.id)
        && query.status.is_none_or(|s| s == task.status_at(now_ms))
        && query
            .task_name
            .as_deref()
            .is_none_or(|needle| entry.name_lower.contains(needle))
        // No task has an agent name in the emulator.
        && query.agent_name.is_none()
        && query
            .application_code
            .as_deref()
            .is_none_or(|code| task.application_code.as_deref() == Some(code))
        // A task created without `Source` was created via an agent (0).
        && query
            .source
            .is_none_or(|source| task.config.source.unwrap_or(0) == source)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000_000;

    fn store_with(names: &[&str]) -> Store {
        let store = Store::new(TaskId::FIRST, vec![]).unwrap();
        for name in names {
            let (result, _) = store.execute(Call::Create(NewTask::example(*name)), NOW);
            result.unwrap();
        }
        store
    }

    fn query(page_no: u64, page_size: u32) -> PageQuery {
        PageQuery {
            page_no,
            page_size,
            status: None,
            task_name: None,
            agent_name: None,
            task_id: None,
            application_code: None,
            source: None,
        }
    }

    fn page(store: &Store, q: PageQuery) -> PageResult {
        match store.execute(Call::Page(q), NOW).0.unwrap() {
            Outcome::Page(page) => page,
            other => panic!("not a page: {other:?}"),
        }
    }

    fn names(page: &PageResult) -> Vec<&str> {
        page.items.iter().map(|t| t.config.name.as_str()).collect()
    }

    #[test]
    fn ids_count_up_from_the_first_and_versions_bump() {
        let store = store_with(&[]);
        let (a, v1) = store.execute(Call::Create(NewTask::example("a")), NOW);
        let (b, v2) = store.execute(Call::Create(NewTask::example("b")), NOW);
        assert_eq!(a.unwrap(), Outcome::Created(TaskId::FIRST));
        assert_eq!(b.unwrap(), Outcome::Created(TaskId(TaskId::FIRST.0 + 1)));
        assert_eq!((v1, v2), (1, 2));
        let (dup, v3) = store.execute(Call::Create(NewTask::example("a")), NOW);
        assert_eq!(dup.unwrap_err().code(), "TaskNameDuplicate");
        assert_eq!(v3, 2, "a refused create changes nothing");
    }

    #[test]
    fn listing_is_newest_first_with_true_total_past_the_end() {
        let store = store_with(&["a", "b", "c", "d", "e"]);
        assert_eq!(names(&page(&store, query(1, 2))), ["e", "d"]);
        assert_eq!(names(&page(&store, query(3, 2))), ["a"]);
        let past = page(&store, query(4, 2));
        assert!(past.items.is_empty());
        assert_eq!(past.total, 5);
    }

    #[test]
    fn name_filter_is_a_case_insensitive_substring() {
        let store = store_with(&["Renewal-June", "renewal-july", "Welcome", "续费提醒"]);
        let mut q = query(1, 20);
        q.task_name = Some("renewal".to_owned());
        let result = page(&store, q.clone());
        assert_eq!(names(&result), ["renewal-july", "Renewal-June"]);
        assert_eq!(result.total, 2);
        q.task_name = Some("提醒".to_owned());
        assert_eq!(names(&page(&store, q)), ["续费提醒"]);
    }

    #[test]
    fn status_transitions() {
        use TaskStatus::*;
        // (stored status, operation, expected status or None for refused)
        let table: &[(TaskStatus, &str, Option<TaskStatus>)] = &[
            (Init, "start", Some(Running)),
            (Stopped, "start", Some(Running)),
            (Failed, "start", Some(Running)),
            (Running, "start", None),
            (Running, "stop", Some(Stopped)),
            (Init, "stop", Some(Stopped)),
            (Stopped, "stop", None),
            (Failed, "stop", None),
            (Init, "update", Some(Init)),
            (Stopped, "update", Some(Stopped)),
            (Failed, "update", Some(Failed)),
            (Running, "update", None),
        ];
        for &(from, op, to) in table {
            let mut task = StoredTask {
                id: TaskId::FIRST,
                agent_id: "1".into(),
                application_code: None,
                config: NewTask::example("t").config,
                status: from,
                create_time: 0,
                real_start_time: None,
            };
            task.config.task_cps = Some(1);
            let config = task.config.clone();
            let store = Store::new(TaskId(TaskId::FIRST.0 + 1), vec![task]).unwrap();
            let call = match op {
                "start" => Call::Start(TaskId::FIRST),
                "stop" => Call::Stop(TaskId::FIRST),
                _ => Call::Update {
                    task_id: TaskId::FIRST,
                    config,
                },
            };
            let (result, _) = store.execute(call, NOW);
            let now = store.tasks_at(NOW)[0].status;
            match to {
                Some(to) => {
                    assert_eq!(result.unwrap(), Outcome::Done, "{from} {op}");
                    assert_eq!(now, to, "{from} {op}");
                }
                None => {
                    assert_eq!(
                        result.unwrap_err().code(),
                        "InvalidTaskStatus",
                        "{from} {op}"
                    );
                    assert_eq!(now, from, "{from} {op} must not change the status");
                }
            }
        }
    }

    #[test]
    fn update_renames_and_refuses_another_tasks_name() {
        let store = store_with(&["a", "b"]);
        let a = TaskId::FIRST;
        store.execute(Call::Stop(a), NOW).0.unwrap();
        let mut config = NewTask::example("b").config;
        let refused = store
            .execute(
                Call::Update {
                    task_id: a,
                    config: config.clone(),
                },
                NOW,
            )
            .0;
        assert_eq!(refused.unwrap_err().code(), "TaskNameDuplicate");
        config.name = "c".into();
        store
            .execute(Call::Update { task_id: a, config }, NOW)
            .0
            .unwrap();
        // The old name is free again, the new one taken.
        store
            .execute(Call::Create(NewTask::example("a")), NOW)
            .0
            .unwrap();
        let again = store.execute(Call::Create(NewTask::example("c")), NOW).0;
        assert_eq!(again.unwrap_err().code(), "TaskNameDuplicate");
    }

    #[test]
    fn unknown_task_is_not_found() {
        let store = store_with(&[]);
        let result = store.execute(Call::Detail(TaskId(42)), NOW).0;
        assert_eq!(result.unwrap_err().code(), "TaskNotFound");
    }

    #[test]
    fn seed_is_all_or_nothing() {
        let store = store_with(&["a"]);
        let refused = store.seed(vec![NewTask::example("x"), NewTask::example("a")], NOW);
        assert!(refused.is_err());
        let repeated = store.seed(vec![NewTask::example("y"), NewTask::example("y")], NOW);
        assert!(repeated.is_err());
        assert_eq!(store.tasks_at(NOW).len(), 1);
        let (ids, version) = store.seed(vec![NewTask::example("x")], NOW).unwrap();
        assert_eq!(ids, [TaskId(TaskId::FIRST.0 + 1)]);
        assert_eq!(version, 2);
    }

    #[test]
    fn inconsistent_accounts_are_refused() {
        let task = |id: u64, name: &str| StoredTask {
            id: TaskId(id),
            agent_id: "1".into(),
            application_code: None,
            config: NewTask::example(name).config,
            status: TaskStatus::Running,
            create_time: 0,
            real_start_time: None,
        };
        assert!(matches!(
            Store::new(TaskId(10), vec![task(1, "a"), task(1, "b")]),
            Err(Inconsistency::DuplicateId(_))
        ));
        assert!(matches!(
            Store::new(TaskId(10), vec![task(1, "a"), task(2, "a")]),
            Err(Inconsistency::DuplicateName(_))
        ));
        assert!(matches!(
            Store::new(TaskId(2), vec![task(2, "a")]),
            Err(Inconsistency::NextIdTooLow { .. })
        ));
    }
}
