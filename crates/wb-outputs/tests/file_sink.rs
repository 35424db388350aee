//! The file output on a real directory: naming, rotation, retention, permissions, errors.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use wb_outputs::{default_local_sink, FileSink, FileSinkConfig, OutputError, Sink};

fn config(dir: &Path) -> FileSinkConfig {
    FileSinkConfig {
        path: dir.to_path_buf(),
        filename: "events".into(),
        rotate_every_kb: 1,
        number_of_files: 3,
        permissions: 0o600,
        rotate_on_startup: true,
    }
}

fn open(cfg: FileSinkConfig) -> FileSink {
    match FileSink::open(cfg) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

fn event(i: usize) -> Vec<u8> {
    format!("{{\"seq\":{i},\"pad\":\"{}\"}}", "x".repeat(100)).into_bytes()
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

#[test]
fn rotates_by_size_and_keeps_the_newest_files_whole() {
    let dir = temp();
    let mut sink = open(config(dir.path()));
    for i in 0..100 {
        assert!(sink.write_event(&event(i)).is_ok());
    }
    assert!(sink.close().is_ok());
    assert_eq!(sink.events_written(), 100);
    let kept = files(dir.path());
    assert_eq!(kept.len(), 3, "{kept:?}");
    let mut seqs = Vec::new();
    for f in &kept {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        assert!(
            text.len() <= 1024,
            "{} is {} bytes",
            f.display(),
            text.len()
        );
        for line in text.lines() {
            let seq: usize = line
                .strip_prefix("{\"seq\":")
                .and_then(|r| r.split(',').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("broken line {line:?}"));
            seqs.push(seq);
        }
    }
    seqs.sort_unstable();
    assert_eq!(seqs.last(), Some(&99), "the newest events are kept");
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "kept files are consecutive: {seqs:?}"
    );
    assert!(sink.describe().starts_with("files "), "{}", sink.describe());
}

#[test]
fn rotate_on_startup_starts_a_new_file_and_append_mode_reuses_it() {
    let dir = temp();
    let cfg = FileSinkConfig {
        rotate_every_kb: 1024,
        ..config(dir.path())
    };
    for _ in 0..2 {
        let mut s = open(cfg.clone());
        assert!(s.write_event(b"{}").is_ok());
        assert!(s.close().is_ok());
    }
    assert_eq!(files(dir.path()).len(), 2);
    let mut s = open(FileSinkConfig {
        rotate_on_startup: false,
        ..cfg
    });
    let newest = s.current_path().to_path_buf();
    assert!(
        newest.to_string_lossy().ends_with("-1.ndjson"),
        "{}",
        newest.display()
    );
    assert!(s.write_event(b"{}").is_ok());
    assert!(s.close().is_ok());
    assert_eq!(
        std::fs::read_to_string(&newest).unwrap_or_default(),
        "{}\n{}\n"
    );
}

#[test]
fn new_files_get_the_configured_permissions() {
    let dir = temp();
    let mut s = open(FileSinkConfig {
        permissions: 0o640,
        ..config(dir.path())
    });
    assert!(s.write_event(b"{}").is_ok());
    assert!(s.close().is_ok());
    let mode = std::fs::metadata(s.current_path())
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0);
    assert_eq!(mode, 0o640);
}

#[test]
fn an_unusable_directory_is_an_error_naming_it() {
    let dir = temp();
    let blocker = dir.path().join("plain-file");
    assert!(std::fs::write(&blocker, b"x").is_ok());
    let err = FileSink::open(config(&blocker.join("sub"))).err();
    let text = err.as_ref().map(ToString::to_string).unwrap_or_default();
    assert!(matches!(err, Some(OutputError::Io { .. })), "{text}");
    assert!(
        text.contains(&blocker.join("sub").display().to_string()),
        "{text}"
    );
}

#[test]
fn the_local_store_lives_under_data_events() {
    let dir = temp();
    let mut s = default_local_sink(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.write_event(b"{}").is_ok());
    assert!(s.close().is_ok());
    let path = s.current_path().to_path_buf();
    assert_eq!(path.parent(), Some(dir.path().join("events").as_path()));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        name.starts_with("wirebeat-") && name.ends_with(".ndjson"),
        "{name}"
    );
    assert_eq!(s.describe(), format!("file {}", path.display()));
}
