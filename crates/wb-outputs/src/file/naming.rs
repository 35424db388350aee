//! libbeat 8.x file names: `<filename>-<YYYYMMDD>.ndjson` for the first file of a day, then
//! `<filename>-<YYYYMMDD>-1.ndjson`, `-2`, … as files rotate.

use std::path::{Path, PathBuf};

/// The position of one file in the rotation order: its day, then its suffix (0 for none).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileId {
    /// `YYYYMMDD`.
    pub date: String,
    /// Rotation suffix.
    pub index: u32,
}

impl FileId {
    /// The file name of this id.
    pub fn file_name(&self, filename: &str) -> String {
        if self.index == 0 {
            format!("{filename}-{}.ndjson", self.date)
        } else {
            format!("{filename}-{}-{}.ndjson", self.date, self.index)
        }
    }

    /// Parses a file name written by [`FileId::file_name`] for `filename`.
    pub fn parse(name: &str, filename: &str) -> Option<FileId> {
        let rest = name
            .strip_prefix(filename)?
            .strip_prefix('-')?
            .strip_suffix(".ndjson")?;
        let (date, index) = match rest.split_once('-') {
            Some((d, i)) => (d, i.parse().ok().filter(|i| *i > 0)?),
            None => (rest, 0),
        };
        (date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit())).then(|| FileId {
            date: date.to_string(),
            index,
        })
    }
}

/// The rotation files of `filename` in `dir`, oldest first.
pub fn existing(dir: &Path, filename: &str) -> Vec<(FileId, PathBuf)> {
    let mut files: Vec<(FileId, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let id = FileId::parse(name.to_str()?, filename)?;
            Some((id, e.path()))
        })
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::FileId;

    #[test]
    fn names_round_trip() {
        let base = FileId {
            date: "20261125".into(),
            index: 0,
        };
        let third = FileId {
            date: "20261125".into(),
            index: 3,
        };
        assert_eq!(base.file_name("wirebeat"), "wirebeat-20261125.ndjson");
        assert_eq!(third.file_name("wirebeat"), "wirebeat-20261125-3.ndjson");
        assert_eq!(
            FileId::parse("wirebeat-20261125.ndjson", "wirebeat"),
            Some(base.clone())
        );
        assert_eq!(
            FileId::parse("wirebeat-20261125-3.ndjson", "wirebeat"),
            Some(third.clone())
        );
        assert!(base < third);
        assert_eq!(FileId::parse("wirebeat-2026112.ndjson", "wirebeat"), None);
        assert_eq!(
            FileId::parse("wirebeat-20261125-0.ndjson", "wirebeat"),
            None
        );
        assert_eq!(FileId::parse("other-20261125.ndjson", "wirebeat"), None);
        assert_eq!(FileId::parse("wirebeat-20261125.json", "wirebeat"), None);
    }
}
