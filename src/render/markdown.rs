//! Plans for pull requests: a compact summary table, then one collapsible
//! `<details>` block per task with the same field listing as the text
//! rendering, ready to post as a comment.

use std::fmt::Write as _;

use crate::diag::words::shorten;
use crate::plan::model::{Action, Plan, TaskEntry};

use super::style::Style;
use super::text::{location, summary_line};

/// Renders `plan` as GitHub-flavoured Markdown.
pub fn render_plan(plan: &Plan) -> String {
    let s = &plan.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### aicall plan: {} to create, {} drifted, {} unchanged, {} unmanaged\n",
        s.create, s.drifted, s.unchanged, s.unmanaged
    );
    let _ = writeln!(
        out,
        "Against `{}` with AccessKey `{}`.\n",
        code_text(&plan.target.endpoint),
        code_text(&plan.target.access_key)
    );

    let listed: Vec<&TaskEntry> = plan
        .tasks
        .iter()
        .filter(|t| t.action != Action::Unchanged)
        .collect();
    if !listed.is_empty() {
        out.push_str("| | Task | Declared in | Details |\n|---|---|---|---|\n");
        for entry in &listed {
            let (label, details) = match entry.action {
                Action::Create => ("➕ create", "new task".to_owned()),
                Action::Drift => (
                    "⚠️ drift",
                    entry
                        .changes
                        .iter()
                        .map(|field| format!("`{}`", field.key()))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Action::Unchanged => ("unchanged", String::new()),
            };
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {details} |",
                html_code(&entry.name),
                html_code(&location(&entry.source)),
            );
        }
        out.push('\n');
    }

    for entry in &listed {
        let label = match entry.action {
            Action::Create => "➕ create",
            Action::Drift => "⚠️ drift (not applied)",
            Action::Unchanged => "unchanged",
        };
        let _ = writeln!(
            out,
            "<details><summary>{label} {}</summary>\n",
            html_code(&entry.name)
        );
        let body = super::text::render_entry(entry, Style::plain());
        let body = body.trim_end();
        let _ = writeln!(out, "{}\n\n</details>\n", fenced(body));
    }

    let unchanged: Vec<&TaskEntry> = plan
        .tasks
        .iter()
        .filter(|t| t.action == Action::Unchanged)
        .collect();
    if !unchanged.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} unchanged</summary>\n",
            unchanged.len()
        );
        for entry in unchanged {
            let _ = writeln!(
                out,
                "- {} (task {})",
                html_code(&entry.name),
                entry.task_id.as_deref().unwrap_or("?")
            );
        }
        out.push_str("\n</details>\n\n");
    }
    if let Some(tasks) = plan.unmanaged.as_ref().filter(|t| !t.is_empty()) {
        let _ = writeln!(
            out,
            "<details><summary>{} unmanaged (never touched)</summary>\n",
            tasks.len()
        );
        for task in tasks {
            let _ = writeln!(out, "- {} (task {})", html_code(&task.name), task.task_id);
        }
        out.push_str("\n</details>\n\n");
    }
    let _ = writeln!(out, "{}", summary_line(plan, Style::plain()));
    out
}

/// Text inside inline code in a table cell or summary: HTML `<code>` with
/// everything escaped, so names holding `|`, backticks or `<` stay intact.
fn html_code(text: &str) -> String {
    format!(
        "<code>{}</code>",
        escape_html(&shorten(text)).replace('|', "&#124;")
    )
}

/// Text for a Markdown code span; backticks would end it, so they become
/// a look-alike.
fn code_text(text: &str) -> String {
    text.replace('`', "ˋ")
}

/// A fenced block long enough that no backtick run inside can close it.
fn fenced(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in body.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{body}\n{fence}")
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_break_the_table_or_the_fence() {
        assert_eq!(html_code("a|b<c>`"), "<code>a&#124;b&lt;c&gt;`</code>");
        assert_eq!(fenced("x ``` y"), "````text\nx ``` y\n````");
    }
}
