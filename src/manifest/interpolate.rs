//! `${VAR}` substitution in scalar values, before any type check.
//!
//! The grammar is the one CI users know from Docker Compose, minus what a
//! manifest does not need:
//!
//! - `${NAME}`: the variable's value; unset is an error at the `${`.
//! - `${NAME:-default}`: the default when the variable is unset *or empty*.
//! - `$${`: a literal `${`. A `$` not followed by `{` is just a `$`.
//!
//! `NAME` is `[A-Za-z_][A-Za-z0-9_]*`; defaults cannot nest another `${`.
//! Only values are expanded, never keys. Variables that hold credentials
//! ([`env::SECRET_VARIABLES`]) are refused by name, with or without a
//! default, and never read. A value that substitution changed
//! is marked, so validation shows the value it got, and treats it as text
//! to convert (`concurrency: ${CPS:-50}` is the number 50).

use std::borrow::Cow;

use crate::diag::{Diagnostic, FileId, InterpolationFlaw, Problem, SourceFile, Span};
use crate::env;
use crate::manifest::yaml::{Node, NodeKind};

/// A problem with one `${...}`, at byte `offset` of the scalar's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flaw {
    /// Byte offset of the `$` in the text.
    pub offset: usize,
    /// Length in bytes of the offending `${...}`.
    pub len: usize,
    /// What is wrong.
    pub problem: Problem,
}

/// Expands `text`. `Ok(None)` when there is nothing to expand (the common
/// case, which allocates nothing); every flaw when any `${` is bad.
pub fn expand(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, Vec<Flaw>> {
    if !text.contains("${") {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len());
    let mut flaws = Vec::new();
    let mut rest = text;
    let mut consumed = 0;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let at = consumed + dollar;
        let after = &rest[dollar..];
        if let Some(tail) = after.strip_prefix("$${") {
            out.push_str("${");
            consumed = at + 3;
            rest = tail;
            continue;
        }
        let Some(inner) = after.strip_prefix("${") else {
            out.push('$');
            consumed = at + 1;
            rest = &after[1..];
            continue;
        };
        let Some(close) = inner.find('}') else {
            flaws.push(Flaw {
                offset: at,
                len: after.len(),
                problem: Problem::Interpolation {
                    flaw: InterpolationFlaw::Unterminated,
                },
            });
            rest = "";
            break;
        };
        let body = &inner[..close];
        let len = close + 3;
        let (name, default) = match body.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (body, None),
        };
        let problem = if !is_name(name) {
            Some(Problem::Interpolation {
                flaw: InterpolationFlaw::BadName {
                    text: body.to_owned(),
                },
            })
        } else if default.is_some_and(|default| default.contains("${")) {
            Some(Problem::Interpolation {
                flaw: InterpolationFlaw::Nested,
            })
        } else if env::is_secret_variable(name) {
            // Refused before the variable is read: its value must reach no
            // message, no plan and no request (issue 7).
            Some(Problem::SecretVariable {
                name: name.to_owned(),
            })
        } else {
            // A default stands in for an unset variable and, as the
            // shell's `:-` does, for an empty one.
            let value = env(name).filter(|value| !value.is_empty() || default.is_none());
            match value.as_deref().or(default) {
                Some(value) => {
                    out.push_str(value);
                    None
                }
                None => Some(Problem::UnsetVariable {
                    name: name.to_owned(),
                }),
            }
        };
        if let Some(problem) = problem {
            flaws.push(Flaw {
                offset: at,
                len,
                problem,
            });
        }
        consumed = at + len;
        rest = &inner[close + 1..];
    }
    out.push_str(rest);
    if flaws.is_empty() {
        Ok(Some(out))
    } else {
        Err(flaws)
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Expands every scalar value below `node` (keys are left alone),
/// reporting flaws at their place in the file.
pub fn apply(
    node: &mut Node<'_>,
    file: &SourceFile,
    id: FileId,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<Diagnostic>,
) {
    match &mut node.kind {
        NodeKind::Scalar(scalar) => match expand(&scalar.text, env) {
            Ok(None) => {}
            Ok(Some(text)) => {
                scalar.text = Cow::Owned(text);
                scalar.substituted = true;
            }
            Err(flaws) => {
                for flaw in flaws {
                    let span = locate(file, node.span, &scalar.text, flaw.offset, flaw.len);
                    out.push(Diagnostic::new(id, span, flaw.problem));
                }
                scalar.reported = true;
            }
        },
        NodeKind::Sequence(items) => {
            for item in items {
                apply(item, file, id, env, out);
            }
        }
        NodeKind::Mapping(entries) => {
            for entry in entries {
                apply(&mut entry.value, file, id, env, out);
            }
        }
        NodeKind::Invalid => {}
    }
}

/// Where byte `offset` of a scalar's decoded text is in the file.
///
/// Plain and simply quoted scalars hold their text verbatim in the source,
/// so the offset carries over. Escapes or folded lines break that; then the
/// n-th `${` of the text is taken to be the n-th `${` of the source, and
/// failing that the scalar itself is blamed.
fn locate(file: &SourceFile, node: Span, text: &str, offset: usize, len: usize) -> Span {
    let source = file.slice(node);
    if let Some(start) = source.find(text) {
        return file.span(node.offset + start + offset, len);
    }
    let nth = text
        .get(..offset)
        .map_or(0, |before| before.matches("${").count());
    match source.match_indices("${").nth(nth) {
        Some((start, _)) => {
            let len = source[start..].find('}').map_or(2, |close| close + 1);
            file.span(node.offset + start, len)
        }
        None => node,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "AGENT_ID" => Some("118012345678901234".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn expanded(text: &str) -> Result<Option<String>, Vec<(usize, usize, &'static str)>> {
        expand(text, &env).map_err(|flaws| {
            flaws
                .iter()
                .map(|f| (f.offset, f.len, f.problem.code().as_str()))
                .collect()
        })
    }

    #[test]
    fn substitutes_variables_and_defaults() {
        assert_eq!(expanded("plain"), Ok(None));
        assert_eq!(
            expanded("${AGENT_ID}"),
            Ok(Some("118012345678901234".into()))
        );
        assert_eq!(
            expanded("a-${AGENT_ID}-b"),
            Ok(Some("a-118012345678901234-b".into()))
        );
        assert_eq!(expanded("${NOPE:-x y}"), Ok(Some("x y".into())));
        assert_eq!(expanded("${EMPTY:-d}"), Ok(Some("d".into())));
        assert_eq!(expanded("${EMPTY}"), Ok(Some(String::new())));
        assert_eq!(
            expanded("${AGENT_ID:-d}"),
            Ok(Some("118012345678901234".into()))
        );
        assert_eq!(expanded("续费${NOPE:-提醒}"), Ok(Some("续费提醒".into())));
    }

    #[test]
    fn dollar_dollar_brace_is_a_literal() {
        assert_eq!(expanded("$${AGENT_ID}"), Ok(Some("${AGENT_ID}".into())));
        assert_eq!(expanded("cost $5 ${NOPE:-}"), Ok(Some("cost $5 ".into())));
        assert_eq!(expanded("$$ ${EMPTY}"), Ok(Some("$$ ".into())));
    }

    #[test]
    fn reports_every_flaw_with_its_offset() {
        assert_eq!(expanded("x ${NOPE}"), Err(vec![(2, 7, "unset-variable")]));
        assert_eq!(
            expanded("${A} ${1X} ${B:-${C}}"),
            Err(vec![
                (0, 4, "unset-variable"),
                (5, 5, "interpolation"),
                (11, 9, "interpolation")
            ])
        );
        assert_eq!(expanded("${}"), Err(vec![(0, 3, "interpolation")]));
        assert_eq!(expanded("ab ${OPEN"), Err(vec![(3, 6, "interpolation")]));
    }

    #[test]
    fn credentials_are_refused_by_name_and_never_read() {
        let read = std::cell::RefCell::new(Vec::new());
        let env = |name: &str| {
            read.borrow_mut().push(name.to_owned());
            Some("S3cr3t-Never-Shown".to_owned())
        };
        for text in [
            "${ALIBABA_CLOUD_ACCESS_KEY_SECRET}",
            "${ALIBABA_CLOUD_SECURITY_TOKEN:-x}",
            "${alicloud_secret_key:-}",
        ] {
            let flaws = expand(&format!("a ${{OK:-1}} {text}"), &env).unwrap_err();
            assert_eq!(flaws.len(), 1, "{text}");
            assert_eq!((flaws[0].offset, flaws[0].len), (11, text.len()), "{text}");
            assert!(
                matches!(&flaws[0].problem, Problem::SecretVariable { name } if text.contains(name.as_str())),
                "{text}: {flaws:?}"
            );
        }
        assert!(read.borrow().iter().all(|name| name == "OK"), "{read:?}");
        assert_eq!(
            expand("$${ALIBABA_CLOUD_ACCESS_KEY_SECRET}", &env),
            Ok(Some("${ALIBABA_CLOUD_ACCESS_KEY_SECRET}".into()))
        );
    }

    #[test]
    fn locates_flaws_in_the_source() {
        let text = "a: \"x ${NOPE}\"\nb: \"\\t${NOPE}\"\n";
        let file = SourceFile::new("t.yaml".into(), text.into());
        let first = file.span(3, 11);
        assert_eq!(locate(&file, first, "x ${NOPE}", 2, 7).column, 7);
        // An escape before the `${` breaks the verbatim match.
        let second = file.span(18, 11);
        let span = locate(&file, second, "\t${NOPE}", 1, 7);
        assert_eq!((span.line, span.column, span.len), (2, 7, 7));
    }
}
