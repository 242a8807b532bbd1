//! Keys: each mapping allows its own, and a key that is not allowed is
//! reported with the nearest allowed one, or a hint where it belongs.

use crate::diag::{Problem, Scope, SourceFile, suggest};
use crate::manifest::field::Field;
use crate::manifest::validate::{Checker, first_line};
use crate::manifest::yaml::{Entry, NodeKind};

impl Checker<'_, '_> {
    /// The key of an entry if it is one of `allowed`; reports it otherwise.
    pub(super) fn key(
        &mut self,
        entry: &Entry<'_>,
        allowed: &[&'static str],
        scope: &Scope,
    ) -> Option<&'static str> {
        let text = key_text(entry, self.file)?;
        if let Some(key) = allowed.iter().find(|key| **key == text) {
            return Some(key);
        }
        self.unknown_key(entry, text, allowed, scope);
        None
    }

    /// The field an entry sets if it is one of `allowed` (matched by the
    /// key inside its mapping, e.g. `times` in `retry`); reports it
    /// otherwise.
    pub(super) fn field(
        &mut self,
        entry: &Entry<'_>,
        allowed: &[Field],
        scope: &Scope,
    ) -> Option<Field> {
        let text = key_text(entry, self.file)?;
        if let Some(field) = allowed.iter().find(|field| field.leaf() == text) {
            return Some(*field);
        }
        self.unknown_key(entry, text, &Field::leaves(allowed), scope);
        None
    }

    /// Reports a key that is not allowed, with a hint where it belongs or
    /// the nearest allowed key.
    fn unknown_key(
        &mut self,
        entry: &Entry<'_>,
        text: &str,
        allowed: &[&'static str],
        scope: &Scope,
    ) {
        let hint = match scope {
            Scope::TopLevel if Field::TASK.iter().any(|field| field.key() == text) => {
                Some("task fields go in a task under `tasks:`, or under `defaults:` for every task")
            }
            Scope::Defaults if text == Field::Name.key() => {
                Some("every task names itself: `name` cannot have a default")
            }
            Scope::Task(_) if text == "defaults" || text == "version" => {
                Some("`defaults` and `version` belong at the top level of the document")
            }
            _ => None,
        };
        let suggestion = if hint.is_some() {
            None
        } else {
            suggest(text, allowed)
        };
        self.suggested.extend(suggestion);
        self.report(
            first_line(entry.key.span, self.file),
            Problem::UnknownKey {
                key: text.to_owned(),
                scope: scope.clone(),
                suggestion,
                hint,
            },
        );
    }
}

/// The text of an entry's key; `None` when the key was already reported.
fn key_text<'e>(entry: &'e Entry<'_>, file: &'e SourceFile) -> Option<&'e str> {
    match entry.key.as_scalar() {
        Some(scalar) => Some(&scalar.text),
        None if matches!(entry.key.kind, NodeKind::Invalid) => None,
        None => Some(file.slice(first_line(entry.key.span, file))),
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::validate::testing::{HEAD, load, problems, task};

    #[test]
    fn unknown_keys_suggest_the_nearest_key_of_their_scope() {
        problems(
            &task("    concurency: 5\n    start: { at: x, zone: y }\n"),
            &[
                ("unknown-key", 10, 5, 10),
                ("datetime", 11, 18, 1),
                ("unknown-key", 11, 21, 4),
            ],
        );
        let loaded = load(&task("    concurency: 5\n"));
        assert_eq!(
            loaded.diagnostics[0].problem.help().unwrap(),
            "did you mean `concurrency`?"
        );
    }

    #[test]
    fn a_misspelt_required_key_is_not_also_missing() {
        let text = "version: 1\ntasks:\n  - name: t\n    agentid: \"1\"\n    virtualNumber: \"2\"\n    start: immediate\n    callDays: [MONDAY]\n    callWindows: [{ start: \"09:00\", end: \"12:00\" }]\n";
        problems(text, &[("unknown-key", 4, 5, 7)]);
    }

    #[test]
    fn unknown_top_level_keys_say_where_task_fields_go() {
        let loaded = load(&format!("concurrency: 3\n{HEAD}  - name: a\n"));
        assert_eq!(loaded.diagnostics[0].code(), "unknown-key");
        assert!(
            loaded.diagnostics[0]
                .problem
                .help()
                .unwrap()
                .contains("under `defaults:`")
        );
    }
}
