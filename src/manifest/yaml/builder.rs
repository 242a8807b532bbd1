//! Folds granit-parser's events into [`Document`]s: spans, styles, tags,
//! anchors and aliases (within their budgets), duplicate and merge keys.

use std::collections::HashMap;

use granit_parser::{ErrorKind, Event, ScalarStyle, ScanError, StructureStyle, Tag};

use crate::diag::{Diagnostic, FileId, Problem, SourceFile, Span};
use crate::manifest::yaml::{
    ALIAS_BUDGET, Document, Entry, MAX_DEPTH, Node, NodeKind, Scalar, Style, describe,
};

pub(super) struct Builder<'a, 'o> {
    file: &'a SourceFile,
    id: FileId,
    out: &'o mut Vec<Diagnostic>,
    pub(super) documents: Vec<Document<'a>>,
    stack: Vec<Frame<'a>>,
    /// Completed anchored nodes by anchor id, with their size and height.
    anchors: HashMap<usize, Sized<'a>>,
    /// The document being read: its index and start.
    current: Option<(usize, Span)>,
    alias_nodes: usize,
}

/// A node with its number of nodes and its height, for the alias budget.
#[derive(Clone)]
struct Sized<'a> {
    node: Node<'a>,
    size: usize,
    height: usize,
}

enum Collection<'a> {
    Sequence(Vec<Node<'a>>),
    Mapping {
        entries: Vec<Entry<'a>>,
        key: Option<Node<'a>>,
    },
}

struct Frame<'a> {
    start: Span,
    flow: bool,
    anchor: usize,
    invalid: bool,
    size: usize,
    height: usize,
    last_end: usize,
    collection: Collection<'a>,
}

impl<'a, 'o> Builder<'a, 'o> {
    /// A builder for `file`, reporting to `out`.
    pub(super) fn new(file: &'a SourceFile, id: FileId, out: &'o mut Vec<Diagnostic>) -> Self {
        Builder {
            file,
            id,
            out,
            documents: Vec::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            current: None,
            alias_nodes: 0,
        }
    }
}

impl<'a> Builder<'a, '_> {
    fn span(&self, span: granit_parser::Span) -> Span {
        match span.byte_range() {
            Some(range) => self.file.span(range.start, range.len()),
            None => Span::default(),
        }
    }

    fn report(&mut self, span: Span, problem: Problem) {
        self.out.push(Diagnostic::new(self.id, span, problem));
    }

    /// Reports a syntax error, abandons the document, returns its offset.
    pub(super) fn syntax_error(&mut self, error: &ScanError) -> usize {
        let marker = error.marker();
        let offset = marker.byte_offset().unwrap_or(self.file.text().len());
        let len = self
            .file
            .text()
            .get(offset..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        let span = self.file.span(offset, len);
        let tab = match error.kind() {
            ErrorKind::TabInBlockIndentation
            | ErrorKind::TabInIndentation
            | ErrorKind::TabInPlainScalar
            | ErrorKind::TabAtBlockScalarStart => indenting_tab(self.file.text(), offset),
            _ => None,
        };
        match tab {
            Some(tab) => self.report(self.file.span(tab, 1), Problem::TabIndentation),
            None => self.report(
                span,
                Problem::Syntax {
                    message: error.kind().to_string(),
                },
            ),
        }
        self.stack.clear();
        let (index, start) = self
            .current
            .take()
            .unwrap_or((self.documents.len() + 1, span));
        self.documents.push(Document {
            index,
            span: start,
            root: None,
        });
        offset
    }

    pub(super) fn event(&mut self, event: Event<'a>, raw_span: granit_parser::Span) {
        let span = self.span(raw_span);
        let tag_span = raw_span.tag_span().map_or(span, |tag| self.span(tag));
        match event {
            Event::DocumentStart(..) => {
                self.anchors.clear();
                self.stack.clear();
                self.current = Some((self.documents.len() + 1, span));
            }
            Event::DocumentEnd => {
                // A document whose root never completed (it cannot happen
                // without an error, which already recorded the document).
                if let Some((index, start)) = self.current.take() {
                    self.documents.push(Document {
                        index,
                        span: start,
                        root: None,
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                    ScalarStyle::Literal | ScalarStyle::Folded => Style::Block,
                };
                // `!!str` (or `!`) reads as quoted, `!!int` and the like as plain.
                let style = match self.check_tag(tag.as_deref(), tag_span) {
                    TagMeaning::None => Some(style),
                    TagMeaning::Str => Some(Style::Quoted),
                    TagMeaning::Typed => Some(Style::Plain),
                    TagMeaning::Invalid => None,
                };
                let kind = style.map_or(NodeKind::Invalid, |style| {
                    NodeKind::Scalar(Scalar {
                        text,
                        style,
                        substituted: false,
                        reported: false,
                    })
                });
                self.complete(Node { span, kind }, 1, 1, anchor);
            }
            Event::SequenceStart(style, anchor, tag) => {
                let invalid = self.check_tag(tag.as_deref(), tag_span) == TagMeaning::Invalid;
                self.open(
                    span,
                    style,
                    anchor,
                    invalid,
                    Collection::Sequence(Vec::new()),
                );
            }
            Event::MappingStart(style, anchor, tag) => {
                let invalid = self.check_tag(tag.as_deref(), tag_span) == TagMeaning::Invalid;
                let mapping = Collection::Mapping {
                    entries: Vec::new(),
                    key: None,
                };
                self.open(span, style, anchor, invalid, mapping);
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::Alias(id) => self.alias(id, span),
            _ => {}
        }
    }

    fn open(
        &mut self,
        start: Span,
        style: StructureStyle,
        anchor: usize,
        invalid: bool,
        collection: Collection<'a>,
    ) {
        self.stack.push(Frame {
            start,
            flow: style == StructureStyle::Flow,
            anchor,
            invalid,
            size: 1,
            height: 1,
            last_end: start.end(),
            collection,
        });
    }

    fn close(&mut self, end: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        // A block collection's end event sits wherever the next token is;
        // its last child is a better end. A flow one ends at its bracket.
        let end = if frame.flow {
            end.end()
        } else {
            frame.last_end
        };
        let span = self
            .file
            .span(frame.start.offset, end.saturating_sub(frame.start.offset));
        let kind = match frame.collection {
            _ if frame.invalid => NodeKind::Invalid,
            Collection::Sequence(items) => NodeKind::Sequence(items),
            Collection::Mapping { entries, .. } => NodeKind::Mapping(self.finish_mapping(entries)),
        };
        self.complete(Node { span, kind }, frame.size, frame.height, frame.anchor);
    }

    fn alias(&mut self, id: usize, span: Span) {
        let Some(target) = self.anchors.get(&id) else {
            // Anchors are registered when their node completes: an alias
            // to one that has not means the collection contains its alias.
            let name = self.file.slice(span).trim_start_matches('*').to_owned();
            self.report(span, Problem::RecursiveAlias { name });
            self.invalid(span);
            return;
        };
        let (size, height) = (target.size, target.height);
        if self.stack.len() + height > MAX_DEPTH {
            self.report(span, Problem::TooDeep { limit: MAX_DEPTH });
            self.invalid(span);
            return;
        }
        self.alias_nodes = self.alias_nodes.saturating_add(size);
        if self.alias_nodes > ALIAS_BUDGET {
            // Report once per file, at the alias that crossed the line.
            if self.alias_nodes.saturating_sub(size) <= ALIAS_BUDGET {
                self.report(
                    span,
                    Problem::AliasLimit {
                        limit: ALIAS_BUDGET,
                    },
                );
            }
            self.invalid(span);
            return;
        }
        let node = target.node.clone();
        self.complete(node, size, height, 0);
    }

    /// Hands an invalid node, already reported, to its parent.
    fn invalid(&mut self, span: Span) {
        let kind = NodeKind::Invalid;
        self.complete(Node { span, kind }, 1, 1, 0);
    }

    /// Hands a finished node to its parent (or makes it the document).
    fn complete(&mut self, node: Node<'a>, size: usize, height: usize, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Sized {
                    node: node.clone(),
                    size,
                    height,
                },
            );
        }
        let Some(frame) = self.stack.last_mut() else {
            if let Some((index, start)) = self.current.take() {
                self.documents.push(Document {
                    index,
                    span: start,
                    root: Some(node),
                });
            }
            return;
        };
        frame.size = frame.size.saturating_add(size);
        frame.height = frame.height.max(height + 1);
        frame.last_end = frame.last_end.max(node.span.end());
        match &mut frame.collection {
            Collection::Sequence(items) => items.push(node),
            Collection::Mapping { entries, key } => match key.take() {
                None => *key = Some(node),
                Some(key) => entries.push(Entry { key, value: node }),
            },
        }
    }

    fn check_tag(&mut self, tag: Option<&Tag>, span: Span) -> TagMeaning {
        let Some(tag) = tag else {
            return TagMeaning::None;
        };
        match tag.core_suffix() {
            Some("str") => TagMeaning::Str,
            Some("int" | "float" | "bool" | "null") => TagMeaning::Typed,
            Some("map" | "seq") => TagMeaning::None,
            // The non-specific tag `!` makes a scalar a string.
            _ if tag.original() == "!" => TagMeaning::Str,
            _ => {
                self.report(
                    span,
                    Problem::Tag {
                        tag: tag.original(),
                    },
                );
                TagMeaning::Invalid
            }
        }
    }

    /// Drops later duplicates of a key (reporting them) and resolves `<<`.
    fn finish_mapping(&mut self, entries: Vec<Entry<'a>>) -> Vec<Entry<'a>> {
        let mut keep = vec![true; entries.len()];
        let mut merges = Vec::new();
        {
            let mut seen: HashMap<&str, Span> = HashMap::with_capacity(entries.len());
            for (i, entry) in entries.iter().enumerate() {
                let Some(key) = entry.key.as_scalar() else {
                    continue;
                };
                if key.style == Style::Plain && key.text == "<<" {
                    keep[i] = false;
                    merges.push(i);
                    continue;
                }
                if let Some(first) = seen.get(key.text.as_ref()) {
                    keep[i] = false;
                    let diagnostic = Diagnostic::new(
                        self.id,
                        entry.key.span,
                        Problem::DuplicateKey {
                            key: key.text.to_string(),
                        },
                    )
                    .with_related(self.id, *first, "first defined here");
                    self.out.push(diagnostic);
                } else {
                    seen.insert(key.text.as_ref(), entry.key.span);
                }
            }
        }
        let mut merged: Vec<Entry<'a>> = Vec::new();
        for &i in &merges {
            let Some(entry) = entries.get(i) else {
                continue;
            };
            let sources: Vec<&Node<'a>> = match &entry.value.kind {
                NodeKind::Mapping(_) => vec![&entry.value],
                NodeKind::Sequence(items) => items.iter().collect(),
                _ => vec![&entry.value],
            };
            for source in sources {
                match &source.kind {
                    NodeKind::Mapping(more) => merged.extend(more.iter().cloned()),
                    NodeKind::Invalid => {}
                    _ => self.report(
                        source.span,
                        Problem::Type {
                            field: "<<".to_owned(),
                            expected: crate::diag::Expected::Mapping,
                            found: describe(source, self.file),
                            fix: Some(
                                "a merge key takes an alias of a mapping, e.g. `<<: *common`"
                                    .to_owned(),
                            ),
                        },
                    ),
                }
            }
        }
        let mut out: Vec<Entry<'a>> = entries
            .into_iter()
            .zip(keep)
            .filter_map(|(entry, keep)| keep.then_some(entry))
            .collect();
        for entry in merged {
            let present = entry.key.as_scalar().is_some_and(|key| {
                out.iter()
                    .any(|e| e.key.as_scalar().is_some_and(|k| k.text == key.text))
            });
            if !present {
                out.push(entry);
            }
        }
        out
    }
}

/// The tab that indents a line with content, at or after the line of
/// `offset`. granit-parser marks a tab in indentation at the start of the
/// scalar the tabbed line continues, or just after the blanks, or at a
/// block scalar's header; the fix is at the tab itself.
fn indenting_tab(text: &str, offset: usize) -> Option<usize> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let mut start = line_start;
    for line in text.get(line_start..)?.split_inclusive('\n') {
        let content = line.trim_start_matches([' ', '\t']);
        let blanks = line.len() - content.len();
        let content = content.trim_end();
        if !content.is_empty()
            && !content.starts_with('#')
            && let Some(tab) = line.get(..blanks).and_then(|blanks| blanks.find('\t'))
        {
            return Some(start + tab);
        }
        start += line.len();
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagMeaning {
    None,
    Str,
    Typed,
    Invalid,
}
