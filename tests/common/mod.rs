//! Helpers shared by the end-to-end CLI tests: run the real binary on a capture with a given
//! configuration and read back the events it wrote.
#![allow(dead_code)]

pub mod pcap_edit;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shared captures folder (`../shared/pcaps` beside the repository).
pub fn shared_pcaps() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pcaps")
}

/// A shared capture by its path under `../shared/pcaps/packetbeat/`.
pub fn pcap(name: &str) -> PathBuf {
    shared_pcaps().join("packetbeat").join(name)
}

/// Every capture file under `../shared/pcaps`, sorted.
pub fn all_captures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.ends_with(".pcap") || n.ends_with(".pcapng") || n.ends_with(".pcap.gz")
            }) {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(&shared_pcaps(), &mut v);
    v.sort();
    v
}

/// The result of one run.
pub struct Run {
    /// Process output (stdout/stderr/status).
    pub output: Output,
    /// Events written to the file output, parsed.
    pub events: Vec<serde_json::Value>,
    /// The raw NDJSON written.
    pub ndjson: String,
    /// Keeps the temporary directory alive.
    pub dir: tempfile::TempDir,
}

impl Run {
    /// stderr as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Events of one `type`.
    pub fn of_type(&self, kind: &str) -> Vec<&serde_json::Value> {
        self.events.iter().filter(|e| e["type"] == kind).collect()
    }
}

/// The wirebeat binary.
pub fn wirebeat() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wirebeat"))
}

/// Runs `wirebeat run -c <config> -r <capture> -t` with `config_yaml` plus a file output into a
/// temporary directory, and reads the events back.
pub fn run_capture(config_yaml: &str, capture: &Path, extra_args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let cfg = format!(
        "{config_yaml}\noutput.file:\n  path: \"{}\"\n  filename: events\n",
        out_dir.display()
    );
    let cfg_path = dir.path().join("wirebeat.yml");
    std::fs::write(&cfg_path, cfg).expect("write config");
    let output = wirebeat()
        .arg("run")
        .arg("-c")
        .arg(&cfg_path)
        .arg("-r")
        .arg(capture)
        .arg("-t")
        .arg("--path.data")
        .arg(dir.path().join("data"))
        .arg("--path.logs")
        .arg(dir.path().join("logs"))
        .args(extra_args)
        .output()
        .expect("run wirebeat");
    let mut ndjson = String::new();
    if let Ok(rd) = std::fs::read_dir(&out_dir) {
        let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            ndjson.push_str(&std::fs::read_to_string(f).unwrap_or_default());
        }
    }
    let events = ndjson
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect();
    Run {
        output,
        events,
        ndjson,
        dir,
    }
}

/// Flows on, default timeouts; no protocols.
pub const FLOWS_ONLY: &str = "packetbeat.flows:\n  timeout: 30s\n  period: -1s\n";
