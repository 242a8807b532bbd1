//! Names the commit the binary is built from, for `aicall --version`
//! (issue 11): `AICALL_VERSION` is `0.1.0 (abc1234)` in a git checkout and
//! plain `0.1.0` anywhere else (a source tarball, a checkout without git).
//!
//! Nothing here may fail the build: without git, or outside a repository,
//! the version is simply the package's. The script re-runs when HEAD moves
//! (a checkout, or a commit on the current branch), and only then. In a
//! worktree `.git` is a file, so the files to watch are asked of git
//! (`--git-path`) instead of assumed to be under `.git/`.

use std::path::Path;
use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    println!("cargo:rerun-if-changed=build.rs");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    // Only this repository's own `.git`: a copy of the sources inside
    // another repository must not take that repository's commit.
    let commit = if Path::new(&dir).join(".git").exists() {
        watch_head(&dir);
        git(&dir, &["rev-parse", "--short", "HEAD"])
    } else {
        None
    };
    match commit {
        Some(commit) => println!("cargo:rustc-env=AICALL_VERSION={version} ({commit})"),
        None => println!("cargo:rustc-env=AICALL_VERSION={version}"),
    }
}

/// Re-run when HEAD, the branch it points to, or the packed refs change.
/// A path that does not exist is not watched: cargo would re-run the
/// script on every build.
fn watch_head(dir: &str) {
    let mut paths = vec![git(dir, &["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        paths.push(git(dir, &["rev-parse", "--git-path", &branch]));
    }
    paths.push(git(dir, &["rev-parse", "--git-path", "packed-refs"]));
    for path in paths.into_iter().flatten() {
        let path = Path::new(dir).join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// `git ARGS` in `dir`, its first line of output; `None` on any failure.
fn git(dir: &str, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.lines().next()?.trim().to_owned();
    (!line.is_empty()).then_some(line)
}
