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

use std::path::Path;

use crate::diag::{
    Diagnostic, Expected, FileId, NameFlaw, Problem, Scope, SourceFile, Span, suggest,
};
use crate::manifest::model::{
    Origin, Retry, RetryReason, Scheduled, Start, TaskSpec, TimeOfDay, Weekday, Window,
};
use crate::manifest::yaml::{Document, Entry, Node, NodeKind, Resolved, Style, describe, shown};

/// Keys of a document's top level.
const TOP_KEYS: &[&str] = &["version", "defaults", "tasks", "$schema"];
/// Keys of a task.
const TASK_KEYS: &[&str] = &[
    "name",
    "agentId",
    "virtualNumber",
    "start",
    "concurrency",
    "callDays",
    "callWindows",
    "retry",
];
/// Keys of `defaults`: a task's, except `name`.
const DEFAULT_KEYS: &[&str] = &[
    "agentId",
    "virtualNumber",
    "start",
    "concurrency",
    "callDays",
    "callWindows",
    "retry",
];
const RETRY_KEYS: &[&str] = &["reasons", "times", "intervalMinutes"];
const START_KEYS: &[&str] = &["at"];
const WINDOW_KEYS: &[&str] = &["start", "end"];
const START_WORDS: &[&str] = &["immediate"];

/// A task found in a document, with whatever could be validated.
#[derive(Debug, Clone)]
pub struct Found {
    /// Its name and where the name is written, when it has a usable one
    /// (for the uniqueness check, which runs even if other fields fail).
    pub name: Option<(String, Span)>,
    /// The task, when every field is valid.
    pub spec: Option<TaskSpec>,
}

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

/// The task fields of `defaults` or of one task.
#[derive(Debug, Clone, Default)]
struct Fields {
    agent_id: Slot<String>,
    virtual_number: Slot<String>,
    start: Slot<Start>,
    concurrency: Slot<Option<u32>>,
    call_days: Slot<Vec<Weekday>>,
    call_windows: Slot<Vec<Window>>,
    retry: Slot<Option<Retry>>,
}

/// Checks documents of one file.
pub struct Checker<'f, 'o> {
    file: &'f SourceFile,
    id: FileId,
    path: &'f Path,
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
            path: file.path(),
            out,
            suggested: Vec::new(),
        }
    }

    fn report(&mut self, span: Span, problem: Problem) {
        self.out.push(Diagnostic::new(self.id, span, problem));
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
                NodeKind::Mapping(entries) => self.fields(entries, &Scope::Defaults),
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

    fn task(&mut self, node: &Node<'_>, defaults: &Fields, document: usize) -> Option<Found> {
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
        let name_entry = entries
            .iter()
            .find(|entry| entry.key.as_scalar().is_some_and(|key| key.text == "name"));
        let name = match name_entry {
            Some(entry) => self.name(&entry.value),
            None => {
                self.report(
                    first_line(node.span, self.file),
                    Problem::Missing {
                        fields: vec!["name"],
                        scope: Scope::Task(None),
                    },
                );
                None
            }
        };
        let scope = Scope::Task(name.as_ref().map(|(name, _)| name.clone()));
        let own = self.fields(entries, &scope);
        let merged = Fields {
            agent_id: pick(own.agent_id, &defaults.agent_id),
            virtual_number: pick(own.virtual_number, &defaults.virtual_number),
            start: pick(own.start, &defaults.start),
            concurrency: pick(own.concurrency, &defaults.concurrency),
            call_days: pick(own.call_days, &defaults.call_days),
            call_windows: pick(own.call_windows, &defaults.call_windows),
            retry: pick(own.retry, &defaults.retry),
        };
        let at = name
            .as_ref()
            .map_or_else(|| first_line(node.span, self.file), |(_, span)| *span);
        let mut missing = Vec::new();
        let agent_id = self.required(merged.agent_id, "agentId", &mut missing);
        let virtual_number = self.required(merged.virtual_number, "virtualNumber", &mut missing);
        let start = self.required(merged.start, "start", &mut missing);
        let call_days = self.required(merged.call_days, "callDays", &mut missing);
        let call_windows = self.required(merged.call_windows, "callWindows", &mut missing);
        self.missing(missing, &scope, at);
        let concurrency = optional(merged.concurrency);
        let retry = optional(merged.retry);
        let spec = match (
            &name,
            agent_id,
            virtual_number,
            start,
            call_days,
            call_windows,
            concurrency,
            retry,
        ) {
            (
                Some((name, span)),
                Some(agent_id),
                Some(virtual_number),
                Some(start),
                Some(call_days),
                Some(call_windows),
                Some(concurrency),
                Some(retry),
            ) => Some(TaskSpec {
                name: name.clone(),
                agent_id,
                virtual_number,
                start,
                concurrency,
                call_days,
                call_windows,
                retry,
                origin: Origin {
                    file: self.path.to_path_buf(),
                    document,
                    line: span.line,
                    column: span.column,
                },
            }),
            _ => None,
        };
        Some(Found { name, spec })
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

    /// Reads the task fields of a mapping (`defaults` or a task).
    fn fields(&mut self, entries: &[Entry<'_>], scope: &Scope) -> Fields {
        let keys = if *scope == Scope::Defaults {
            DEFAULT_KEYS
        } else {
            TASK_KEYS
        };
        let mut fields = Fields::default();
        for entry in entries {
            let Some(key) = self.key(entry, keys, scope) else {
                continue;
            };
            let value = &entry.value;
            match key {
                "agentId" => fields.agent_id = Slot::from_option(self.id_field(value, "agentId")),
                "virtualNumber" => {
                    fields.virtual_number =
                        Slot::from_option(self.id_field(value, "virtualNumber"));
                }
                "start" => fields.start = Slot::from_option(self.start(value)),
                "concurrency" => {
                    // `null` says "not managed", overriding a default.
                    fields.concurrency = if value.is_null() {
                        Slot::Set(None)
                    } else {
                        Slot::from_option(
                            self.integer(value, "concurrency", 1, 500, "TaskCps")
                                .and_then(|n| u32::try_from(n).ok())
                                .map(Some),
                        )
                    };
                }
                "callDays" => fields.call_days = Slot::from_option(self.call_days(value)),
                "callWindows" => fields.call_windows = Slot::from_option(self.call_windows(value)),
                "retry" => {
                    // `null` says "no redial", overriding a default.
                    fields.retry = if value.is_null() {
                        Slot::Set(None)
                    } else {
                        Slot::from_option(self.retry(value).map(Some))
                    };
                }
                // `name` is read by `task` before the other fields.
                _ => {}
            }
        }
        fields
    }

    /// The key of an entry if it is one of `allowed`; reports it otherwise.
    fn key(
        &mut self,
        entry: &Entry<'_>,
        allowed: &[&'static str],
        scope: &Scope,
    ) -> Option<&'static str> {
        let text: &str = match entry.key.as_scalar() {
            Some(scalar) => &scalar.text,
            None if matches!(entry.key.kind, NodeKind::Invalid) => return None,
            None => self.file.slice(first_line(entry.key.span, self.file)),
        };
        if let Some(key) = allowed.iter().find(|key| **key == text) {
            return Some(key);
        }
        let hint = match scope {
            Scope::TopLevel if TASK_KEYS.contains(&text) => {
                Some("task fields go in a task under `tasks:`, or under `defaults:` for every task")
            }
            Scope::Defaults if text == "name" => {
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
        None
    }

    fn type_error(&mut self, node: &Node<'_>, field: &str, expected: Expected) {
        if matches!(node.kind, NodeKind::Invalid) || node.as_scalar().is_some_and(|s| s.reported) {
            return;
        }
        let found = describe(node, self.file);
        self.report(
            first_line(node.span, self.file),
            Problem::Type {
                field: field.to_owned(),
                expected,
                found,
                fix: None,
            },
        );
    }

    /// A scalar that is a string (quoted, block, or plain text).
    fn string<'n>(&mut self, node: &'n Node<'_>, field: &str) -> Option<&'n str> {
        match node.as_scalar() {
            Some(scalar) if scalar.reported => None,
            Some(scalar) if scalar.resolve() == Resolved::Str => Some(&scalar.text),
            Some(scalar) => {
                let written = shown(node, scalar, self.file);
                let fix = (scalar.style == Style::Plain && !written.is_empty())
                    .then(|| format!("quote it: {field}: \"{written}\""));
                self.report(
                    node.span,
                    Problem::Type {
                        field: field.to_owned(),
                        expected: Expected::String,
                        found: describe(node, self.file),
                        fix,
                    },
                );
                None
            }
            None => {
                self.type_error(node, field, Expected::String);
                None
            }
        }
    }

    /// `agentId` or `virtualNumber`: a non-empty string without padding.
    fn id_field(&mut self, node: &Node<'_>, field: &'static str) -> Option<String> {
        if let Some(scalar) = node.as_scalar()
            && scalar.style == Style::Plain
            && !scalar.substituted
            && matches!(scalar.resolve(), Resolved::Int | Resolved::Float)
        {
            // YAML would read `0327121220001` as 327121220001 and a long
            // agent ID as a float: the exact digits are what matters.
            let written = self.file.slice(node.span).to_owned();
            self.report(node.span, Problem::UnquotedId { field, written });
            return None;
        }
        let value = self.string(node, field)?;
        if value.is_empty() {
            self.report(
                node.span,
                Problem::Empty {
                    field: field.to_owned(),
                },
            );
            return None;
        }
        if value.trim() != value {
            self.report(
                node.span,
                Problem::PaddedId {
                    field,
                    value: value.to_owned(),
                },
            );
            return None;
        }
        Some(value.to_owned())
    }

    fn name(&mut self, node: &Node<'_>) -> Option<(String, Span)> {
        if node.is_null() {
            self.report(node.span, Problem::EmptyName);
            return None;
        }
        let name = self.string(node, "name")?;
        if name.is_empty() {
            self.report(node.span, Problem::EmptyName);
            return None;
        }
        if name.chars().any(char::is_control) {
            self.report(
                node.span,
                Problem::InvalidName {
                    name: name.to_owned(),
                    flaw: NameFlaw::Control,
                },
            );
            return None;
        }
        if name.trim() != name {
            // The API keeps the spaces, so the task is valid as written.
            self.report(
                node.span,
                Problem::InvalidName {
                    name: name.to_owned(),
                    flaw: NameFlaw::Padded,
                },
            );
        }
        Some((name.to_owned(), node.span))
    }

    /// A whole number in `min..=max`.
    fn integer(
        &mut self,
        node: &Node<'_>,
        field: &str,
        min: i64,
        max: i64,
        parameter: &'static str,
    ) -> Option<i64> {
        let scalar = match node.as_scalar() {
            Some(scalar) if scalar.reported => return None,
            Some(scalar) => scalar,
            None => {
                self.type_error(node, field, Expected::Integer);
                return None;
            }
        };
        let written = shown(node, scalar, self.file);
        let text = scalar.text.trim();
        let decimal = {
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        };
        let is_number = scalar.substituted || scalar.resolve() == Resolved::Int;
        if !(is_number && decimal) {
            let fix = match scalar.resolve() {
                Resolved::Str if decimal && scalar.style == Style::Quoted => {
                    Some(format!("remove the quotes: {field}: {text}"))
                }
                Resolved::Int => Some(format!("write `{field}` in decimal")),
                _ => None,
            };
            self.report(
                node.span,
                Problem::Type {
                    field: field.to_owned(),
                    expected: Expected::Integer,
                    found: describe(node, self.file),
                    fix,
                },
            );
            return None;
        }
        match text.parse::<i64>() {
            Ok(value) if (min..=max).contains(&value) => Some(value),
            _ => {
                self.report(
                    node.span,
                    Problem::Range {
                        field: field.to_owned(),
                        min,
                        max,
                        found: written,
                        parameter,
                    },
                );
                None
            }
        }
    }

    fn start(&mut self, node: &Node<'_>) -> Option<Start> {
        match &node.kind {
            NodeKind::Mapping(entries) => {
                let mut at = None;
                for entry in entries {
                    if self.key(entry, START_KEYS, &Scope::Field("start")) == Some("at") {
                        at = Some(&entry.value);
                    }
                }
                match at {
                    Some(value) => self.at(value).map(Start::At),
                    None => {
                        self.report(
                            first_line(node.span, self.file),
                            Problem::Missing {
                                fields: vec!["at"],
                                scope: Scope::Field("start"),
                            },
                        );
                        None
                    }
                }
            }
            NodeKind::Scalar(scalar) if scalar.reported => None,
            NodeKind::Scalar(scalar) if scalar.resolve() == Resolved::Str => {
                if scalar.text == "immediate" {
                    return Some(Start::Immediate);
                }
                let written = shown(node, scalar, self.file);
                let fix = match suggest(&scalar.text, START_WORDS) {
                    Some(word) => format!("did you mean `{word}`?"),
                    None => format!(
                        "for a scheduled start write `start: {{ at: \"{}\" }}`",
                        if scalar.text.parse::<jiff::Timestamp>().is_ok() {
                            written.trim_matches(['"', '\''])
                        } else {
                            "2030-01-07T09:00:00+08:00"
                        }
                    ),
                };
                self.report(
                    node.span,
                    Problem::Type {
                        field: "start".to_owned(),
                        expected: Expected::Start,
                        found: describe(node, self.file),
                        fix: Some(fix),
                    },
                );
                None
            }
            _ => {
                self.type_error(node, "start", Expected::Start);
                None
            }
        }
    }

    /// `start.at`: RFC 3339 with an explicit offset.
    fn at(&mut self, node: &Node<'_>) -> Option<Scheduled> {
        let text = self.string(node, "start.at")?.trim().to_owned();
        let written = node.as_scalar().map_or_else(
            || text.clone(),
            |scalar| unquote(&shown(node, scalar, self.file)),
        );
        match text.parse::<jiff::Timestamp>() {
            Ok(at) if at.subsec_nanosecond() % 1_000_000 != 0 => {
                self.report(
                    node.span,
                    Problem::Datetime {
                        found: written,
                        reason: "is more precise than the API's milliseconds".to_owned(),
                    },
                );
                None
            }
            Ok(at) if at.as_millisecond() <= 0 => {
                self.report(
                    node.span,
                    Problem::Datetime {
                        found: written,
                        reason: "is not after 1970".to_owned(),
                    },
                );
                None
            }
            Ok(at) => Some(Scheduled { at, written: text }),
            Err(_) if text.parse::<jiff::civil::DateTime>().is_ok() => {
                // CI machines run in UTC: a naive time would silently shift.
                self.report(node.span, Problem::NaiveDatetime { found: written });
                None
            }
            Err(_) => {
                self.report(
                    node.span,
                    Problem::Datetime {
                        found: written,
                        reason: "is not an RFC 3339 date-time".to_owned(),
                    },
                );
                None
            }
        }
    }

    /// A non-empty list of distinct words of a closed set, canonical order.
    fn words<T: Copy + Ord + std::str::FromStr>(
        &mut self,
        node: &Node<'_>,
        field: &str,
        allowed: &'static [&'static str],
    ) -> Option<Vec<T>> {
        let items = self.list(node, field)?;
        let mut ok = true;
        let mut seen: Vec<(T, Span)> = Vec::with_capacity(items.len());
        for item in items {
            let Some(word) = self.string(item, field) else {
                ok = false;
                continue;
            };
            let Ok(value) = word.parse::<T>() else {
                let found = match item.as_scalar() {
                    Some(scalar) => unquote(&shown(item, scalar, self.file)),
                    None => word.to_owned(),
                };
                self.report(
                    item.span,
                    Problem::Enum {
                        field: field.to_owned(),
                        suggestion: suggest(word, allowed),
                        found,
                        allowed,
                    },
                );
                ok = false;
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(seen, _)| *seen == value) {
                let diagnostic = Diagnostic::new(
                    self.id,
                    item.span,
                    Problem::DuplicateItem {
                        field: field.to_owned(),
                        value: word.to_owned(),
                    },
                )
                .with_related(self.id, *first, "first listed here");
                self.out.push(diagnostic);
                ok = false;
                continue;
            }
            seen.push((value, item.span));
        }
        if !ok {
            return None;
        }
        let mut values: Vec<T> = seen.into_iter().map(|(value, _)| value).collect();
        values.sort_unstable();
        Some(values)
    }

    /// The items of a list that must not be empty.
    fn list<'n, 'a>(&mut self, node: &'n Node<'a>, field: &str) -> Option<&'n [Node<'a>]> {
        match &node.kind {
            NodeKind::Sequence(items) if items.is_empty() => {
                let field = field.to_owned();
                self.report(node.span, Problem::Empty { field });
                None
            }
            NodeKind::Sequence(items) => Some(items),
            _ => {
                self.type_error(node, field, Expected::List);
                None
            }
        }
    }

    fn call_days(&mut self, node: &Node<'_>) -> Option<Vec<Weekday>> {
        self.words(node, "callDays", Weekday::WORDS)
    }

    fn call_windows(&mut self, node: &Node<'_>) -> Option<Vec<Window>> {
        let items = self.list(node, "callWindows")?;
        let mut ok = true;
        let mut windows: Vec<(Window, Span)> = Vec::with_capacity(items.len());
        for item in items {
            match self.window(item) {
                Some(window) => windows.push((window, first_line(item.span, self.file))),
                None => ok = false,
            }
        }
        // Sorted by start, each window must begin at or after the latest
        // end so far; windows may touch (12:00 end, 12:00 start).
        windows.sort_by_key(|(window, _)| *window);
        let mut latest: Option<(Window, Span)> = None;
        for (window, span) in &windows {
            if let Some((other, other_span)) = latest
                && window.start < other.end
            {
                let diagnostic = Diagnostic::new(
                    self.id,
                    *span,
                    Problem::WindowOverlap {
                        window: window.to_string(),
                        other: other.to_string(),
                    },
                )
                .with_related(self.id, other_span, "the other window");
                self.out.push(diagnostic);
                ok = false;
            }
            if latest.is_none_or(|(other, _)| window.end > other.end) {
                latest = Some((*window, *span));
            }
        }
        ok.then(|| windows.into_iter().map(|(window, _)| window).collect())
    }

    fn window(&mut self, node: &Node<'_>) -> Option<Window> {
        let NodeKind::Mapping(entries) = &node.kind else {
            self.type_error(node, "callWindows[]", Expected::Mapping);
            return None;
        };
        let (mut start, mut end) = (Slot::Absent, Slot::Absent);
        for entry in entries {
            match self.key(entry, WINDOW_KEYS, &Scope::Field("callWindows")) {
                Some("start") => {
                    start = Slot::from_option(self.time(&entry.value, "callWindows.start"))
                }
                Some("end") => end = Slot::from_option(self.time(&entry.value, "callWindows.end")),
                _ => {}
            }
        }
        let at = first_line(node.span, self.file);
        let scope = Scope::Field("callWindows");
        let mut missing = Vec::new();
        let start = self.required(start, "start", &mut missing);
        let end = self.required(end, "end", &mut missing);
        self.missing(missing, &scope, at);
        let (start, end) = (start?, end?);
        if start >= end {
            self.report(
                at,
                Problem::WindowOrder {
                    start: start.to_string(),
                    end: end.to_string(),
                },
            );
            return None;
        }
        Some(Window { start, end })
    }

    fn time(&mut self, node: &Node<'_>, field: &str) -> Option<TimeOfDay> {
        if let Some(scalar) = node.as_scalar()
            && !scalar.reported
            && scalar.resolve() != Resolved::Str
            && !matches!(scalar.resolve(), Resolved::Null)
        {
            // `9` or `9.30`: a number, but clearly meant as a time.
            self.report(
                node.span,
                Problem::TimeFormat {
                    field: field.to_owned(),
                    found: shown(node, scalar, self.file),
                },
            );
            return None;
        }
        let text = self.string(node, field)?;
        match text.parse::<TimeOfDay>() {
            Ok(time) => Some(time),
            Err(()) => {
                let found = match node.as_scalar() {
                    Some(scalar) => unquote(&shown(node, scalar, self.file)),
                    None => text.to_owned(),
                };
                self.report(
                    node.span,
                    Problem::TimeFormat {
                        field: field.to_owned(),
                        found,
                    },
                );
                None
            }
        }
    }

    fn retry(&mut self, node: &Node<'_>) -> Option<Retry> {
        let NodeKind::Mapping(entries) = &node.kind else {
            self.type_error(node, "retry", Expected::Mapping);
            return None;
        };
        let (mut reasons, mut times, mut interval) = (Slot::Absent, Slot::Absent, Slot::Absent);
        for entry in entries {
            let value = &entry.value;
            match self.key(entry, RETRY_KEYS, &Scope::Field("retry")) {
                Some("reasons") => {
                    reasons =
                        Slot::from_option(self.words(value, "retry.reasons", RetryReason::WORDS));
                }
                Some("times") => {
                    times = Slot::from_option(
                        self.integer(value, "retry.times", 1, 3, "CallRetryTimes")
                            .and_then(|n| u8::try_from(n).ok()),
                    );
                }
                Some("intervalMinutes") => {
                    let minutes = self
                        .integer(value, "retry.intervalMinutes", 1, 720, "CallRetryInterval")
                        .and_then(|n| u16::try_from(n).ok());
                    if let Some(minutes) = minutes
                        && minutes > 120
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
        let scope = Scope::Field("retry");
        let mut missing = Vec::new();
        let reasons = self.required(reasons, "reasons", &mut missing);
        let times = self.required(times, "times", &mut missing);
        let interval_minutes = self.required(interval, "intervalMinutes", &mut missing);
        self.missing(missing, &scope, at);
        Some(Retry {
            reasons: reasons?,
            times: times?,
            interval_minutes: interval_minutes?,
        })
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
mod tests {
    use crate::manifest::load::{Loaded, load_texts};
    use crate::manifest::model::{RetryReason, Start, Weekday};

    /// The header of a valid document; tests append tasks or override.
    const HEAD: &str = "version: 1
defaults:
  agentId: \"118012345678901234\"
  virtualNumber: \"0327121220001\"
  callDays: [MONDAY]
  callWindows: [{ start: \"09:00\", end: \"12:00\" }]
  start: immediate
tasks:
";

    fn env(name: &str) -> Option<String> {
        match name {
            "CPS" => Some("40".to_owned()),
            "AGENT" => Some("0011".to_owned()),
            _ => None,
        }
    }

    fn load(text: &str) -> Loaded {
        load_texts(vec![("t.yaml".into(), text.to_owned())], &env)
    }

    /// Asserts the exact diagnostics: code, line, column, length.
    #[track_caller]
    fn problems(text: &str, expected: &[(&str, u32, u32, usize)]) {
        let loaded = load(text);
        let actual: Vec<(&str, u32, u32, usize)> = loaded
            .diagnostics
            .iter()
            .map(|d| {
                let span = d.span.unwrap_or_default();
                (d.code(), span.line, span.column, span.len)
            })
            .collect();
        assert_eq!(actual, expected, "{:#?}", loaded.diagnostics);
    }

    fn task(fields: &str) -> String {
        format!("{HEAD}  - name: t\n{fields}")
    }

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

    #[test]
    fn types_are_checked_with_the_value_as_written() {
        problems(
            &task("    concurrency: \"50\"\n    callDays: MONDAY\n"),
            &[("type", 10, 18, 4), ("type", 11, 15, 6)],
        );
        let loaded = load(&task("    concurrency: 1.50\n"));
        assert_eq!(
            loaded.diagnostics[0].message(),
            "`concurrency` must be a whole number, found a number `1.50`"
        );
    }

    #[test]
    fn numbers_respect_the_api_limits() {
        problems(
            &task(
                "    concurrency: 501\n    retry: { reasons: [NO_ANSWER], times: 0, intervalMinutes: 721 }\n",
            ),
            &[
                ("range", 10, 18, 3),
                ("range", 11, 43, 1),
                ("range", 11, 63, 3),
            ],
        );
        problems(
            &task(
                "    concurrency: 500\n    retry: { reasons: [NO_ANSWER], times: 3, intervalMinutes: 120 }\n",
            ),
            &[],
        );
    }

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

    #[test]
    fn words_must_be_exact_and_unique() {
        problems(
            &task("    callDays: [monday, FRIDAY, FRIDAY]\n"),
            &[("enum", 10, 16, 6), ("duplicate", 10, 32, 6)],
        );
        problems(
            &task("    callDays: []\n    retry: { reasons: [], times: 1, intervalMinutes: 1 }\n"),
            &[("empty", 10, 15, 2), ("empty", 11, 23, 2)],
        );
    }

    #[test]
    fn ids_must_be_quoted_strings_but_substituted_digits_are_fine() {
        problems(&task("    agentId: 0011\n"), &[("unquoted-id", 10, 14, 4)]);
        let loaded = load(&task("    agentId: ${AGENT}\n"));
        assert_eq!(loaded.diagnostics, []);
        assert_eq!(loaded.tasks[0].agent_id, "0011");
        let loaded = load(&task("    agentId: !!str 0011\n"));
        assert_eq!(loaded.tasks[0].agent_id, "0011");
        problems(
            &task("    virtualNumber: \"0327 \"\n"),
            &[("padded-id", 10, 20, 7)],
        );
    }

    #[test]
    fn start_times_need_an_offset_and_a_real_date() {
        problems(
            &task("    start: { at: \"2030-01-01T09:00:00\" }\n"),
            &[("naive-datetime", 10, 18, 21)],
        );
        problems(
            &task("    start: { at: \"2030-02-30T09:00:00Z\" }\n"),
            &[("datetime", 10, 18, 22)],
        );
        problems(&task("    start: { at: 2030-01-01T09:00:00Z }\n"), &[]);
        problems(&task("    start: later\n"), &[("type", 10, 12, 5)]);
        problems(&task("    start: {}\n"), &[("missing", 10, 12, 2)]);
    }

    #[test]
    fn a_start_in_the_past_is_for_plan_to_judge() {
        problems(
            &task("    start: { at: \"2001-01-01T09:00:00+08:00\" }\n"),
            &[],
        );
    }

    #[test]
    fn call_windows_are_well_formed_ordered_and_disjoint() {
        problems(
            &task("    callWindows: [{ start: \"9:00\", end: \"12:00\" }]\n"),
            &[("time-format", 10, 28, 6)],
        );
        problems(
            &task("    callWindows: [{ start: \"12:00\", end: \"09:00\" }]\n"),
            &[("window-order", 10, 19, 32)],
        );
        problems(
            &task(
                "    callWindows:\n      - { start: \"08:00\", end: \"18:00\" }\n      - { start: \"09:00\", end: \"10:00\" }\n      - { start: \"17:00\", end: \"19:00\" }\n",
            ),
            &[("window-overlap", 12, 9, 32), ("window-overlap", 13, 9, 32)],
        );
        // Touching windows do not overlap.
        problems(
            &task(
                "    callWindows: [{ start: \"09:00\", end: \"12:00\" }, { start: \"12:00\", end: \"13:00\" }]\n",
            ),
            &[],
        );
    }

    #[test]
    fn names_are_non_empty_single_lines_and_unique() {
        problems(
            &format!("{HEAD}  - name: \"\"\n  - name: a\n  - name: a\n"),
            &[("empty-name", 9, 11, 2), ("duplicate-name", 11, 11, 1)],
        );
        problems(
            &format!("{HEAD}  - name: \"a\\tb\"\n"),
            &[("invalid-name", 9, 11, 6)],
        );
        let loaded = load(&format!("{HEAD}  - name: \" a\"\n"));
        assert!(!loaded.has_errors());
        assert_eq!(loaded.diagnostics[0].code(), "invalid-name");
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
