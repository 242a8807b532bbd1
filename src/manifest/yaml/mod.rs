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
//!
//! The tree's types are in `node`, the core schema's reading of plain
//! scalars in `resolve`, and the folding of parser events into the tree in
//! `builder`; this file drives the parser.

mod builder;
mod node;
mod resolve;

use granit_parser::Parser;

use crate::diag::{Diagnostic, FileId, SourceFile, Span};

pub use node::{Entry, Node, NodeKind, Scalar, Style, describe, shown};
pub use resolve::{Resolved, resolve_plain};

use builder::Builder;

/// Deepest nesting of collections, aliases included. Manifests need 5.
pub const MAX_DEPTH: usize = 64;

/// Nodes that aliases may copy in one file. A real manifest that shares a
/// block of 50 lines between 1 000 tasks stays far below; a "billion
/// laughs" file hits it after a few levels.
pub const ALIAS_BUDGET: usize = 250_000;

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
    let mut builder = Builder::new(file, id, out);
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

    /// Issue 6: a tab in indentation is reported at the tab, not at the
    /// scalar before it (granit-parser's mark), with the fix.
    #[test]
    fn a_tab_in_indentation_is_reported_on_its_own_line_and_column() {
        let positions = |text: &str| {
            let (_, out) = parse_text(text);
            let spans: Vec<(u32, u32, usize)> = out
                .iter()
                .map(|d| d.span.map_or((0, 0, 0), |s| (s.line, s.column, s.len)))
                .collect();
            (codes(&out), spans, out)
        };
        // After a plain scalar, the parser points at the scalar `a`.
        let (codes, spans, out) = positions("tasks:\n  - name: a\n\tagentId: \"1\"\n");
        assert_eq!(codes, [("syntax", 3, 1)]);
        assert_eq!(spans, [(3, 1, 1)]);
        assert_eq!(out[0].message(), "invalid YAML: a tab in the indentation");
        assert_eq!(
            out[0].problem.help().as_deref(),
            Some("YAML forbids tabs for indentation: use spaces")
        );
        // In a block sequence, the parser points after the blanks; spaces
        // before the tab keep its column; a block scalar's content too.
        let (codes, ..) = positions("days:\n\t- MONDAY\n");
        assert_eq!(codes, [("syntax", 2, 1)]);
        let (codes, ..) = positions("a:\n  b: 1\n  \tc: 2\n");
        assert_eq!(codes, [("syntax", 3, 3)]);
        let (codes, ..) = positions("a: |\n\tx\n");
        assert_eq!(codes, [("syntax", 2, 1)]);
        // Tabs that are not indentation stay what they were.
        let (documents, out) = parse_text("a:\tb\n# \tcomment\n");
        assert!(out.is_empty(), "{out:?}");
        assert!(documents[0].root.is_some());
    }
}
