//! `--target NAME`: the manifest tasks a plan covers, chosen by globs on
//! their names (issue 11).
//!
//! A targeted plan covers only the manifest tasks whose name matches one of
//! the patterns: the others are neither planned nor counted. Nor are the
//! account's unmanaged tasks: the account is read for the selected names
//! only, so a task that another manifest entry names could not be told from
//! one that no manifest names, and counting either as "unmanaged" would be
//! wrong. The patterns are recorded in the plan (`targets`), so a saved
//! plan applies exactly the selection it was reviewed with.
//!
//! Matching is on the manifest name only (not the `renamedFrom` names),
//! exact and case-sensitive, with the glob syntax of the `globset` crate:
//! `*`, `?`, `[abc]`, `{a,b}`, and `\` to match a special character as
//! itself.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::model::DesiredTask;

/// Which manifest tasks a plan covers: every one, or those matching at
/// least one pattern.
#[derive(Debug, Clone)]
pub struct Targets {
    patterns: Vec<String>,
    set: GlobSet,
}

/// Why a selection cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// A pattern is not a glob.
    #[error("`--target {pattern}` is not a valid pattern: {reason}")]
    Invalid {
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Patterns that match no manifest task: most likely a typo, and
    /// planning nothing for it would look like success.
    #[error("{} no manifest task: {}", if patterns.len() == 1 { "`--target` matches" } else { "these `--target`s match" }, crate::diag::backticked(patterns))]
    Unmatched {
        /// The patterns, in the order given.
        patterns: Vec<String>,
    },
}

impl Default for Targets {
    fn default() -> Targets {
        Targets::all()
    }
}

impl PartialEq for Targets {
    fn eq(&self, other: &Targets) -> bool {
        self.patterns == other.patterns
    }
}

impl Eq for Targets {}

impl Targets {
    /// Every manifest task: no `--target`.
    pub fn all() -> Targets {
        Targets {
            patterns: Vec::new(),
            set: GlobSet::empty(),
        }
    }

    /// The tasks matching any of `patterns` (every task when there are
    /// none). Repeated patterns count once.
    pub fn new(patterns: &[String]) -> Result<Targets, TargetError> {
        let mut unique: Vec<String> = Vec::new();
        for pattern in patterns {
            if !unique.contains(pattern) {
                unique.push(pattern.clone());
            }
        }
        let set = name_globs(&unique).map_err(|(pattern, e)| TargetError::Invalid {
            pattern,
            reason: e.kind().to_string(),
        })?;
        Ok(Targets {
            patterns: unique,
            set,
        })
    }

    /// The patterns, as given (repeats removed); empty: every task.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether every manifest task is covered.
    pub fn is_all(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether the task named `name` is covered.
    pub fn covers(&self, name: &str) -> bool {
        self.is_all() || self.set.is_match(name)
    }

    /// Whether `other` names the same selection, whatever the order of
    /// its patterns.
    pub fn same_as(&self, other: &Targets) -> bool {
        let sorted = |t: &Targets| {
            let mut p = t.patterns.clone();
            p.sort();
            p
        };
        sorted(self) == sorted(other)
    }

    /// The covered tasks of `desired`, in their order.
    pub fn filter(&self, desired: Vec<DesiredTask>) -> Vec<DesiredTask> {
        desired
            .into_iter()
            .filter(|t| self.covers(&t.name))
            .collect()
    }

    /// As [`Targets::filter`], refusing a pattern that matches no task.
    pub fn select(&self, desired: Vec<DesiredTask>) -> Result<Vec<DesiredTask>, TargetError> {
        let unmatched: Vec<String> = self
            .patterns
            .iter()
            .zip(0..)
            .filter(|(_, index)| {
                !desired
                    .iter()
                    .any(|t| self.set.matches(&t.name).contains(index))
            })
            .map(|(pattern, _)| pattern.clone())
            .collect();
        if !unmatched.is_empty() {
            return Err(TargetError::Unmatched {
                patterns: unmatched,
            });
        }
        Ok(self.filter(desired))
    }
}

/// One compiled set of globs on task names, matching a name against every
/// pattern at once. A task name is not a path: `*` matches `/` too, and the
/// case is exact, as names are. On failure, the pattern at fault (every
/// pattern, joined by spaces, when the set as a whole fails) and why.
pub fn name_globs(patterns: &[String]) -> Result<GlobSet, (String, globset::Error)> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|e| (pattern.clone(), e))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| (patterns.join(" "), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::desired;

    fn names(tasks: &[DesiredTask]) -> Vec<&str> {
        tasks.iter().map(|t| t.name.as_str()).collect()
    }

    fn tasks() -> Vec<DesiredTask> {
        [
            "续费提醒-2030-12",
            "renewal-a",
            "renewal-b",
            "survey/q4",
            "a*b",
        ]
        .iter()
        .zip(1..)
        .map(|(name, line)| desired(name, line))
        .collect()
    }

    #[test]
    fn globs_select_by_exact_case_sensitive_name() {
        let targets = Targets::new(&["renewal-*".to_owned(), "续费*".to_owned()]).unwrap();
        assert_eq!(
            names(&targets.select(tasks()).unwrap()),
            ["续费提醒-2030-12", "renewal-a", "renewal-b"]
        );
        let targets = Targets::new(&["survey*".to_owned(), r"a\*b".to_owned()]).unwrap();
        assert_eq!(
            names(&targets.select(tasks()).unwrap()),
            ["survey/q4", "a*b"],
            "`*` crosses `/`; `\\*` is a star"
        );
        assert!(
            !Targets::new(&["Renewal-a".to_owned()])
                .unwrap()
                .covers("renewal-a")
        );
        assert_eq!(Targets::all().select(tasks()).unwrap().len(), 5);
    }

    #[test]
    fn a_pattern_matching_nothing_or_no_glob_is_refused_by_name() {
        let targets = Targets::new(&["renewal-a".to_owned(), "renwal-*".to_owned()]).unwrap();
        let err = targets.select(tasks()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`--target` matches no manifest task: `renwal-*`"
        );
        let err = Targets::new(&["[a".to_owned()]).unwrap_err();
        assert!(
            matches!(&err, TargetError::Invalid { pattern, .. } if pattern == "[a"),
            "{err:?}"
        );
    }

    #[test]
    fn repeats_count_once_and_order_does_not_matter() {
        let a = Targets::new(&["x".to_owned(), "y".to_owned(), "x".to_owned()]).unwrap();
        assert_eq!(a.patterns(), ["x", "y"]);
        let b = Targets::new(&["y".to_owned(), "x".to_owned()]).unwrap();
        assert!(a.same_as(&b));
        assert!(!a.same_as(&Targets::all()));
    }
}
