//! One diagnostic: a problem, where it is, and how bad it is.

use crate::diag::{FileId, Problem, Span};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The manifest is invalid (exit 1).
    Error,
    /// Valid, but probably not what was meant.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary location that explains a diagnostic ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The file.
    pub file: FileId,
    /// Where in it.
    pub span: Span,
    /// What is there, e.g. "first used here".
    pub message: String,
}

/// One problem found in a manifest, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// The file it is in.
    pub file: FileId,
    /// Where in the file; `None` for a problem with the whole file (it
    /// cannot be read, it holds no manifest).
    pub span: Option<Span>,
    /// What is wrong.
    pub problem: Problem,
    /// Other places that explain it.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A diagnostic at `span` of `file`, with the problem's own severity.
    pub fn new(file: FileId, span: Span, problem: Problem) -> Diagnostic {
        Diagnostic {
            severity: problem.severity(),
            file,
            span: Some(span),
            problem,
            related: Vec::new(),
        }
    }

    /// A diagnostic about a whole file.
    pub fn whole_file(file: FileId, problem: Problem) -> Diagnostic {
        Diagnostic {
            severity: problem.severity(),
            file,
            span: None,
            problem,
            related: Vec::new(),
        }
    }

    /// Adds a secondary location.
    pub fn with_related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            span,
            message: message.into(),
        });
        self
    }

    /// The stable kebab-case code, e.g. `unknown-key`.
    pub fn code(&self) -> &'static str {
        self.problem.code().as_str()
    }

    /// The one-line message.
    pub fn message(&self) -> String {
        self.problem.to_string()
    }

    /// Whether it makes the manifests invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
