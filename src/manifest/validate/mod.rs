//! Every rule of the manifest language, applied to a positioned YAML tree.
//!
//! Problems are collected, never returned early: a document with ten
//! mistakes yields ten diagnostics. Each value is checked once, where it
//! is written — a bad value under `defaults` is one error, not one per
//! task — and a value that already failed is not blamed again later (no
//! "missing `agentId`" after "`agentId` must be a string").
//!
//! The limits are the API's (`aiccs-api.md` §3.1, §3.7, §3.8); where the
//! service is silent, the emulator's conventions (§7) decide.
//!
//! The rules are grouped by family: `task` (a task's fields, merged with
//! `defaults`), `keys` (unknown keys), `scalars` (strings, IDs, names,
//! numbers), `start` (dates), `lists` (days and retry reasons), `windows`
//! (times of day) and `retry`; `names` checks the names across every
//! file, once `load` has read them all.

mod keys;
mod lifecycle;
mod lists;
mod names;
mod retry;
mod scalars;
mod start;
mod task;
mod windows;

use crate::diag::{Diagnostic, Expected, FileId, Problem, Scope, SourceFile, Span};
use crate::manifest::yaml::{Document, Node, NodeKind, Resolved, describe, shown};

pub use names::{check_names, check_renames};
use task::Fields;
pub use task::Found;

/// Keys of a document's top level.
const TOP_KEYS: &[&str] = &["version", "defaults", "tasks", "$schema"];

/// What a field holds after its own checks.
#[derive(Debug, Clone, Default)]
enum Slot<T> {
    /// Not written.
    #[default]
    Absent,
    /// Written, wrong, already reported.
    Invalid,
    /// Written and valid.
    Set(T),
}

impl<T> Slot<T> {
    fn from_option(value: Option<T>) -> Slot<T> {
        value.map_or(Slot::Invalid, Slot::Set)
    }
}

/// Checks documents of one file.
pub struct Checker<'f, 'o> {
    file: &'f SourceFile,
    id: FileId,
    out: &'o mut Vec<Diagnostic>,
    /// Keys offered as "did you mean" in the current document (defaults)
    /// and task: a misspelt key is not reported a second time as missing.
    suggested: Vec<&'static str>,
}

impl<'f, 'o> Checker<'f, 'o> {
    /// A checker reporting problems of `file` (id `id`) to `out`.
    pub fn new(file: &'f SourceFile, id: FileId, out: &'o mut Vec<Diagnostic>) -> Self {
        Checker {
            file,
            id,
            out,
            suggested: Vec::new(),
        }
    }

    fn report(&mut self, span: Span, problem: Problem) {
        self.out.push(Diagnostic::new(self.id, span, problem));
    }

    /// A scalar as written (its first line: [`shown`]), without the quotes
    /// around it; empty for a collection, which is not one value.
    fn written(&self, node: &Node<'_>) -> String {
        node.as_scalar()
            .map(|scalar| unquote(&shown(node, scalar, self.file)))
            .unwrap_or_default()
    }

    /// Checks one document; `None` when it is empty (no content at all).
    pub fn document(&mut self, document: &Document<'_>) -> Option<Vec<Found>> {
        let root = document.root.as_ref()?;
        self.suggested.clear();
        let entries = match &root.kind {
            NodeKind::Mapping(entries) => entries,
            NodeKind::Invalid => return Some(Vec::new()),
            _ if root.is_null() => return None,
            _ => {
                let found = describe(root, self.file);
                self.report(
                    first_line(root.span, self.file),
                    Problem::NotManifest { found },
                );
                return Some(Vec::new());
            }
        };
        let mut version = None;
        let mut defaults = None;
        let mut tasks = None;
        for entry in entries {
            let Some(key) = self.key(entry, TOP_KEYS, &Scope::TopLevel) else {
                continue;
            };
            match key {
                "version" => version = Some(&entry.value),
                "defaults" => defaults = Some(&entry.value),
                "tasks" => tasks = Some(&entry.value),
                _ => {
                    // `$schema`: for editors; any string will do.
                    self.string(&entry.value, "$schema");
                }
            }
        }
        match version {
            None => self.report(
                first_line(root.span, self.file),
                Problem::Missing {
                    fields: vec!["version"],
                    scope: Scope::TopLevel,
                },
            ),
            Some(node) => {
                let is_one = node
                    .as_scalar()
                    .is_some_and(|scalar| scalar.resolve() == Resolved::Int && scalar.text == "1");
                if !is_one {
                    let found = match node.as_scalar() {
                        Some(scalar) => shown(node, scalar, self.file),
                        None => describe(node, self.file),
                    };
                    self.report(node.span, Problem::Version { found });
                    // Another version may mean another language: checking
                    // it as version 1 would only bury this error.
                    return Some(Vec::new());
                }
            }
        }
        let defaults = match defaults {
            None => Fields::default(),
            Some(node) if node.is_null() => Fields::default(),
            Some(node) => match &node.kind {
                NodeKind::Mapping(entries) => self.fields(entries, &Scope::Defaults, None),
                NodeKind::Invalid => Fields::default(),
                _ => {
                    self.type_error(node, "defaults", Expected::Mapping);
                    Fields::default()
                }
            },
        };
        let items = match tasks {
            None => {
                self.report(
                    first_line(root.span, self.file),
                    Problem::NoTasks { empty_file: false },
                );
                return Some(Vec::new());
            }
            Some(node) => match &node.kind {
                NodeKind::Sequence(items) if !items.is_empty() => items,
                NodeKind::Sequence(_) => {
                    self.report(node.span, Problem::NoTasks { empty_file: false });
                    return Some(Vec::new());
                }
                _ if node.is_null() => {
                    self.report(node.span, Problem::NoTasks { empty_file: false });
                    return Some(Vec::new());
                }
                NodeKind::Invalid => return Some(Vec::new()),
                _ => {
                    self.type_error(node, "tasks", Expected::List);
                    return Some(Vec::new());
                }
            },
        };
        Some(
            items
                .iter()
                .filter_map(|item| self.task(item, &defaults, document.index))
                .collect(),
        )
    }

    /// A required field after merging: reports it when absent.
    fn required<T>(
        &self,
        slot: Slot<T>,
        field: &'static str,
        missing: &mut Vec<&'static str>,
    ) -> Option<T> {
        match slot {
            Slot::Set(value) => Some(value),
            Slot::Invalid => None,
            Slot::Absent if self.suggested.contains(&field) => None,
            Slot::Absent => {
                missing.push(field);
                None
            }
        }
    }

    /// Reports the required fields that were absent, in one diagnostic.
    fn missing(&mut self, fields: Vec<&'static str>, scope: &Scope, at: Span) {
        if !fields.is_empty() {
            let scope = scope.clone();
            self.report(at, Problem::Missing { fields, scope });
        }
    }
}

/// The first line of a span: a collection is shown by where it starts.
fn first_line(span: Span, file: &SourceFile) -> Span {
    let text = file.slice(span);
    let len = text.find('\n').unwrap_or(text.len());
    let len = text[..len].trim_end().len().max(usize::from(span.len > 0));
    Span { len, ..span }
}

/// A value shown without the quotes it was written in.
fn unquote(written: &str) -> String {
    let quoted = |q: char| written.len() >= 2 && written.starts_with(q) && written.ends_with(q);
    if quoted('"') || quoted('\'') {
        written[1..written.len() - 1].to_owned()
    } else {
        written.to_owned()
    }
}

#[cfg(test)]
mod testing;

#[cfg(test)]
mod tests {
    use crate::manifest::model::{RetryReason, Start, Weekday};
    use crate::manifest::validate::testing::{HEAD, load, problems};

    #[test]
    fn a_valid_task_becomes_a_spec_with_canonical_lists() {
        let loaded = load(&format!(
            "{HEAD}  - name: 续费
    start: {{ at: \"2030-12-01T09:00:00+08:00\" }}
    concurrency: ${{CPS}}
    callDays: [SUNDAY, MONDAY, WEDNESDAY]
    callWindows:
      - {{ start: \"14:00\", end: \"18:00:30\" }}
      - {{ start: \"09:00\", end: \"12:00\" }}
    retry: {{ reasons: [NO_ANSWER, CALL_REJECTED], times: 3, intervalMinutes: 720 }}
"
        ));
        assert_eq!(loaded.error_count(), 0, "{:#?}", loaded.diagnostics);
        let spec = &loaded.tasks[0];
        assert_eq!(spec.name, "续费");
        assert_eq!(spec.concurrency, Some(40));
        assert_eq!(
            spec.call_days,
            [Weekday::Monday, Weekday::Wednesday, Weekday::Sunday]
        );
        let windows: Vec<String> = spec.call_windows.iter().map(ToString::to_string).collect();
        assert_eq!(windows, ["09:00:00-12:00:00", "14:00:00-18:00:30"]);
        let retry = spec.retry.as_ref().unwrap();
        assert_eq!(
            retry.reasons,
            [RetryReason::CallRejected, RetryReason::NoAnswer]
        );
        assert_eq!((retry.times, retry.interval_minutes), (3, 720));
        let Start::At(at) = &spec.start else {
            panic!("not scheduled");
        };
        assert_eq!(at.at.as_millisecond(), 1_922_317_200_000);
        assert_eq!(at.written, "2030-12-01T09:00:00+08:00");
        assert_eq!(
            (spec.origin.document, spec.origin.line, spec.origin.column),
            (1, 9, 11)
        );
    }

    #[test]
    fn documents_need_version_one_and_tasks() {
        problems("version: 2\ntasks: [x]\n", &[("version", 1, 10, 1)]);
        problems("version: 1\n", &[("no-tasks", 1, 1, 10)]);
        problems(
            "tasks: []\n",
            &[("missing", 1, 1, 9), ("no-tasks", 1, 8, 2)],
        );
        problems("- a\n", &[("type", 1, 1, 3)]);
        problems("# nothing\n", &[("no-tasks", 0, 0, 0)]);
        problems(&format!("---\n{HEAD}  - name: a\n---\n"), &[]);
    }
}
