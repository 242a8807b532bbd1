//! A task: its name first, then its own fields over the document's
//! `defaults`, then the required fields checked after merging.

use crate::diag::{Expected, Problem, Scope, Span};
use crate::manifest::field::Field;
use crate::manifest::model::{DeclaredStatus, Origin, Retry, Start, TaskSpec, Weekday, Window};
use crate::manifest::validate::{Checker, Slot, first_line};
use crate::manifest::yaml::{Entry, Node, NodeKind};

/// A task found in a document, with whatever could be validated.
#[derive(Debug, Clone)]
pub struct Found {
    /// Its name and where the name is written, when it has a usable one
    /// (for the uniqueness check, which runs even if other fields fail).
    pub name: Option<(String, Span)>,
    /// The task, when every field is valid.
    pub spec: Option<TaskSpec>,
    /// Its old names (`renamedFrom`) and where each is written, for the
    /// checks across manifests.
    pub renamed_from: Vec<(String, Span)>,
}

/// The task fields of `defaults` or of one task.
#[derive(Debug, Clone, Default)]
pub(super) struct Fields {
    agent_id: Slot<String>,
    virtual_number: Slot<String>,
    start: Slot<Start>,
    concurrency: Slot<Option<u32>>,
    call_days: Slot<Vec<Weekday>>,
    call_windows: Slot<Vec<Window>>,
    retry: Slot<Option<Retry>>,
    status: Slot<Option<DeclaredStatus>>,
    renamed_from: Slot<Vec<(String, Span)>>,
}

impl Checker<'_, '_> {
    pub(super) fn task(
        &mut self,
        node: &Node<'_>,
        defaults: &Fields,
        document: usize,
    ) -> Option<Found> {
        let suggested = self.suggested.len();
        let found = self.task_fields(node, defaults, document);
        self.suggested.truncate(suggested);
        found
    }

    fn task_fields(
        &mut self,
        node: &Node<'_>,
        defaults: &Fields,
        document: usize,
    ) -> Option<Found> {
        let entries = match &node.kind {
            NodeKind::Mapping(entries) => entries,
            NodeKind::Invalid => return None,
            _ => {
                self.type_error(node, "tasks[]", Expected::Mapping);
                return None;
            }
        };
        // The name first: every other message about this task uses it.
        let name_entry = entries.iter().find(|entry| {
            entry
                .key
                .as_scalar()
                .is_some_and(|key| key.text == Field::Name.key())
        });
        let name = match name_entry {
            Some(entry) => self.name(&entry.value),
            None => {
                self.report(
                    first_line(node.span, self.file),
                    Problem::Missing {
                        fields: vec![Field::Name.key()],
                        scope: Scope::Task(None),
                    },
                );
                None
            }
        };
        let scope = Scope::Task(name.as_ref().map(|(name, _)| name.clone()));
        let own = self.fields(entries, &scope, name.as_ref().map(|(n, _)| n.as_str()));
        let merged = Fields {
            agent_id: pick(own.agent_id, &defaults.agent_id),
            virtual_number: pick(own.virtual_number, &defaults.virtual_number),
            start: pick(own.start, &defaults.start),
            concurrency: pick(own.concurrency, &defaults.concurrency),
            call_days: pick(own.call_days, &defaults.call_days),
            call_windows: pick(own.call_windows, &defaults.call_windows),
            retry: pick(own.retry, &defaults.retry),
            status: pick(own.status, &defaults.status),
            renamed_from: own.renamed_from,
        };
        let at = name
            .as_ref()
            .map_or_else(|| first_line(node.span, self.file), |(_, span)| *span);
        let mut missing = Vec::new();
        let agent_id = self.required(merged.agent_id, Field::AgentId.key(), &mut missing);
        let virtual_number = self.required(
            merged.virtual_number,
            Field::VirtualNumber.key(),
            &mut missing,
        );
        let start = self.required(merged.start, Field::Start.key(), &mut missing);
        let call_days = self.required(merged.call_days, Field::CallDays.key(), &mut missing);
        let call_windows =
            self.required(merged.call_windows, Field::CallWindows.key(), &mut missing);
        self.missing(missing, &scope, at);
        let concurrency = optional(merged.concurrency);
        let retry = optional(merged.retry);
        let status = optional(merged.status);
        let renamed_from = match merged.renamed_from {
            Slot::Absent => Some(Vec::new()),
            Slot::Invalid => None,
            Slot::Set(names) => Some(names),
        };
        let spec = match (
            &name,
            agent_id,
            virtual_number,
            start,
            call_days,
            call_windows,
            (concurrency, retry),
            (status, &renamed_from),
        ) {
            (
                Some((name, span)),
                Some(agent_id),
                Some(virtual_number),
                Some(start),
                Some(call_days),
                Some(call_windows),
                (Some(concurrency), Some(retry)),
                (Some(status), Some(renamed_from)),
            ) => Some(TaskSpec {
                name: name.clone(),
                agent_id,
                virtual_number,
                start,
                concurrency,
                call_days,
                call_windows,
                retry,
                status,
                renamed_from: renamed_from.iter().map(|(old, _)| old.clone()).collect(),
                origin: Origin {
                    file: self.file.path().to_path_buf(),
                    document,
                    line: span.line,
                    column: span.column,
                },
            }),
            _ => None,
        };
        Some(Found {
            name,
            spec,
            renamed_from: renamed_from.unwrap_or_default(),
        })
    }

    /// Reads the task fields of a mapping (`defaults` or a task named
    /// `own`).
    pub(super) fn fields(
        &mut self,
        entries: &[Entry<'_>],
        scope: &Scope,
        own: Option<&str>,
    ) -> Fields {
        let allowed = if *scope == Scope::Defaults {
            Field::DEFAULTS
        } else {
            Field::TASK
        };
        let mut fields = Fields::default();
        for entry in entries {
            let Some(field) = self.field(entry, allowed, scope) else {
                continue;
            };
            let value = &entry.value;
            match field {
                Field::AgentId => fields.agent_id = Slot::from_option(self.id_field(value, field)),
                Field::VirtualNumber => {
                    fields.virtual_number = Slot::from_option(self.id_field(value, field));
                }
                Field::Start => fields.start = Slot::from_option(self.start(value)),
                Field::Concurrency => {
                    // `null` says "not managed", overriding a default.
                    fields.concurrency = if value.is_null() {
                        Slot::Set(None)
                    } else {
                        Slot::from_option(
                            self.integer(value, field)
                                .and_then(|n| u32::try_from(n).ok())
                                .map(Some),
                        )
                    };
                }
                Field::CallDays => fields.call_days = Slot::from_option(self.call_days(value)),
                Field::CallWindows => {
                    fields.call_windows = Slot::from_option(self.call_windows(value));
                }
                Field::Retry => {
                    // `null` says "no redial", overriding a default.
                    fields.retry = if value.is_null() {
                        Slot::Set(None)
                    } else {
                        Slot::from_option(self.retry(value).map(Some))
                    };
                }
                Field::Status => fields.status = Slot::from_option(self.status(value)),
                Field::RenamedFrom => {
                    fields.renamed_from = Slot::from_option(self.renamed_from(value, own));
                }
                // `name` is read by `task` before the other fields; the
                // fields inside `retry` are not keys of a task.
                Field::Name
                | Field::RetryReasons
                | Field::RetryTimes
                | Field::RetryIntervalMinutes => {}
            }
        }
        fields
    }
}

/// A task's own value if it has one, else the default.
fn pick<T: Clone>(own: Slot<T>, default: &Slot<T>) -> Slot<T> {
    match own {
        Slot::Absent => default.clone(),
        own => own,
    }
}

/// An optional field: absent is `None`, invalid is no task at all.
fn optional<T>(slot: Slot<Option<T>>) -> Option<Option<T>> {
    match slot {
        Slot::Absent => Some(None),
        Slot::Invalid => None,
        Slot::Set(value) => Some(value),
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::validate::testing::{HEAD, load, problems};

    #[test]
    fn task_fields_replace_defaults_and_null_clears_optional_ones() {
        let text = "version: 1
defaults:
  agentId: \"1\"
  virtualNumber: \"2\"
  callDays: [MONDAY]
  callWindows: [{ start: \"09:00\", end: \"12:00\" }]
  start: immediate
  concurrency: 5
  retry: { reasons: [NO_ANSWER], times: 1, intervalMinutes: 10 }
tasks:
  - name: inherits
  - name: overrides
    agentId: \"9\"
    concurrency: ~
    retry: null
";
        let loaded = load(text);
        assert_eq!(loaded.diagnostics, []);
        let [inherits, overrides] = loaded.tasks.as_slice() else {
            panic!("two tasks");
        };
        assert_eq!(
            (inherits.agent_id.as_str(), inherits.concurrency),
            ("1", Some(5))
        );
        assert!(inherits.retry.is_some());
        assert_eq!(
            (overrides.agent_id.as_str(), overrides.concurrency),
            ("9", None)
        );
        assert!(overrides.retry.is_none());
    }

    #[test]
    fn a_bad_default_is_reported_once_not_per_task() {
        let text = HEAD.replace("[MONDAY]", "[MONDAI]") + "  - name: a\n  - name: b\n";
        problems(&text, &[("enum", 5, 14, 6)]);
        assert!(load(&text).tasks.is_empty());
    }

    #[test]
    fn missing_fields_point_at_the_task_name() {
        problems(
            "version: 1\ntasks:\n  - name: lonely\n",
            &[("missing", 3, 11, 6)],
        );
        let loaded = load("version: 1\ntasks:\n  - name: lonely\n");
        assert_eq!(
            loaded.diagnostics[0].message(),
            "task `lonely` has no `agentId`, `virtualNumber`, `start`, `callDays`, or `callWindows`"
        );
        problems(
            &format!("{HEAD}  - start: immediate\n"),
            &[("missing", 9, 5, 16)],
        );
    }
}
