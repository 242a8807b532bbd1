//! The positioned tree: nodes, entries and scalars, and how a node is
//! shown in a message.

use std::borrow::Cow;

use crate::diag::{SourceFile, Span};
use crate::manifest::yaml::{Resolved, resolve_plain};

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
