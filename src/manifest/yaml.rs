//! YAML with positions: granit-parser's events folded into a tree whose
//! every node knows its span, its scalar style and (through the span) the
//! exact source text.
//!
//! This layer knows YAML, not manifests. It reports what makes a file
//! unusable as YAML data — syntax errors, duplicate keys, tags beyond the
//! core schema, aliases that expand without bound — and resolves anchors,
//! aliases and `<<` merge keys, so later stages see plain data. A syntax
//! error abandons only its own document: parsing resumes at the next `---`
//! (granit-parser's `proceed_next_document`), so one run reports problems
//! in every document.
//!
//! Nodes reached through an alias keep the spans of the anchored original:
//! a diagnostic about such a value points where it is written, which is
//! where it has to be fixed.

use std::borrow::Cow;
use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle, ScanError, StructureStyle, Tag};

use crate::diag::{Diagnostic, FileId, Problem, SourceFile, Span};

/// Deepest nesting of collections, aliases included. Manifests need 5.
pub const MAX_DEPTH: usize = 64;

/// Nodes that aliases may copy in one file. A real manifest that shares a
/// block of 50 lines between 1 000 tasks stays far below; a "billion
/// laughs" file hits it after a few levels.
pub const ALIAS_BUDGET: usize = 250_000;

/// A YAML node with its place in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node<'a> {
    /// Where it is written. For a collection: its first line.
    pub span: Span,
    /// What it is.
    pub kind: NodeKind<'a>,
}

/// The kinds of YAML node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind<'a> {
    /// A scalar: all YAML text values, typed later.
    Scalar(Scalar<'a>),
    /// A sequence.
    Sequence(Vec<Node<'a>>),
    /// A mapping, merge keys resolved and duplicate keys removed.
    Mapping(Vec<Entry<'a>>),
    /// A node already reported as unusable (an unsupported tag, a
    /// recursive alias); later stages skip it silently.
    Invalid,
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The key.
    pub key: Node<'a>,
    /// The value.
    pub value: Node<'a>,
}

/// A scalar's text and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar<'a> {
    /// The value after YAML escapes and folding (and after `${VAR}`
    /// substitution once interpolation has run).
    pub text: Cow<'a, str>,
    /// How it was written.
    pub style: Style,
    /// Whether `${...}` substitution changed it: such a value is text,
    /// converted to the type the field needs.
    pub substituted: bool,
    /// Whether a problem with it was already reported (an unset
    /// variable): later stages treat the field as invalid and say nothing.
    pub reported: bool,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: typed by its content (YAML 1.2 core schema).
    Plain,
    /// Single- or double-quoted, or tagged `!!str`: always a string.
    Quoted,
    /// A `|` or `>` block: always a string.
    Block,
}

/// What a plain scalar means under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool,
    /// An integer, decimal, octal (`0o`) or hexadecimal (`0x`).
    Int,
    /// A floating-point number, `.inf` or `.nan`.
    Float,
    /// Anything else.
    Str,
}

impl Scalar<'_> {
    /// The core-schema type of the scalar. Quoted, block and substituted
    /// scalars are strings whatever their content.
    pub fn resolve(&self) -> Resolved {
        if self.style != Style::Plain || self.substituted {
            return Resolved::Str;
        }
        resolve_plain(&self.text)
    }
}

/// The YAML 1.2 core schema's reading of a plain scalar.
pub fn resolve_plain(text: &str) -> Resolved {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Resolved::Bool,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float,
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if digits(unsigned, 10)
        || text.strip_prefix("0o").is_some_and(|s| digits(s, 8))
        || text.strip_prefix("0x").is_some_and(|s| digits(s, 16))
    {
        return Resolved::Int;
    }
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || is_float(unsigned) {
        return Resolved::Float;
    }
    Resolved::Str
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, sign already removed.
fn is_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) => {
            all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !whole.is_empty() && all_digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

impl<'a> Node<'a> {
    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar<'a>> {
        match &self.kind {
            NodeKind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// Whether this is a plain `null`, `~` or empty value.
    pub fn is_null(&self) -> bool {
        self.as_scalar()
            .is_some_and(|scalar| scalar.resolve() == Resolved::Null)
    }
}

/// One document of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document<'a> {
    /// Its position in the file, from 1.
    pub index: usize,
    /// Where it starts.
    pub span: Span,
    /// Its content; `None` when a syntax error abandoned it.
    pub root: Option<Node<'a>>,
}

/// Reads every document of `file`, reporting YAML-level problems to `out`.
pub fn parse<'a>(file: &'a SourceFile, id: FileId, out: &mut Vec<Diagnostic>) -> Vec<Document<'a>> {
    let options = granit_parser::options! {
        flow_nesting_limit: MAX_DEPTH,
        block_nesting_limit: MAX_DEPTH,
    };
    let mut builder = Builder {
        file,
        id,
        out,
        documents: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        current: None,
        alias_nodes: 0,
    };
    let mut parser = Parser::new_from_str_with_options(file.text(), options);
    let mut last_error: Option<usize> = None;
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => builder.event(event, span),
            Some(Err(error)) => {
                let offset = builder.syntax_error(&error);
                // Recovery always moves forward; stop if it ever does not.
                if last_error.is_some_and(|last| offset <= last) {
                    break;
                }
                last_error = Some(offset);
                match parser.proceed_next_document() {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(error) => {
                        builder.syntax_error(&error);
                        break;
                    }
                }
            }
        }
    }
    builder.documents
}

struct Builder<'a, 'o> {
    file: &'a SourceFile,
    id: FileId,
    out: &'o mut Vec<Diagnostic>,
    documents: Vec<Document<'a>>,
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
    fn syntax_error(&mut self, error: &ScanError) -> usize {
        let marker = error.marker();
        let offset = marker.byte_offset().unwrap_or(self.file.text().len());
        let len = self
            .file
            .text()
            .get(offset..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        let span = self.file.span(offset, len);
        self.report(
            span,
            Problem::Syntax {
                message: error.kind().to_string(),
            },
        );
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

    fn event(&mut self, event: Event<'a>, raw_span: granit_parser::Span) {
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
                let kind = match self.check_tag(tag.as_deref(), tag_span) {
                    TagMeaning::None => NodeKind::Scalar(Scalar {
                        text,
                        style,
                        substituted: false,
                        reported: false,
                    }),
                    TagMeaning::Str => NodeKind::Scalar(Scalar {
                        text,
                        style: Style::Quoted,
                        substituted: false,
                        reported: false,
                    }),
                    TagMeaning::Typed => NodeKind::Scalar(Scalar {
                        text,
                        style: Style::Plain,
                        substituted: false,
                        reported: false,
                    }),
                    TagMeaning::Invalid => NodeKind::Invalid,
                };
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
            self.complete(
                Node {
                    span,
                    kind: NodeKind::Invalid,
                },
                1,
                1,
                0,
            );
            return;
        };
        let (size, height) = (target.size, target.height);
        if self.stack.len() + height > MAX_DEPTH {
            self.report(span, Problem::TooDeep { limit: MAX_DEPTH });
            self.complete(
                Node {
                    span,
                    kind: NodeKind::Invalid,
                },
                1,
                1,
                0,
            );
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
            self.complete(
                Node {
                    span,
                    kind: NodeKind::Invalid,
                },
                1,
                1,
                0,
            );
            return;
        }
        let node = target.node.clone();
        self.complete(node, size, height, 0);
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagMeaning {
    None,
    Str,
    Typed,
    Invalid,
}

/// Describes a node for "found ..." in messages, quoting the source.
pub fn describe(node: &Node<'_>, file: &SourceFile) -> String {
    match &node.kind {
        NodeKind::Sequence(_) => "a list".to_owned(),
        NodeKind::Mapping(_) => "a mapping".to_owned(),
        NodeKind::Invalid => "an unusable value".to_owned(),
        NodeKind::Scalar(scalar) => {
            let shown = shown(node, scalar, file);
            match scalar.resolve() {
                Resolved::Null if shown.is_empty() => "nothing".to_owned(),
                Resolved::Null => format!("null `{shown}`"),
                Resolved::Bool => format!("`{shown}`"),
                Resolved::Int | Resolved::Float => format!("a number `{shown}`"),
                Resolved::Str => format!("a string `{shown}`"),
            }
        }
    }
}

/// How a scalar is shown in a message: as written in the source (its
/// first line), or its value when substitution produced it.
pub fn shown(node: &Node<'_>, scalar: &Scalar<'_>, file: &SourceFile) -> String {
    if scalar.substituted {
        return scalar.text.to_string();
    }
    let source = file.slice(node.span);
    let first = source.lines().next().unwrap_or("");
    if first.len() < source.trim_end().len() {
        format!("{first}...")
    } else {
        first.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Vec<Document<'static>>, Vec<Diagnostic>) {
        let file: &'static SourceFile =
            Box::leak(Box::new(SourceFile::new("t.yaml".into(), text.to_owned())));
        let mut out = Vec::new();
        let documents = parse(file, FileId(0), &mut out);
        (documents, out)
    }

    fn codes(out: &[Diagnostic]) -> Vec<(&'static str, u32, u32)> {
        out.iter()
            .map(|d| {
                let span = d.span.unwrap_or_default();
                (d.code(), span.line, span.column)
            })
            .collect()
    }

    #[test]
    fn core_schema_types_plain_scalars_only() {
        for (text, resolved) in [
            ("", Resolved::Null),
            ("~", Resolved::Null),
            ("True", Resolved::Bool),
            ("yes", Resolved::Str),
            ("0327121220001", Resolved::Int),
            ("-12", Resolved::Int),
            ("0x1F", Resolved::Int),
            ("1.5", Resolved::Float),
            ("1e3", Resolved::Float),
            (".inf", Resolved::Float),
            ("09:00", Resolved::Str),
            ("1.2.3", Resolved::Str),
            (".", Resolved::Str),
            ("2030-01-01T09:00:00+08:00", Resolved::Str),
        ] {
            assert_eq!(resolve_plain(text), resolved, "{text:?}");
        }
    }

    #[test]
    fn nodes_know_their_positions_and_styles() {
        let (documents, out) = parse_text("a: 1\nb:\n  - \"x\"\n  - |\n    y\n");
        assert!(out.is_empty());
        let Some(Node {
            kind: NodeKind::Mapping(entries),
            ..
        }) = &documents[0].root
        else {
            panic!("not a mapping");
        };
        let b = &entries[1];
        assert_eq!((b.key.span.line, b.key.span.column), (2, 1));
        let NodeKind::Sequence(items) = &b.value.kind else {
            panic!("not a sequence");
        };
        assert_eq!((items[0].span.line, items[0].span.column), (3, 5));
        assert_eq!(items[0].as_scalar().unwrap().style, Style::Quoted);
        assert_eq!(items[1].as_scalar().unwrap().style, Style::Block);
        assert_eq!(items[1].as_scalar().unwrap().text, "y\n");
    }

    #[test]
    fn duplicate_keys_name_both_places_and_keep_the_first() {
        let (documents, out) = parse_text("a: 1\nb: 2\na: 3\n");
        assert_eq!(codes(&out), [("duplicate-key", 3, 1)]);
        assert_eq!(out[0].related[0].span.line, 1);
        let Some(NodeKind::Mapping(entries)) = documents[0].root.as_ref().map(|n| &n.kind) else {
            panic!();
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].value.as_scalar().unwrap().text, "1");
    }

    #[test]
    fn syntax_errors_abandon_only_their_document() {
        let (documents, out) = parse_text("a: [1, 2\n---\nb: 2\n---\nc: {\n---\nd: 4\n");
        assert_eq!(documents.len(), 4);
        assert!(documents[0].root.is_none());
        assert!(documents[1].root.is_some());
        assert!(documents[2].root.is_none());
        assert!(documents[3].root.is_some());
        assert_eq!(out.iter().filter(|d| d.code() == "syntax").count(), 2);
    }

    #[test]
    fn aliases_copy_the_anchored_node_and_merge_keys_merge() {
        let (documents, out) =
            parse_text("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nlist: [*b]\n");
        assert!(out.is_empty(), "{out:?}");
        let Some(NodeKind::Mapping(entries)) = documents[0].root.as_ref().map(|n| &n.kind) else {
            panic!();
        };
        let NodeKind::Mapping(merged) = &entries[1].value.kind else {
            panic!();
        };
        let pairs: Vec<(&str, &str)> = merged
            .iter()
            .map(|e| {
                (
                    e.key.as_scalar().unwrap().text.as_ref(),
                    e.value.as_scalar().unwrap().text.as_ref(),
                )
            })
            .collect();
        assert_eq!(pairs, [("y", "3"), ("x", "1")]);
        // The copy points at the original.
        assert_eq!(merged[1].value.span.line, 1);
    }

    #[test]
    fn billion_laughs_is_an_error_with_a_location() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let prev = level - 1;
            let refs = vec![format!("*a{prev}"); 10].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
        }
        let (_, out) = parse_text(&text);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].code(), "alias-limit");
        assert!(out[0].span.unwrap().line > 1);
    }

    #[test]
    fn tags_beyond_the_core_schema_are_refused() {
        let (documents, out) = parse_text("a: !!str 123\nb: !custom x\nc: !!binary eA==\n");
        assert_eq!(codes(&out), [("tag", 2, 4), ("tag", 3, 4)]);
        let Some(NodeKind::Mapping(entries)) = documents[0].root.as_ref().map(|n| &n.kind) else {
            panic!();
        };
        assert_eq!(
            entries[0].value.as_scalar().unwrap().resolve(),
            Resolved::Str
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let (_, out) = parse_text(&text);
        assert_eq!(out[0].code(), "syntax");
    }
}
