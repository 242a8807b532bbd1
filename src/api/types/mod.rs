//! Typed requests and replies of the six operations, in API words.
//!
//! Field docs name the wire parameter or reply field (`TaskCps`,
//! `CallTime`, ...). How a request becomes query parameters lives in
//! `request.rs`; these types only describe values.
//!
//! `task_id.rs` holds the one identifier every operation uses; `values.rs`
//! the values both directions share (start type, status, calling window);
//! `requests.rs` what is sent; `replies.rs` what is read back, deliberately
//! forgiving (`aiccs-api.md` §3). Everything is re-exported here, so the
//! split is invisible to callers.

mod replies;
mod requests;
mod task_id;
mod values;

pub use replies::{TaskDetail, TaskPage, TaskSummary};
pub use requests::{CreateTask, PageQuery, TaskSettings, UpdateTask};
pub use task_id::{InvalidTaskId, TaskId};
pub use values::{CallWindow, StartType, TaskStatus};
