//! Source files and positions in them.
//!
//! Positions follow what editors show: lines and columns are 1-based, and a
//! column counts characters (a Chinese character is one column, although it
//! is three bytes and two cells wide). Byte offsets are kept as well, for
//! slicing the source.

use std::path::{Path, PathBuf};

/// A stretch of one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes (0 for a point, e.g. the end of the file).
    pub len: usize,
    /// 1-based line of the first byte.
    pub line: u32,
    /// 1-based character column of the first byte.
    pub column: u32,
}

impl Span {
    /// The byte range in the source.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset.saturating_add(self.len)
    }

    /// The byte just past the end.
    pub fn end(&self) -> usize {
        self.offset.saturating_add(self.len)
    }
}

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub usize);

/// One source file: its name as the user gave it, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A file named `path` (shown as is) holding `text`.
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// The path as the user gave it (or `<stdin>`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line(&self, line: u32) -> Option<&str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next.saturating_sub(1));
        let line = self.text.get(start..end)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    /// The span of `len` bytes at byte `offset`, with its line and column.
    ///
    /// Offsets past the end are clamped to the end; an offset inside a
    /// character is moved back to the character's start.
    pub fn span(&self, offset: usize, len: usize) -> Span {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let len = len.min(self.text.len() - offset);
        let index = match self.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index.saturating_sub(1),
        };
        let start = self.line_starts.get(index).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        Span {
            offset,
            len,
            line: saturating_u32(index + 1),
            column: saturating_u32(column + 1),
        }
    }

    /// The source text a span covers (empty when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Every file read in one run, so diagnostics can quote their lines.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// No files yet.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() - 1)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0)
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files in the order they were read.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_characters_and_lines_from_one() {
        let file = SourceFile::new("a.yaml".into(), "a: 1\n- name: 续费提醒 x\n".into());
        let offset = file.text().find('x').unwrap();
        let span = file.span(offset, 1);
        assert_eq!((span.line, span.column), (2, 14));
        assert_eq!(file.line(2), Some("- name: 续费提醒 x"));
        assert_eq!(file.line(3), Some(""));
        assert_eq!(file.line(4), None);
        // Past the end clamps; inside a character moves back.
        assert_eq!(file.span(10_000, 5).offset, file.text().len());
        let inside = file.text().find('续').unwrap() + 1;
        assert_eq!(file.span(inside, 0).offset, inside - 1);
    }
}
