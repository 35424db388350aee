//! What the SQL analyzers (mysql, pgsql) share: the `max_rows` / `max_row_length` options and
//! the CSV rendering of result rows for `response`.

use crate::{positive_usize, OptionsError};
use wb_config::ProtocolConfig;

/// How much of a result goes into `response`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowLimits {
    /// `max_rows`: rows kept (default 10).
    pub max_rows: usize,
    /// `max_row_length`: bytes kept of each row's text (default 1024).
    pub max_row_length: usize,
}

impl RowLimits {
    /// Reads `max_rows` and `max_row_length` from a protocol entry.
    pub fn from_config(cfg: &ProtocolConfig) -> Result<Self, OptionsError> {
        Ok(RowLimits {
            max_rows: positive_usize(cfg, "max_rows", 10, "a positive number of rows")?,
            max_row_length: positive_usize(
                cfg,
                "max_row_length",
                1024,
                "a positive number of bytes",
            )?,
        })
    }
}

/// A row as one CSV line (`None` is SQL NULL, written `NULL`): cells are appended while the
/// line is shorter than `max`, and the line is cut at `max` bytes, as Packetbeat does.
pub fn csv_line<'a>(values: impl IntoIterator<Item = Option<&'a [u8]>>, max: usize) -> String {
    let mut line = String::new();
    for (i, v) in values.into_iter().enumerate() {
        if line.len() >= max {
            break;
        }
        if i > 0 {
            line.push(',');
        }
        match v {
            Some(bytes) => line.push_str(&String::from_utf8_lossy(bytes)),
            None => line.push_str("NULL"),
        }
    }
    let mut end = line.len().min(max);
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line.truncate(end);
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines() {
        assert_eq!(
            csv_line([Some(&b"a"[..]), None, Some(b"c")], 100),
            "a,NULL,c"
        );
        // The cell that crosses the limit is cut; later cells are dropped.
        assert_eq!(
            csv_line([Some(&b"abcd"[..]), Some(b"efgh"), Some(b"ij")], 6),
            "abcd,e"
        );
    }
}
