//! Plans for pull requests and job summaries: a heading with every count,
//! a table of the tasks that change, then one collapsible `<details>`
//! block per task with the same field listing as the text rendering.
//!
//! A rendering has a size limit (issue 11): a pull-request comment holds
//! 65,536 characters, so [`render_plan`] stays under [`COMMENT`]; the job
//! summary file holds 1 MiB, so [`render_plan_within`] takes the room left
//! in it. The heading and its counts are always complete. Then come, as
//! long as they fit, the table's rows (a compact overview of every change
//! matters more than the detail of a few), each task's details, and the
//! lists of unchanged and unmanaged tasks; what does not fit is counted
//! ("N more tasks not shown") and said where to find it. A comment opens
//! with a hidden marker, `<!-- aicall plan: PATHS -->`, so a workflow can
//! find and update its own comment instead of adding one per push.

use std::fmt::Write as _;

use crate::diag::words::shorten;
use crate::plan::model::{Action, Plan, TaskEntry};

use super::entry::render_entry;
use super::github::{Annotation, Level};
use super::style::Style;
use super::text::{location, status, summary_counts, summary_line, targeted};
use super::words;

/// How much text a rendering may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The most it may hold.
    pub max: usize,
    /// What `max` counts.
    pub unit: Unit,
}

/// What a [`Limit`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Characters (GitHub's comment limit counts characters).
    Chars,
    /// Bytes (GitHub's job summary limit is 1 MiB of file).
    Bytes,
}

impl Limit {
    fn measure(self, text: &str) -> usize {
        match self.unit {
            Unit::Chars => text.chars().count(),
            Unit::Bytes => text.len(),
        }
    }
}

/// A pull-request comment: 65,536 characters at most on GitHub, and some
/// room for whatever a workflow adds around it.
pub const COMMENT: Limit = Limit {
    max: 65_000,
    unit: Unit::Chars,
};

/// How a rendering starts and where it sends readers for what it cut.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// The manifest paths, for the hidden marker; `None`: no marker.
    pub marker: Option<&'a [String]>,
    /// The limit.
    pub limit: Limit,
    /// Where what was cut can be read, e.g. `see the job summary`.
    pub elsewhere: &'a str,
}

/// The pull-request comment of `plan`, made from the manifests at
/// `paths`: under [`COMMENT`], with the marker.
pub fn render_plan(plan: &Plan, paths: &[String]) -> String {
    render_plan_within(
        plan,
        Frame {
            marker: Some(paths),
            limit: COMMENT,
            elsewhere: "see the job summary",
        },
    )
}

/// The hidden first line a workflow finds its comment by.
pub fn marker(paths: &[String]) -> String {
    // `--` may not appear inside an HTML comment: it could end it.
    let paths = paths.join(" ").replace('%', "%25").replace("--", "-%2D");
    format!("<!-- aicall plan: {paths} -->\n")
}

/// `plan` as GitHub-flavoured Markdown within `frame`'s limit.
pub fn render_plan_within(plan: &Plan, frame: Frame<'_>) -> String {
    let limit = frame.limit;
    let mut head = frame.marker.map(marker).unwrap_or_default();
    let _ = writeln!(
        head,
        "### aicall plan: {}\n",
        summary_counts(plan).trim_end_matches('.')
    );
    let _ = writeln!(
        head,
        "Against `{}` with AccessKey `{}`{}.\n",
        code_text(&plan.target.endpoint),
        code_text(&plan.target.access_key),
        targeted(plan)
    );
    let closing = format!("{}\n", summary_line(plan, Style::plain()));

    let listed: Vec<&TaskEntry> = plan
        .tasks
        .iter()
        .filter(|t| t.action != Action::Unchanged)
        .collect();
    let unchanged: Vec<&TaskEntry> = plan
        .tasks
        .iter()
        .filter(|t| t.action == Action::Unchanged)
        .collect();
    let unmanaged = plan.unmanaged.as_deref().unwrap_or_default();
    let table_head = "| | Task | Declared in | Details |\n|---|---|---|---|\n";
    let rows_cut = |n: usize| format!("| | *{n} more {} not listed* | | |\n", task_word(n));
    let details_cut = |n: usize| {
        format!(
            "**{n} more {} not shown: {}.**\n\n",
            task_word(n),
            frame.elsewhere
        )
    };
    let unchanged_short = |n: usize| {
        format!(
            "<details><summary>{n} unchanged</summary>\n\nNot listed here: {}.\n\n</details>\n\n",
            frame.elsewhere
        )
    };
    let unmanaged_short = |n: usize| {
        format!(
            "<details><summary>{n} unmanaged (never touched)</summary>\n\nNot listed here: {}.\n\n</details>\n\n",
            frame.elsewhere
        )
    };

    // What must fit whatever is cut: the heading, the closing line, and
    // the longest of the notes that say what was cut.
    let mut used = limit.measure(&head) + limit.measure(&closing);
    if !listed.is_empty() {
        used += limit.measure(table_head)
            + limit.measure(&rows_cut(listed.len()))
            + 1
            + limit.measure(&details_cut(listed.len()));
    }
    if !unchanged.is_empty() {
        used += limit.measure(&unchanged_short(unchanged.len()));
    }
    if !unmanaged.is_empty() {
        used += limit.measure(&unmanaged_short(unmanaged.len()));
    }
    let mut room = limit.max.saturating_sub(used);
    let mut take = |text: &str| {
        let size = limit.measure(text);
        let fits = size <= room;
        if fits {
            room -= size;
        }
        fits
    };

    let mut out = head;
    if !listed.is_empty() {
        out.push_str(table_head);
        let mut shown = 0;
        for entry in &listed {
            let row = row(entry);
            if !take(&row) {
                break;
            }
            out.push_str(&row);
            shown += 1;
        }
        if shown < listed.len() {
            out.push_str(&rows_cut(listed.len() - shown));
        }
        out.push('\n');
    }

    let mut detailed = 0;
    for entry in &listed {
        let block = details_block(entry);
        if !take(&block) {
            break;
        }
        out.push_str(&block);
        detailed += 1;
    }

    if !unchanged.is_empty() {
        let mut list = format!(
            "<details><summary>{} unchanged</summary>\n\n",
            unchanged.len()
        );
        for entry in &unchanged {
            let _ = writeln!(
                list,
                "- {} (task {})",
                html_code(&entry.name),
                entry.task_id.as_deref().unwrap_or("?")
            );
        }
        list.push_str("\n</details>\n\n");
        if take(&list) {
            out.push_str(&list);
        } else {
            out.push_str(&unchanged_short(unchanged.len()));
        }
    }
    if !unmanaged.is_empty() {
        let mut list = format!(
            "<details><summary>{} unmanaged (never touched)</summary>\n\n",
            unmanaged.len()
        );
        for task in unmanaged {
            let _ = writeln!(list, "- {} (task {})", html_code(&task.name), task.task_id);
        }
        list.push_str("\n</details>\n\n");
        if take(&list) {
            out.push_str(&list);
        } else {
            out.push_str(&unmanaged_short(unmanaged.len()));
        }
    }
    if detailed < listed.len() {
        out.push_str(&details_cut(listed.len() - detailed));
    }
    out.push_str(&closing);
    out
}

/// Why no plan was made, for the same comment (so it never keeps showing
/// an old plan) and the job summary: the problems as a table.
pub fn render_no_plan(problems: &[Annotation], frame: Frame<'_>) -> String {
    let mut out = frame.marker.map(marker).unwrap_or_default();
    let _ = writeln!(
        out,
        "### aicall plan: no plan: {}\n",
        crate::diag::count(problems.len(), "problem")
    );
    out.push_str(&problems_table(problems, frame));
    out
}

/// Problems as a table, as many rows as fit `frame`'s limit (the rest
/// counted).
pub fn problems_table(problems: &[Annotation], frame: Frame<'_>) -> String {
    let limit = frame.limit;
    let head = "| | Where | Code | Problem |\n|---|---|---|---|\n";
    let cut = |n: usize| {
        format!(
            "\n**{n} more {} not shown: {}.**\n",
            crate::diag::plural(n, "problem", "problems"),
            frame.elsewhere
        )
    };
    let mut room = limit
        .max
        .saturating_sub(limit.measure(head) + limit.measure(&cut(problems.len())));
    let mut out = head.to_owned();
    let mut shown = 0;
    for problem in problems {
        let level = match problem.level {
            Level::Error => "❌ error",
            Level::Warning => "⚠️ warning",
        };
        let place = problem
            .place
            .as_ref()
            .map(|p| html_code(&format!("{}:{}:{}", p.file, p.start.0, p.start.1)))
            .unwrap_or_default();
        let message = cell(&problem.message);
        let row = format!(
            "| {level} | {place} | {} | {message} |\n",
            html_code(&problem.code)
        );
        let size = limit.measure(&row);
        if size > room {
            break;
        }
        room -= size;
        out.push_str(&row);
        shown += 1;
    }
    if shown < problems.len() {
        out.push_str(&cut(problems.len() - shown));
    }
    out
}

fn task_word(n: usize) -> &'static str {
    crate::diag::plural(n, "task", "tasks")
}

/// A task's row in the table.
fn row(entry: &TaskEntry) -> String {
    format!(
        "| {} | {} | {} | {} |\n",
        words::action_emoji(entry.action),
        html_code(&entry.name),
        html_code(&location(&entry.source)),
        details(entry),
    )
}

/// A task's collapsible block.
fn details_block(entry: &TaskEntry) -> String {
    let body = render_entry(entry, Style::plain());
    format!(
        "<details><summary>{} {}</summary>\n\n{}\n\n</details>\n\n",
        words::action_emoji(entry.action),
        html_code(&entry.name),
        fenced(body.trim_end())
    )
}

/// The table's last column: what changes, in a few words.
fn details(entry: &TaskEntry) -> String {
    let fields = || {
        entry
            .changes
            .iter()
            .map(|field| format!("`{}`", field.key()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match entry.action {
        Action::Create if entry.steps.len() > 1 => "new task, then stopped".to_owned(),
        Action::Create => "new task".to_owned(),
        Action::Blocked => entry
            .blocked
            .iter()
            .map(|reason| escape_cell(&words::block_reason(*reason).0))
            .collect::<Vec<_>>()
            .join("; "),
        Action::Rename => {
            let from = format!(
                "from {}",
                html_code(entry.renamed_from.as_deref().unwrap_or_default())
            );
            match fields() {
                changed if changed.is_empty() => from,
                changed => format!("{from}; {changed}"),
            }
        }
        Action::Stop | Action::Start => format!(
            "{} → {}",
            entry.status.map(status).unwrap_or_default(),
            entry
                .declared_status
                .map(words::declared)
                .unwrap_or_default()
        ),
        _ => {
            let mut text = fields();
            if entry.steps.len() > 1 {
                text.push_str(&format!(" ({})", words::steps(&entry.steps)));
            }
            text
        }
    }
}

/// Text inside inline code in a table cell or summary: HTML `<code>` with
/// everything escaped, so names holding `|`, backticks or `<` stay intact.
pub fn html_code(text: &str) -> String {
    format!("<code>{}</code>", escape_cell(&shorten(text)))
}

/// Text of any number of lines for a table cell: escaped, lines joined
/// with `<br>`, since a line break would end the row.
pub fn cell(text: &str) -> String {
    text.lines()
        .map(escape_cell)
        .collect::<Vec<_>>()
        .join("<br>")
}

/// One line for a table cell: HTML escaped, and `|`, which would end the
/// cell, as an entity.
fn escape_cell(text: &str) -> String {
    escape_html(text).replace('|', "&#124;")
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

/// `text` with `&`, `<`, `>` and `"` as HTML entities.
pub fn escape_html(text: &str) -> String {
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
    use crate::plan::build::build;
    use crate::plan::model::TaskStatus;
    use crate::testing::{desired, inputs, observed};

    /// A plan of `n` tasks: one in five updated, one in five unchanged,
    /// the rest created, with long Chinese names.
    fn big_plan(n: usize) -> Plan {
        let desired: Vec<_> = (0..n)
            .map(|i| {
                desired(
                    &format!("续费提醒-第{i:05}号-renewal-reminder-campaign"),
                    i + 1,
                )
            })
            .collect();
        let observed: Vec<_> = desired
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 5 < 2)
            .map(|(i, task)| {
                let mut now = observed(task, &format!("1187{i:014}"));
                now.status = Some(TaskStatus::Stopped);
                if i % 5 == 0 {
                    now.config.concurrency = Some(10);
                }
                now
            })
            .collect();
        build(inputs(&desired, &observed, 3)).expect("plan")
    }

    /// Issue 11: a 10,000-task plan fits a pull-request comment, its counts
    /// complete, with what was cut counted and where to find it.
    #[test]
    fn a_10000_task_plan_stays_under_65000_characters_with_its_counts() {
        let plan = big_plan(10_000);
        let text = render_plan(&plan, &["campaigns/".to_owned()]);
        let chars = text.chars().count();
        assert!(chars < 65_000, "{chars} characters");
        assert!(chars > 60_000, "the room is used: {chars} characters");
        assert!(text.starts_with(
            "<!-- aicall plan: campaigns/ -->\n### aicall plan: 6000 to create, 2000 to update, \
             0 to stop, 0 to start, 0 to rename, 2000 unchanged, 3 unmanaged\n"
        ));
        assert!(
            text.contains(" more tasks not listed* | | |\n"),
            "rows are cut"
        );
        assert!(
            text.contains("**8000 more tasks not shown: see the job summary.**"),
            "no detail fits once the rows took the room"
        );
        assert!(text.contains(
            "<details><summary>2000 unchanged</summary>\n\nNot listed here: see the job summary."
        ));
        assert!(text.ends_with(
            "Plan: 6000 to create, 2000 to update, 0 to stop, 0 to start, 0 to rename, 2000 \
             unchanged, 3 unmanaged.\n"
        ));
    }

    #[test]
    fn rows_come_before_details_and_details_before_lists() {
        let plan = big_plan(10);
        let whole = render_plan(&plan, &[]);
        assert!(!whole.contains("not shown"), "{whole}");
        // Room for the rows and the first few tasks' details, not for all.
        let limit = whole
            .find("<details><summary>🔄 update <code>续费提醒-第00005号")
            .unwrap()
            + 900;
        let cut = render_plan_within(
            &plan,
            Frame {
                marker: Some(&["campaigns/".to_owned()]),
                limit: Limit {
                    max: limit,
                    unit: Unit::Bytes,
                },
                elsewhere: "see the job summary",
            },
        );
        assert!(cut.len() <= limit, "{} > {limit}", cut.len());
        insta::assert_snapshot!(cut);
    }

    #[test]
    fn the_marker_cannot_end_its_comment_early() {
        assert_eq!(
            marker(&["a-->b".to_owned(), "100%".to_owned()]),
            "<!-- aicall plan: a-%2D>b 100%25 -->\n"
        );
    }

    #[test]
    fn names_cannot_break_the_table_or_the_fence() {
        assert_eq!(html_code("a|b<c>`"), "<code>a&#124;b&lt;c&gt;`</code>");
        assert_eq!(fenced("x ``` y"), "````text\nx ``` y\n````");
    }
}
