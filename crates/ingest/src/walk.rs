//! The corpus walk: which files are read, in which order.

use crate::{CorpusError, Problem};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The formats Answerbank reads, told by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// One Q&A a line.
    Jsonl,
    /// An array of Q&As.
    Json,
    /// A spreadsheet export of Q&As.
    Csv,
    /// A Q&A (front matter + `## Question`/`## Answer`) or a document.
    Markdown,
    /// A document.
    Pdf,
    /// A document.
    Docx,
    /// A document.
    Html,
    /// A document.
    Text,
}

impl FileFormat {
    /// The format of a file name, `None` for files Answerbank does not read
    /// (images and other attachments).
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "jsonl" | "ndjson" => FileFormat::Jsonl,
            "json" => FileFormat::Json,
            "csv" => FileFormat::Csv,
            "md" | "markdown" => FileFormat::Markdown,
            "pdf" => FileFormat::Pdf,
            "docx" => FileFormat::Docx,
            "html" | "htm" => FileFormat::Html,
            "txt" => FileFormat::Text,
            _ => return None,
        })
    }

    /// The `format` value of records read from this format.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Jsonl => "jsonl",
            FileFormat::Json => "json",
            FileFormat::Csv => "csv",
            FileFormat::Markdown => "md",
            FileFormat::Pdf => "pdf",
            FileFormat::Docx => "docx",
            FileFormat::Html => "html",
            FileFormat::Text => "txt",
        }
    }
}

/// A file of the corpus to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its path relative to the corpus root, with `/` (the document id).
    pub rel: String,
    /// Its format.
    pub format: FileFormat,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time, when the file system tells it.
    pub modified: Option<SystemTime>,
}

/// Lists the files of a corpus that Answerbank reads, sorted by relative
/// path. Hidden files and folders (name starting with `.`) are skipped, and
/// symbolic links are not followed (so nothing outside the root is read).
/// Entries that cannot be read are problems; only an unreadable root is an
/// error.
pub fn walk(root: &Path) -> Result<(Vec<CorpusFile>, Vec<Problem>), CorpusError> {
    let meta = std::fs::metadata(root).map_err(|source| CorpusError::Unreadable {
        path: root.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(CorpusError::NotADirectory(root.to_path_buf()));
    }
    // Listing the root itself must work, or nothing can be read.
    std::fs::read_dir(root).map_err(|source| CorpusError::Unreadable {
        path: root.to_path_buf(),
        source,
    })?;

    let mut files = Vec::new();
    let mut problems = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let rel = err
                    .path()
                    .map(|p| rel_path(root, p))
                    .unwrap_or_else(|| ".".to_string());
                problems.push(Problem {
                    path: rel,
                    line: None,
                    message: format!("cannot read: {}", io_reason(&err)),
                });
                continue;
            }
        };
        // Symlinks are neither followed nor read: a link could point out
        // of the corpus.
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(format) = FileFormat::from_path(entry.path()) else {
            continue;
        };
        let rel = rel_path(root, entry.path());
        let (size, modified) = match entry.metadata() {
            Ok(meta) => (meta.len(), meta.modified().ok()),
            Err(err) => {
                problems.push(Problem {
                    path: rel,
                    line: None,
                    message: format!("cannot read: {}", io_reason(&err)),
                });
                continue;
            }
        };
        files.push(CorpusFile {
            path: entry.path().to_path_buf(),
            rel,
            format,
            size,
            modified,
        });
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok((files, problems))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// `path` relative to `root`, with `/` separators.
pub(crate) fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn io_reason(err: &walkdir::Error) -> String {
    match err.io_error() {
        Some(io) => io.to_string().to_lowercase(),
        None => err.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_hidden_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".sources/docs")).unwrap();
        std::fs::create_dir_all(root.join("b")).unwrap();
        std::fs::write(root.join(".sources/docs/x.html"), "<p>x</p>").unwrap();
        std::fs::write(root.join(".hidden.md"), "x").unwrap();
        std::fs::write(root.join("b/z.txt"), "z").unwrap();
        std::fs::write(root.join("a.md"), "a").unwrap();
        std::fs::write(root.join("image.png"), "png").unwrap();
        let (files, problems) = walk(root).unwrap();
        let rels: Vec<_> = files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a.md", "b/z.txt"]);
        assert!(problems.is_empty());
    }

    #[test]
    fn missing_root_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(walk(&dir.path().join("nope")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            dir.path().join("file.txt"),
        )
        .unwrap();
        let (files, _) = walk(dir.path()).unwrap();
        assert!(files.is_empty(), "{files:?}");
    }
}
