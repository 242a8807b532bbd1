//! Plans for people: `+ create` with every field that will be sent,
//! `~ drift` with a field-level diff (account → manifest), unchanged tasks
//! collapsed to a count, and a closing summary line.

use std::fmt::Write as _;

use similar::{Algorithm, DiffOp, capture_diff_slices};
use unicode_width::UnicodeWidthStr as _;

use crate::diag::plural;
use crate::diag::words::shorten;
use crate::manifest::field::Field;
use crate::plan::model::{Action, Plan, Source, TaskEntry, TaskStatus};

use super::style::{Paint, Style};
use super::value::{Shown, create_fields, shown, start_offset};

/// Options of the text rendering.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// List unchanged tasks one by one (`-v`).
    pub verbose: bool,
    /// List unmanaged tasks (`--show-unmanaged`).
    pub show_unmanaged: bool,
}

/// Width of the field-name column.
const FIELD_WIDTH: usize = 22;
/// Text values at least this wide are diffed character by character.
const LONG_TEXT: usize = 24;

/// Renders `plan` for a terminal or a log.
pub fn render_plan(plan: &Plan, options: TextOptions, style: Style) -> String {
    let mut out = format!(
        "{}\n\n",
        style.paint(
            Paint::Dim,
            &format!(
                "Against {} with AccessKey {}:",
                plan.target.endpoint, plan.target.access_key
            )
        )
    );
    // An unchanged task is one line, any other a block ending in a blank
    // line: a run of unchanged lines is closed by a blank line too.
    let mut in_unchanged_run = false;
    for entry in &plan.tasks {
        let is_unchanged = entry.action == Action::Unchanged;
        if is_unchanged && !options.verbose {
            continue;
        }
        if in_unchanged_run && !is_unchanged {
            out.push('\n');
        }
        in_unchanged_run = is_unchanged;
        out.push_str(&render_entry(entry, style));
    }
    if in_unchanged_run {
        out.push('\n');
    }
    let unchanged = plan.summary.unchanged;
    if unchanged > 0 && !options.verbose {
        let _ = writeln!(
            out,
            "{}\n",
            style.paint(
                Paint::Dim,
                &format!(
                    "= {unchanged} unchanged {} (-v lists {})",
                    plural(unchanged, "task", "tasks"),
                    plural(unchanged, "it", "them")
                )
            )
        );
    }
    if options.show_unmanaged {
        unmanaged(&mut out, plan, style);
    }
    out.push_str(&summary_line(plan, style));
    out.push('\n');
    out
}

/// One task's block: its header line and, for creates and drift, its fields.
pub fn render_entry(entry: &TaskEntry, style: Style) -> String {
    let mut out = String::new();
    match entry.action {
        Action::Create => create(&mut out, entry, style),
        Action::Drift => drift(&mut out, entry, style),
        Action::Unchanged => unchanged(&mut out, entry, style),
    }
    out
}

/// The closing line, e.g. `Plan: 3 to create, 1 drifted (not applied), 12
/// unchanged, 40 unmanaged.`
pub fn summary_line(plan: &Plan, style: Style) -> String {
    let s = &plan.summary;
    format!(
        "{} {} to create, {} drifted (not applied), {} unchanged, {} unmanaged.",
        style.paint(Paint::Bold, "Plan:"),
        s.create,
        s.drifted,
        s.unchanged,
        s.unmanaged
    )
}

fn create(out: &mut String, entry: &TaskEntry, style: Style) {
    header(out, entry, "+ create", Paint::Add, style);
    for (field, value) in create_fields(&entry.desired) {
        let shown = match &value {
            Shown::Absent => style.paint(Paint::Dim, "(not sent: the service decides)"),
            value => style.paint(Paint::Add, &value.one_line()),
        };
        let _ = writeln!(out, "    {:<FIELD_WIDTH$}{shown}", field.key());
    }
    out.push('\n');
}

fn drift(out: &mut String, entry: &TaskEntry, style: Style) {
    header(out, entry, "~ drift", Paint::Warning, style);
    let _ = writeln!(
        out,
        "    {}",
        style.paint(
            Paint::Dim,
            "account → manifest; not applied: aicall does not change existing tasks"
        )
    );
    let offset = start_offset(&entry.desired);
    for field in &entry.changes {
        let account = entry
            .account
            .as_ref()
            .and_then(|config| shown(config, *field, offset))
            .unwrap_or(Shown::Absent);
        let manifest = shown(&entry.desired, *field, None).unwrap_or(Shown::Absent);
        field_change(out, *field, &account, &manifest, style);
    }
    unverified(out, entry, style);
    out.push('\n');
}

fn unchanged(out: &mut String, entry: &TaskEntry, style: Style) {
    header(out, entry, "= unchanged", Paint::Dim, style);
    unverified(out, entry, style);
}

fn unverified(out: &mut String, entry: &TaskEntry, style: Style) {
    if !entry.unverified.is_empty() {
        let _ = writeln!(
            out,
            "    {}",
            style.paint(
                Paint::Dim,
                &format!(
                    "not reported by the API, so not compared: {}",
                    entry
                        .unverified
                        .iter()
                        .map(|f| f.key())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            )
        );
    }
}

fn header(out: &mut String, entry: &TaskEntry, label: &str, paint: Paint, style: Style) {
    let mut line = format!(
        "{} {}",
        style.paint(paint, label),
        style.paint(Paint::Bold, &shorten(&entry.name))
    );
    if let Some(id) = &entry.task_id {
        match entry.status {
            Some(known) => {
                let _ = write!(line, " (task {id}, {})", status(known));
            }
            None => {
                let _ = write!(line, " (task {id})");
            }
        }
    }
    let _ = writeln!(
        out,
        "{line}  {}",
        style.paint(Paint::Dim, &location(&entry.source))
    );
}

/// A status as people read it: its word, or the service's code.
pub fn status(status: TaskStatus) -> String {
    match (status.word(), status) {
        (Some(word), _) => word.to_owned(),
        (None, TaskStatus::Other(code)) => format!("status {code}"),
        (None, _) => "unknown status".to_owned(),
    }
}

/// `file:line:column`, the way editors and CI annotations want it.
pub fn location(source: &Source) -> String {
    format!("{}:{}:{}", source.file, source.line, source.column)
}

fn field_change(out: &mut String, field: Field, account: &Shown, manifest: &Shown, style: Style) {
    let indent = 4 + FIELD_WIDTH;
    let name = field.key();
    match (account, manifest) {
        (Shown::List(account), Shown::List(manifest)) => {
            let mut first = true;
            let mut emit = |items: &[String], sign: &str, paint: Option<Paint>| {
                list_lines(out, name, &mut first, items, sign, paint, style);
            };
            for op in capture_diff_slices(Algorithm::Myers, account, manifest) {
                let (_, old, new) = op.as_tag_tuple();
                match op {
                    DiffOp::Equal { .. } => emit(&account[old], " ", None),
                    DiffOp::Delete { .. } => emit(&account[old], "-", Some(Paint::Error)),
                    DiffOp::Insert { .. } => emit(&manifest[new], "+", Some(Paint::Add)),
                    DiffOp::Replace { .. } => {
                        emit(&account[old], "-", Some(Paint::Error));
                        emit(&manifest[new], "+", Some(Paint::Add));
                    }
                }
            }
            if account.is_empty() && manifest.is_empty() {
                let _ = writeln!(out, "    {name:<FIELD_WIDTH$}(empty)");
            }
        }
        (account, manifest) => {
            let account = account.one_line();
            let manifest = manifest.one_line();
            if account.width() >= LONG_TEXT || manifest.width() >= LONG_TEXT {
                let _ = writeln!(
                    out,
                    "    {name:<FIELD_WIDTH$}{} {}",
                    style.paint(Paint::Error, "-"),
                    style.paint(Paint::Error, &account)
                );
                let _ = writeln!(
                    out,
                    "{:indent$}{} {}",
                    "",
                    style.paint(Paint::Add, "+"),
                    style.paint(Paint::Add, &manifest)
                );
                let carets = caret_line(&account, &manifest);
                // Carets help with near-identical values (IDs, numbers);
                // under unrelated texts they are noise.
                let similar = similar::TextDiff::from_chars(account.as_str(), manifest.as_str())
                    .ratio()
                    >= 0.6;
                if similar && !carets.trim().is_empty() {
                    let _ = writeln!(
                        out,
                        "{:indent$}  {}",
                        "",
                        style.paint(Paint::Warning, carets.trim_end())
                    );
                }
            } else {
                let _ = writeln!(
                    out,
                    "    {name:<FIELD_WIDTH$}{} → {}",
                    style.paint(Paint::Error, &account),
                    style.paint(Paint::Add, &manifest)
                );
            }
        }
    }
}

fn list_lines(
    out: &mut String,
    field: &str,
    first: &mut bool,
    items: &[String],
    sign: &str,
    paint: Option<Paint>,
    style: Style,
) {
    for item in items {
        let label = if *first { field } else { "" };
        *first = false;
        let text = format!("{sign} {}", shorten(item));
        let text = match paint {
            Some(paint) => style.paint(paint, &text),
            None => text,
        };
        let _ = writeln!(out, "    {label:<FIELD_WIDTH$}{text}");
    }
}

/// Carets under the characters of `new` that differ from `old`, aligned
/// by display width (CJK characters are two columns wide).
fn caret_line(old: &str, new: &str) -> String {
    let old: Vec<char> = old.chars().collect();
    let new: Vec<char> = new.chars().collect();
    let mut marks = vec![false; new.len()];
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        match op {
            DiffOp::Insert {
                new_index, new_len, ..
            }
            | DiffOp::Replace {
                new_index, new_len, ..
            } => {
                marks[new_index..new_index + new_len]
                    .iter_mut()
                    .for_each(|m| *m = true);
            }
            // A deletion has no character of its own in `new`: mark where it was.
            DiffOp::Delete { new_index, .. } => {
                if let Some(mark) = marks.get_mut(new_index) {
                    *mark = true;
                }
            }
            DiffOp::Equal { .. } => {}
        }
    }
    let mut line = String::new();
    for (ch, marked) in new.iter().zip(marks) {
        let width = unicode_width::UnicodeWidthChar::width(*ch).unwrap_or(0);
        line.push_str(&(if marked { "^" } else { " " }).repeat(width));
    }
    line
}

fn unmanaged(out: &mut String, plan: &Plan, style: Style) {
    match &plan.unmanaged {
        Some(tasks) if tasks.is_empty() => {
            let _ = writeln!(out, "{}\n", style.paint(Paint::Dim, "No unmanaged tasks."));
        }
        Some(tasks) => {
            let _ = writeln!(
                out,
                "{}",
                style.paint(
                    Paint::Bold,
                    "Unmanaged tasks (no manifest names them; never touched):"
                )
            );
            for task in tasks {
                let _ = writeln!(
                    out,
                    "    {}  {}{}",
                    style.paint(Paint::Dim, &task.task_id),
                    shorten(&task.name),
                    task.status
                        .map(|s| format!("  ({})", status(s)))
                        .unwrap_or_default()
                );
            }
            out.push('\n');
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_mark_changed_characters_by_display_width() {
        assert_eq!(
            caret_line("118012345678901234", "118012345678901299"),
            "                ^^"
        );
        assert_eq!(caret_line("外呼测试", "外呼演示"), "    ^^^^");
    }
}
