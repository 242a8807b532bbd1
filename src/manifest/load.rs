//! Finding manifest files, reading them, and running every stage on them.
//!
//! Discovery follows the issue: each PATH is a file (read whatever its
//! name) or a directory (every `*.yaml`/`*.yml` below it, sorted, hidden
//! entries skipped); `-` is standard input; no PATH means the current
//! directory. A PATH that does not exist, or a directory holding no
//! manifest, is a usage error ([`ManifestError`], exit 2): the command
//! line names nothing to check. Everything wrong *inside* a file — that it
//! cannot be read included — is a [`Diagnostic`] (exit 1).
//!
//! Nothing is opened before its type is known (issue 7): a FIFO named
//! `*.yaml` would block the read forever, waiting for a writer, and a
//! device could be endless. Only regular files are read; anything else
//! found or named is a `not-a-file` diagnostic. A broken symbolic link
//! (dangling, or in a loop) is a `broken-link` diagnostic on that entry,
//! and the rest of its directory is still read.

use std::collections::HashSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, FileId, FileKind, LinkFlaw, Problem, SourceFile, Sources, Span};
use crate::manifest::model::TaskSpec;
use crate::manifest::validate::{Checker, check_names, check_renames};
use crate::manifest::{interpolate, yaml};

/// Files larger than this are refused: manifests are hand-written, and
/// the whole file is held in memory.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// How standard input is named in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// The command line named nothing that can be checked.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// A PATH does not exist.
    #[error("`{}` does not exist", path.display())]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// A directory holds no `*.yaml`/`*.yml` file.
    #[error("no manifests (`*.yaml`, `*.yml`) in `{}`", path.display())]
    NoManifests {
        /// The directory as given.
        path: PathBuf,
    },
    /// A directory could not be listed.
    #[error("cannot list `{}`", path.display())]
    Walk {
        /// The directory as given.
        path: PathBuf,
        /// Why.
        #[source]
        source: walkdir::Error,
    },
    /// Standard input could not be read.
    #[error("cannot read standard input")]
    Stdin(#[source] std::io::Error),
}

/// Everything read from the manifests, and every problem found.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The valid tasks, in file, document and list order. Complete only
    /// when [`Loaded::has_errors`] is false.
    pub tasks: Vec<TaskSpec>,
    /// Every problem, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read, for rendering diagnostics.
    pub sources: Sources,
}

impl Loaded {
    /// How many files were read.
    pub fn files(&self) -> usize {
        self.sources.len()
    }

    /// Whether any diagnostic is an error (warnings do not count).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// How many diagnostics are errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

/// Finds, reads and validates the manifests that `paths` name (the
/// current directory when empty), expanding `${VAR}` through `env`.
pub fn load(
    paths: &[PathBuf],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, ManifestError> {
    let inputs = discover(paths)?;
    let mut sources = Sources::new();
    let mut failed = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .lock()
                    .take(MAX_FILE_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(ManifestError::Stdin)?;
                let read = within_limit(bytes.len() as u64).map(|()| bytes);
                add(&mut sources, &mut failed, PathBuf::from(STDIN_NAME), read);
            }
            Input::File(path) => {
                let read = read(&path);
                add(&mut sources, &mut failed, path, read);
            }
            Input::Refused(path, problem) => add(&mut sources, &mut failed, path, Err(problem)),
        }
    }
    Ok(check(sources, failed, env))
}

/// Validates texts already in memory, as if read from files of these names.
pub fn load_texts(files: Vec<(PathBuf, String)>, env: &dyn Fn(&str) -> Option<String>) -> Loaded {
    let mut sources = Sources::new();
    for (path, text) in files {
        sources.add(SourceFile::new(path, text));
    }
    check(sources, Vec::new(), env)
}

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Input {
    File(PathBuf),
    Stdin,
    /// Found or named, but not to be opened: why is the diagnostic.
    Refused(PathBuf, Problem),
}

fn discover(paths: &[PathBuf]) -> Result<Vec<Input>, ManifestError> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut inputs = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |inputs: &mut Vec<Input>, input: Input| {
        let path = match &input {
            Input::File(path) | Input::Refused(path, _) => path,
            Input::Stdin => return,
        };
        // `aicall validate dir dir/a.yaml` reads `a.yaml` once.
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            inputs.push(input);
        }
    };
    for path in paths {
        if path.as_os_str() == "-" {
            if !inputs.contains(&Input::Stdin) {
                inputs.push(Input::Stdin);
            }
            continue;
        }
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) => match broken_link(path, &err) {
                // A link that is there but leads nowhere is not "does not
                // exist": `ls` lists it.
                Some(problem) => {
                    push(&mut inputs, Input::Refused(path.clone(), problem));
                    continue;
                }
                None if err.kind() == std::io::ErrorKind::NotFound => {
                    return Err(ManifestError::NotFound { path: path.clone() });
                }
                // Unreadable: reading it will say why, as a diagnostic.
                None => {
                    push(&mut inputs, Input::File(path.clone()));
                    continue;
                }
            },
        };
        if !metadata.is_dir() {
            push(&mut inputs, file_input(path.clone(), &metadata.file_type()));
            continue;
        }
        let before = inputs.len();
        // Whether the directory holds a manifest at all: its files may
        // have been named already by an earlier PATH, which is not an
        // error. Entries that could not be looked at do not count.
        let mut any_manifest = false;
        let walk = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
        for entry in walk {
            let (found, input) = match entry {
                Ok(entry) => {
                    if entry.file_type().is_dir() || !is_manifest_name(entry.path()) {
                        continue;
                    }
                    any_manifest = true;
                    let file_type = entry.file_type();
                    let found = entry.into_path();
                    (found.clone(), file_input(found, &file_type))
                }
                Err(err) => match walk_problem(&err) {
                    Some((found, problem)) => (found.clone(), Input::Refused(found, problem)),
                    None if err.depth() == 0 => {
                        return Err(ManifestError::Walk {
                            path: path.clone(),
                            source: err,
                        });
                    }
                    None => continue,
                },
            };
            let shown = if path.as_os_str() == "." {
                found
                    .strip_prefix(".")
                    .map(Path::to_path_buf)
                    .unwrap_or(found)
            } else {
                found
            };
            push(&mut inputs, input.with_path(shown));
        }
        if inputs.len() == before && !any_manifest {
            return Err(ManifestError::NoManifests { path: path.clone() });
        }
    }
    Ok(inputs)
}

impl Input {
    /// The same input under another name (how it is shown).
    fn with_path(self, path: PathBuf) -> Input {
        match self {
            Input::File(_) => Input::File(path),
            Input::Refused(_, problem) => Input::Refused(path, problem),
            Input::Stdin => Input::Stdin,
        }
    }
}

/// A path to read when it is a regular file, else refused unopened.
fn file_input(path: PathBuf, file_type: &std::fs::FileType) -> Input {
    match file_kind(file_type) {
        None => Input::File(path),
        Some(kind) => Input::Refused(path, Problem::NotAFile { kind }),
    }
}

/// What a file is when it is not a regular file (nor a directory).
fn file_kind(file_type: &std::fs::FileType) -> Option<FileKind> {
    if file_type.is_file() || file_type.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return Some(FileKind::Fifo);
        }
        if file_type.is_socket() {
            return Some(FileKind::Socket);
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return Some(FileKind::Device);
        }
    }
    Some(FileKind::Other)
}

/// An entry of a directory that could not be looked at, as a diagnostic
/// on that entry; `None` when it is no concern of ours (a broken link
/// that could never be a manifest) or not an entry (the root itself).
fn walk_problem(err: &walkdir::Error) -> Option<(PathBuf, Problem)> {
    let found = err.path()?.to_path_buf();
    if err.depth() == 0 || is_hidden(found.file_name().unwrap_or_default()) {
        return None;
    }
    if let Some(ancestor) = err.loop_ancestor() {
        let target = std::fs::read_link(&found).map_or_else(
            |_| ancestor.display().to_string(),
            |target| target.display().to_string(),
        );
        return Some((
            found,
            Problem::BrokenLink {
                flaw: LinkFlaw::Ancestor { target },
            },
        ));
    }
    let io = err.io_error()?;
    if let Some(problem) = broken_link(&found, io) {
        return is_manifest_name(&found).then_some((found, problem));
    }
    let is_dir = std::fs::symlink_metadata(&found).is_ok_and(|m| m.is_dir());
    (is_dir || is_manifest_name(&found)).then(|| {
        (
            found,
            Problem::Read {
                message: io.to_string(),
            },
        )
    })
}

/// Why `path`, whose metadata could not be read (`err`), is a broken
/// symbolic link; `None` when it is not a link at all.
///
/// A loop is found by following the links by hand (the standard library
/// has no stable "too many links" error kind): a path met twice, or more
/// links than any system follows.
fn broken_link(path: &Path, err: &std::io::Error) -> Option<Problem> {
    let target = std::fs::read_link(path).ok()?;
    let mut current = path.to_path_buf();
    let mut visited = HashSet::new();
    while visited.len() <= 40 {
        if !visited.insert(current.clone()) {
            break;
        }
        match std::fs::read_link(&current) {
            Ok(next) => {
                current = current
                    .parent()
                    .map_or_else(|| next.clone(), |parent| parent.join(&next));
            }
            Err(_) if err.kind() == std::io::ErrorKind::NotFound => {
                return Some(Problem::BrokenLink {
                    flaw: LinkFlaw::Dangling {
                        target: target.display().to_string(),
                    },
                });
            }
            // The chain ends in something that exists but cannot be read:
            // reading it will say why.
            Err(_) => return None,
        }
    }
    Some(Problem::BrokenLink {
        flaw: LinkFlaw::Loop,
    })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|name| name.starts_with('.'))
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"))
}

/// The bytes of a file, or why they cannot be had.
fn read(path: &Path) -> Result<Vec<u8>, Problem> {
    let io = |err: std::io::Error| Problem::Read {
        message: err.to_string(),
    };
    // Discovery looked already; look again just before opening, since
    // opening a FIFO blocks until someone writes to it.
    let metadata = std::fs::metadata(path).map_err(io)?;
    if let Some(kind) = file_kind(&metadata.file_type()) {
        return Err(Problem::NotAFile { kind });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    within_limit(size)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    // The file may have grown since its size was read.
    within_limit(size.max(bytes.len() as u64))?;
    Ok(bytes)
}

/// Refuses a file of `size` bytes when it is larger than [`MAX_FILE_BYTES`].
fn within_limit(size: u64) -> Result<(), Problem> {
    if size > MAX_FILE_BYTES {
        return Err(Problem::TooLarge {
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(())
}

/// Adds a file to `sources`; a file that cannot be used as text gets its
/// diagnostic in `failed` and is not parsed.
fn add(
    sources: &mut Sources,
    failed: &mut Vec<Diagnostic>,
    path: PathBuf,
    read: Result<Vec<u8>, Problem>,
) {
    match read {
        Err(problem) => {
            let id = sources.add(SourceFile::new(path, String::new()));
            failed.push(Diagnostic::whole_file(id, problem));
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => {
                sources.add(SourceFile::new(path, text));
            }
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
                let id = sources.add(SourceFile::new(path, text));
                // The lossy text is identical up to the bad byte, which
                // became one U+FFFD (3 bytes).
                let span = sources
                    .get(id)
                    .map_or(Span::default(), |file| file.span(offset, 3));
                failed.push(Diagnostic::new(id, span, Problem::Encoding));
            }
        },
    }
}

/// Parses, interpolates and validates every file; then checks that task
/// names are unique across all of them.
fn check(
    sources: Sources,
    failed: Vec<Diagnostic>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Loaded {
    let skip: HashSet<FileId> = failed.iter().map(|d| d.file).collect();
    let mut diagnostics = failed;
    let mut found = Vec::new();
    for (index, file) in sources.iter().enumerate() {
        let id = FileId(index);
        if skip.contains(&id) {
            continue;
        }
        let mut documents = yaml::parse(file, id, &mut diagnostics);
        let mut any_content = false;
        for document in &mut documents {
            if let Some(root) = document.root.as_mut() {
                interpolate::apply(root, file, id, env, &mut diagnostics);
            }
            let mut checker = Checker::new(file, id, &mut diagnostics);
            match document.root {
                None => any_content = true,
                Some(_) => {
                    if let Some(tasks) = checker.document(document) {
                        any_content = true;
                        found.extend(tasks.into_iter().map(|task| (id, task)));
                    }
                }
            }
        }
        if !any_content {
            diagnostics.push(Diagnostic::whole_file(
                id,
                Problem::NoTasks { empty_file: true },
            ));
        }
    }

    // Names are the identity of tasks in the account (§3.1): unique, and
    // not merely different in what cannot be seen (issue 7); old names
    // belong to one task and to no declared one (issue 8).
    check_names(&found, &mut diagnostics);
    check_renames(&found, &mut diagnostics);

    // Aliases copy nodes, and with them the problems of their values:
    // report each once.
    diagnostics.sort_by(|a, b| {
        (a.file, a.span.map(|s| (s.offset, s.len)), a.code()).cmp(&(
            b.file,
            b.span.map(|s| (s.offset, s.len)),
            b.code(),
        ))
    });
    diagnostics.dedup();
    let tasks = found
        .into_iter()
        .filter_map(|(_, task)| task.spec)
        .collect();
    Loaded {
        tasks,
        diagnostics,
        sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "version: 1\ntasks: []\n";

    fn codes(inputs: &[Input]) -> Vec<(String, Option<&'static str>)> {
        inputs
            .iter()
            .map(|input| match input {
                Input::File(path) => (path.display().to_string(), None),
                Input::Refused(path, problem) => {
                    (path.display().to_string(), Some(problem.code().as_str()))
                }
                Input::Stdin => ("-".to_owned(), None),
            })
            .collect()
    }

    /// Issue 7: broken links and files that are not regular are inputs
    /// refused with their diagnostic; the rest of the directory is read.
    #[cfg(unix)]
    #[test]
    fn broken_links_and_fifos_are_refused_entries_not_errors_of_the_directory() {
        use std::os::unix::fs::symlink;

        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.yaml"), MANIFEST).unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/b.yml"), MANIFEST).unwrap();
        symlink("gone.yaml", root.join("dangling.yaml")).unwrap();
        symlink("two.yaml", root.join("one.yaml")).unwrap();
        symlink("one.yaml", root.join("two.yaml")).unwrap();
        symlink("..", root.join("sub/up")).unwrap();
        symlink("gone", root.join("notes.txt")).unwrap();
        symlink("gone", root.join(".hidden.yaml")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.yaml"))
            .status()
            .unwrap();
        assert!(made.success());

        let inputs = discover(&[root.to_path_buf()]).unwrap();
        let shown = |name: &str| root.join(name).display().to_string();
        assert_eq!(
            codes(&inputs),
            [
                (shown("a.yaml"), None),
                (shown("dangling.yaml"), Some("broken-link")),
                (shown("one.yaml"), Some("broken-link")),
                (shown("pipe.yaml"), Some("not-a-file")),
                (shown("sub/b.yml"), None),
                (shown("sub/up"), Some("broken-link")),
                (shown("two.yaml"), Some("broken-link")),
            ]
        );
        let flaw = |name: &str| {
            inputs.iter().find_map(|input| match input {
                Input::Refused(path, Problem::BrokenLink { flaw }) if *path == root.join(name) => {
                    Some(flaw.clone())
                }
                _ => None,
            })
        };
        assert_eq!(
            flaw("dangling.yaml"),
            Some(LinkFlaw::Dangling {
                target: "gone.yaml".to_owned()
            })
        );
        assert_eq!(flaw("one.yaml"), Some(LinkFlaw::Loop));
        assert_eq!(
            flaw("sub/up"),
            Some(LinkFlaw::Ancestor {
                target: "..".to_owned()
            })
        );

        // Named one by one: the same, and never "does not exist".
        let named = discover(&[root.join("dangling.yaml"), root.join("pipe.yaml")]).unwrap();
        assert_eq!(
            codes(&named),
            [
                (shown("dangling.yaml"), Some("broken-link")),
                (shown("pipe.yaml"), Some("not-a-file")),
            ]
        );
        assert!(matches!(
            discover(&[root.join("nothing.yaml")]),
            Err(ManifestError::NotFound { .. })
        ));
        // Reading checks again, before opening.
        assert_eq!(
            read(&root.join("pipe.yaml")).map(|_| ()),
            Err(Problem::NotAFile {
                kind: FileKind::Fifo
            })
        );
    }
}
