//! Every capture under `../shared/pcaps` reads to the end, with tshark's packet count and first
//! timestamp.

use std::path::{Path, PathBuf};
use std::process::Command;
use wb_capture::CaptureFile;

fn captures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if std::fs::read(&p).is_ok_and(|b| {
                b.starts_with(&[0xd4, 0xc3, 0xb2, 0xa1])
                    || b.starts_with(&[0xa1, 0xb2, 0xc3, 0xd4])
                    || b.starts_with(&[0x4d, 0x3c, 0xb2, 0xa1])
                    || b.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a])
                    || b.starts_with(&[0x1f, 0x8b])
            }) {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pcaps"),
        &mut v,
    );
    v.sort();
    v
}

/// `(packets, first frame.time_epoch)` from tshark.
fn tshark(path: &Path) -> Option<(u64, String)> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(["-T", "fields", "-e", "frame.time_epoch"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let first = text.lines().next().unwrap_or("").to_string();
    Some((text.lines().count() as u64, first))
}

#[test]
fn every_shared_capture_matches_tshark() {
    let all = captures();
    assert!(
        all.len() > 100,
        "expected the shared captures beside the repository"
    );
    let have_tshark = Command::new("tshark").arg("-v").output().is_ok();
    if !have_tshark {
        eprintln!("tshark is not installed: packet counts are not compared");
    }
    for path in all {
        let mut f = CaptureFile::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut packets = 0u64;
        let mut first = None;
        loop {
            match f.next_packet() {
                Ok(Some(p)) => {
                    first.get_or_insert((p.ts.secs(), p.ts.subsec_nanos()));
                    packets += 1;
                }
                Ok(None) => break,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(f.skipped_records(), 0, "{}", path.display());
        if let Some((count, epoch)) = have_tshark.then(|| tshark(&path)).flatten() {
            assert_eq!(packets, count, "{}", path.display());
            if let Some((secs, nanos)) = first {
                assert_eq!(format!("{secs}.{nanos:09}"), epoch, "{}", path.display());
            }
        }
    }
}
