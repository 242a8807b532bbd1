//! The task's lifecycle fields: `status` (`running` or `stopped`) and
//! `renamedFrom` (an old name, or a list of them). Whether an old name is
//! another task's, or claimed twice, needs every manifest and is checked
//! in `load`; here each value is checked where it is written.

use crate::diag::{Problem, RenameFlaw, Span, suggest};
use crate::manifest::field::Field;
use crate::manifest::model::DeclaredStatus;
use crate::manifest::validate::Checker;
use crate::manifest::yaml::{Node, NodeKind};

impl Checker<'_, '_> {
    /// `running` or `stopped`; `null` leaves the status unmanaged,
    /// overriding a default.
    pub(super) fn status(&mut self, node: &Node<'_>) -> Option<Option<DeclaredStatus>> {
        if node.is_null() {
            return Some(None);
        }
        let field = Field::Status.key();
        let word = self.string(node, field)?;
        match word.parse::<DeclaredStatus>() {
            Ok(status) => Some(Some(status)),
            Err(()) => {
                let found = self.written(node);
                let lower = word.to_lowercase();
                self.report(
                    node.span,
                    Problem::Enum {
                        field: field.to_owned(),
                        suggestion: suggest(&lower, DeclaredStatus::WORDS),
                        found,
                        allowed: DeclaredStatus::WORDS,
                    },
                );
                None
            }
        }
    }

    /// One old name or a non-empty list of them, each a valid task name
    /// other than `own`.
    pub(super) fn renamed_from(
        &mut self,
        node: &Node<'_>,
        own: Option<&str>,
    ) -> Option<Vec<(String, Span)>> {
        let items: Vec<&Node<'_>> = match &node.kind {
            NodeKind::Sequence(_) => self.list(node, Field::RenamedFrom.key())?.iter().collect(),
            _ => vec![node],
        };
        let mut out: Vec<(String, Span)> = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            let Some((old, span)) = self.name(item) else {
                ok = false;
                continue;
            };
            if Some(old.as_str()) == own {
                self.report(
                    span,
                    Problem::Rename {
                        old,
                        flaw: RenameFlaw::Itself,
                    },
                );
                ok = false;
                continue;
            }
            if out.iter().any(|(seen, _)| *seen == old) {
                self.report(
                    span,
                    Problem::DuplicateItem {
                        field: Field::RenamedFrom.key().to_owned(),
                        value: old,
                    },
                );
                ok = false;
                continue;
            }
            out.push((old, span));
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::model::DeclaredStatus;
    use crate::manifest::validate::testing::{HEAD, load, problems};

    #[test]
    fn status_is_running_stopped_or_unmanaged() {
        let text = format!(
            "{HEAD}  - name: a\n    status: running\n  - name: b\n    status: stopped\n  - name: c\n"
        );
        let loaded = load(&text);
        assert_eq!(loaded.diagnostics, []);
        let statuses: Vec<_> = loaded.tasks.iter().map(|t| t.status).collect();
        assert_eq!(
            statuses,
            [
                Some(DeclaredStatus::Running),
                Some(DeclaredStatus::Stopped),
                None
            ]
        );
        let text = format!("{HEAD}  - name: a\n    status: Runing\n");
        problems(&text, &[("enum", 10, 13, 6)]);
        assert_eq!(
            load(&text).diagnostics[0].problem.help().as_deref(),
            Some("did you mean `running`?")
        );
    }

    #[test]
    fn renamed_from_takes_one_name_or_a_list_never_the_own_name() {
        let text = format!(
            "{HEAD}  - name: new\n    renamedFrom: old\n  - name: newer\n    renamedFrom: [older, oldest]\n"
        );
        let loaded = load(&text);
        assert_eq!(loaded.diagnostics, []);
        assert_eq!(loaded.tasks[0].renamed_from, ["old"]);
        assert_eq!(loaded.tasks[1].renamed_from, ["older", "oldest"]);
        problems(
            &format!("{HEAD}  - name: same\n    renamedFrom: same\n"),
            &[("renamed-from", 10, 18, 4)],
        );
        problems(
            &format!("{HEAD}  - name: a\n    renamedFrom: [b, b]\n"),
            &[("duplicate", 10, 22, 1)],
        );
        problems(
            &format!("{HEAD}  - name: a\n    renamedFrom: []\n"),
            &[("empty", 10, 18, 2)],
        );
    }
}
