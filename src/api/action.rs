//! The six operations the client calls, by their wire names.

use std::fmt;

/// An operation of aiccs 2019-10-15 (the `Action` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `CreateAiCallTask` (§3.1): not idempotent, there is no ClientToken.
    CreateAiCallTask,
    /// `UpdateAiCallTask` (§3.2): a full replacement, so idempotent.
    UpdateAiCallTask,
    /// `QueryAiCallTaskPage` (§3.3).
    QueryAiCallTaskPage,
    /// `QueryAiCallTaskDetail` (§3.4).
    QueryAiCallTaskDetail,
    /// `StartAiCallTask` (§3.5).
    StartAiCallTask,
    /// `StopAiCallTask` (§3.5).
    StopAiCallTask,
}

impl Action {
    /// Every action, in a stable order.
    pub const ALL: [Action; 6] = [
        Action::CreateAiCallTask,
        Action::UpdateAiCallTask,
        Action::QueryAiCallTaskPage,
        Action::QueryAiCallTaskDetail,
        Action::StartAiCallTask,
        Action::StopAiCallTask,
    ];

    /// The wire name, e.g. `CreateAiCallTask`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CreateAiCallTask => "CreateAiCallTask",
            Action::UpdateAiCallTask => "UpdateAiCallTask",
            Action::QueryAiCallTaskPage => "QueryAiCallTaskPage",
            Action::QueryAiCallTaskDetail => "QueryAiCallTaskDetail",
            Action::StartAiCallTask => "StartAiCallTask",
            Action::StopAiCallTask => "StopAiCallTask",
        }
    }

    /// Whether the action changes the account.
    pub fn is_mutating(self) -> bool {
        !matches!(
            self,
            Action::QueryAiCallTaskPage | Action::QueryAiCallTaskDetail
        )
    }

    /// Whether a request may be sent again after its reply was lost.
    ///
    /// Only a create may not: a second one would make a second task (or, if
    /// the first committed, fail with `TaskNameDuplicate`), and nothing
    /// deduplicates it (§4.3). Update is a full replacement; a repeated
    /// start or stop at worst fails with `InvalidTaskStatus`, which the
    /// client reports as an unknown outcome rather than hiding it.
    pub fn may_resend_after_lost_reply(self) -> bool {
        self != Action::CreateAiCallTask
    }

    /// The index of this action in [`Action::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_matches_the_order_of_all() {
        for (i, action) in Action::ALL.iter().enumerate() {
            assert_eq!(action.index(), i);
        }
    }

    #[test]
    fn only_create_is_never_resent() {
        let never: Vec<_> = Action::ALL
            .into_iter()
            .filter(|a| !a.may_resend_after_lost_reply())
            .collect();
        assert_eq!(never, [Action::CreateAiCallTask]);
    }
}
