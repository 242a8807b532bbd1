//! `retry`: the redial policy, with the API's limits and the warning for
//! intervals that UpdateAiCallTask would refuse.

use crate::diag::{Expected, Problem, Scope};
use crate::manifest::field::Field;
use crate::manifest::model::{Retry, RetryReason};
use crate::manifest::validate::{Checker, Slot, first_line};
use crate::manifest::yaml::{Node, NodeKind};

impl Checker<'_, '_> {
    pub(super) fn retry(&mut self, node: &Node<'_>) -> Option<Retry> {
        let NodeKind::Mapping(entries) = &node.kind else {
            self.type_error(node, Field::Retry.key(), Expected::Mapping);
            return None;
        };
        let (mut reasons, mut times, mut interval) = (Slot::Absent, Slot::Absent, Slot::Absent);
        let scope = Scope::Field(Field::Retry.key());
        for entry in entries {
            let value = &entry.value;
            match self.field(entry, Field::RETRY, &scope) {
                Some(field @ Field::RetryReasons) => {
                    reasons = Slot::from_option(self.words(value, field, RetryReason::WORDS));
                }
                Some(field @ Field::RetryTimes) => {
                    times = Slot::from_option(
                        self.integer(value, field)
                            .and_then(|n| u8::try_from(n).ok()),
                    );
                }
                Some(field @ Field::RetryIntervalMinutes) => {
                    let minutes = self
                        .integer(value, field)
                        .and_then(|n| u16::try_from(n).ok());
                    if let Some(minutes) = minutes
                        && minutes > Retry::UPDATE_MAX_INTERVAL_MINUTES
                    {
                        // §3.8: Create takes up to 720, Update only 120.
                        self.report(value.span, Problem::UpdateLimit { minutes });
                    }
                    interval = Slot::from_option(minutes);
                }
                _ => {}
            }
        }
        let at = first_line(node.span, self.file);
        let mut missing = Vec::new();
        let reasons = self.required(reasons, Field::RetryReasons.leaf(), &mut missing);
        let times = self.required(times, Field::RetryTimes.leaf(), &mut missing);
        let interval_minutes =
            self.required(interval, Field::RetryIntervalMinutes.leaf(), &mut missing);
        self.missing(missing, &scope, at);
        Some(Retry {
            reasons: reasons?,
            times: times?,
            interval_minutes: interval_minutes?,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::validate::testing::{load, task};

    #[test]
    fn retry_intervals_above_the_update_limit_warn() {
        let loaded = load(&task(
            "    retry: { reasons: [NO_ANSWER], times: 1, intervalMinutes: 121 }\n",
        ));
        assert_eq!(loaded.diagnostics.len(), 1);
        assert_eq!(loaded.diagnostics[0].code(), "update-limit");
        assert!(!loaded.has_errors());
        assert_eq!(loaded.tasks.len(), 1);
    }
}
