//! `output.file`: NDJSON files that rotate by size and keep a bounded number of files.

mod naming;

use crate::date;
use crate::sink::{OutputError, Sink};
use naming::{existing, FileId};
use std::fs::{File, OpenOptions, Permissions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Settings of a [`FileSink`] (the `output.file` keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSinkConfig {
    /// Directory of the files (created if missing).
    pub path: PathBuf,
    /// Base name of the files.
    pub filename: String,
    /// Size in KiB after which the file rotates.
    pub rotate_every_kb: u64,
    /// Files kept (the oldest are deleted).
    pub number_of_files: u32,
    /// Unix permissions of new files.
    pub permissions: u32,
    /// Start a new file at start-up instead of appending to the newest one of the day.
    pub rotate_on_startup: bool,
}

/// Rotating NDJSON files.
pub struct FileSink {
    cfg: FileSinkConfig,
    id: FileId,
    current: PathBuf,
    first: PathBuf,
    out: Option<BufWriter<File>>,
    size: u64,
    written: u64,
}

impl FileSink {
    /// Opens (or creates) the current file of the rotation.
    pub fn open(cfg: FileSinkConfig) -> Result<Self, OutputError> {
        std::fs::create_dir_all(&cfg.path).map_err(|source| OutputError::Io {
            action: "create",
            path: cfg.path.clone(),
            source,
        })?;
        let today = date::today();
        let newest = existing(&cfg.path, &cfg.filename)
            .into_iter()
            .rev()
            .find(|(id, _)| id.date == today);
        let id = match newest {
            None => FileId {
                date: today,
                index: 0,
            },
            Some((id, path)) => {
                let empty = std::fs::metadata(&path)
                    .map(|m| m.len() == 0)
                    .unwrap_or(true);
                if cfg.rotate_on_startup && !empty {
                    FileId {
                        index: id.index + 1,
                        ..id
                    }
                } else {
                    id
                }
            }
        };
        let (out, size, current) = open_file(&cfg, &id)?;
        let sink = FileSink {
            first: current.clone(),
            current,
            cfg,
            id,
            out: Some(out),
            size,
            written: 0,
        };
        sink.prune()?;
        Ok(sink)
    }

    /// The file being written.
    pub fn current_path(&self) -> &Path {
        &self.current
    }

    fn rotate(&mut self) -> Result<(), OutputError> {
        self.flush()?;
        self.out = None;
        let today = date::today();
        self.id = if today == self.id.date {
            FileId {
                date: today,
                index: self.id.index + 1,
            }
        } else {
            FileId {
                date: today,
                index: 0,
            }
        };
        let (out, size, current) = open_file(&self.cfg, &self.id)?;
        self.out = Some(out);
        self.size = size;
        self.current = current;
        self.prune()
    }

    /// Deletes the oldest files beyond `number_of_files`.
    fn prune(&self) -> Result<(), OutputError> {
        let files = existing(&self.cfg.path, &self.cfg.filename);
        let keep = usize::try_from(self.cfg.number_of_files.max(1)).unwrap_or(usize::MAX);
        let excess = files.len().saturating_sub(keep);
        for (_, path) in files.into_iter().take(excess) {
            std::fs::remove_file(&path).map_err(|source| OutputError::Io {
                action: "remove old file",
                path,
                source,
            })?;
        }
        Ok(())
    }
}

fn open_file(
    cfg: &FileSinkConfig,
    id: &FileId,
) -> Result<(BufWriter<File>, u64, PathBuf), OutputError> {
    let path = cfg.path.join(id.file_name(&cfg.filename));
    let io = |action| {
        let path = path.clone();
        move |source| OutputError::Io {
            action,
            path,
            source,
        }
    };
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(cfg.permissions)
        .open(&path)
        .map_err(io("create"))?;
    file.set_permissions(Permissions::from_mode(cfg.permissions))
        .map_err(io("set permissions of"))?;
    let size = file.metadata().map_err(io("inspect"))?.len();
    Ok((BufWriter::with_capacity(64 * 1024, file), size, path))
}

impl Sink for FileSink {
    fn write_event(&mut self, json: &[u8]) -> Result<(), OutputError> {
        let needed = json.len() as u64 + 1;
        let limit = self.cfg.rotate_every_kb.saturating_mul(1024);
        if self.out.is_none() {
            return Err(OutputError::Closed);
        }
        if self.size > 0 && self.size + needed > limit {
            self.rotate()?;
        }
        let out = self.out.as_mut().ok_or(OutputError::Closed)?;
        out.write_all(json)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|source| OutputError::Io {
                action: "write",
                path: self.current.clone(),
                source,
            })?;
        self.size += needed;
        self.written += 1;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        match self.out.as_mut() {
            Some(out) => out.flush().map_err(|source| OutputError::Io {
                action: "write",
                path: self.current.clone(),
                source,
            }),
            None => Ok(()),
        }
    }

    fn close(&mut self) -> Result<(), OutputError> {
        let result = self.flush();
        self.out = None;
        result
    }

    fn describe(&self) -> String {
        if self.first == self.current {
            format!("file {}", self.current.display())
        } else {
            format!(
                "files {} … {}",
                self.first.display(),
                self.current.display()
            )
        }
    }

    fn events_written(&self) -> u64 {
        self.written
    }
}

/// The built-in local store: `<data>/events/wirebeat-YYYYMMDD[-N].ndjson`, 100 MiB per file,
/// 7 files kept, mode 0600. Each run starts a new file (`rotate_on_startup`), so the path the
/// summary prints holds exactly that run's events.
pub fn default_local_sink(data_path: &Path) -> Result<FileSink, OutputError> {
    FileSink::open(FileSinkConfig {
        path: data_path.join("events"),
        filename: "wirebeat".to_string(),
        rotate_every_kb: 100 * 1024,
        number_of_files: 7,
        permissions: 0o600,
        rotate_on_startup: true,
    })
}
