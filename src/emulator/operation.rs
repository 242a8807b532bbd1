//! The six operations the emulator serves.

use std::fmt;

/// An action of aiccs 2019-10-15 that the emulator implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// `CreateAiCallTask`.
    Create,
    /// `UpdateAiCallTask`.
    Update,
    /// `QueryAiCallTaskPage`.
    Page,
    /// `QueryAiCallTaskDetail`.
    Detail,
    /// `StartAiCallTask`.
    Start,
    /// `StopAiCallTask`.
    Stop,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 6] = [
        Operation::Create,
        Operation::Update,
        Operation::Page,
        Operation::Detail,
        Operation::Start,
        Operation::Stop,
    ];

    /// The `Action` name.
    pub fn action(self) -> &'static str {
        match self {
            Operation::Create => "CreateAiCallTask",
            Operation::Update => "UpdateAiCallTask",
            Operation::Page => "QueryAiCallTaskPage",
            Operation::Detail => "QueryAiCallTaskDetail",
            Operation::Start => "StartAiCallTask",
            Operation::Stop => "StopAiCallTask",
        }
    }

    /// Whether it changes a task (the two queries do not).
    pub fn is_write(self) -> bool {
        !matches!(self, Operation::Page | Operation::Detail)
    }

    /// The operation an `Action` names, compared exactly.
    pub fn from_action(action: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.action() == action)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.action())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_are_case_sensitive() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_action(op.action()), Some(op));
        }
        assert_eq!(Operation::from_action("createaicalltask"), None);
    }
}
