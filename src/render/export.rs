//! What `aicall export` says on stderr: each task written commented out
//! and why, each note, and a closing line. The manifests themselves are
//! made by `crate::manifest::write`.

use std::fmt::Write as _;
use std::path::Path;

use crate::diag::{count, plural};
use crate::manifest::load::MAX_FILE_BYTES;
use crate::manifest::write::{Task, Written};

use super::style::{Paint, Style};

/// The report of an export of `tasks` that made `written`, sent to `out`
/// (stdout when `None`).
pub fn report(tasks: &[Task], written: &Written, out: Option<&Path>, style: Style) -> String {
    let mut text = String::new();
    let mut sorted: Vec<&Task> = tasks.iter().collect();
    sorted.sort_by(|a, b| (&a.name, &a.task_id).cmp(&(&b.name, &b.task_id)));
    for task in &sorted {
        for gap in &task.gaps {
            let _ = writeln!(
                text,
                "{}: {} is written commented out: {gap}",
                style.paint(Paint::Warning, "warning"),
                named(task)
            );
        }
    }
    for task in &sorted {
        for note in task.notes.iter().filter(|_| task.declared()) {
            let _ = writeln!(
                text,
                "{}: {}: {note}",
                style.paint(Paint::Help, "note"),
                named(task)
            );
        }
    }
    if written.declared == 0 {
        let _ = writeln!(
            text,
            "{}",
            match written.commented {
                0 => "No task to export: nothing was written.".to_owned(),
                n => format!(
                    "No task can be declared ({n} {} above): nothing was written.",
                    plural(n, "is named", "are named")
                ),
            }
        );
        return text;
    }
    if written.text.len() as u64 > MAX_FILE_BYTES {
        let _ = writeln!(
            text,
            "{}: the manifests take {:.1} MiB, more than the {} MiB aicall reads in one file; split the export with `--name`",
            style.paint(Paint::Warning, "warning"),
            written.text.len() as f64 / (1024.0 * 1024.0),
            MAX_FILE_BYTES / (1024 * 1024)
        );
    }
    let _ = write!(
        text,
        "Exported {} in {}",
        count(written.declared, "task"),
        count(written.documents, "document"),
    );
    if let Some(path) = out {
        let _ = write!(text, " to {}", path.display());
    }
    if written.commented > 0 {
        let _ = write!(text, "; {} more written commented out", written.commented);
    }
    text.push_str(".\n");
    text
}

/// `task `name` (ID)`, the name escaped when it holds control characters.
fn named(task: &Task) -> String {
    let name = if task.name.chars().any(char::is_control) {
        task.name.escape_debug().to_string()
    } else {
        task.name.clone()
    };
    format!("task `{name}` ({})", task.task_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_too_large_to_read_back_is_warned_about() {
        let written = |text: String| Written {
            text,
            documents: 1,
            declared: 1,
            commented: 0,
        };
        let small = report(&[], &written("x".to_owned()), None, Style::plain());
        assert_eq!(small, "Exported 1 task in 1 document.\n");
        let large = written("x".repeat(MAX_FILE_BYTES as usize + 1));
        let text = report(&[], &large, Some(Path::new("a.yaml")), Style::plain());
        assert_eq!(
            text,
            "warning: the manifests take 8.0 MiB, more than the 8 MiB aicall reads in one file; split the export with `--name`\n\
             Exported 1 task in 1 document to a.yaml.\n"
        );
    }
}
