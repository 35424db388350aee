//! Calendar dates for file names, without a date-time crate.

use wb_wire::civil_from_days;

/// `YYYYMMDD` (UTC) of a Unix time in seconds.
pub fn yyyymmdd(unix_secs: i64) -> String {
    let (y, m, d) = civil_from_days(unix_secs.div_euclid(86_400));
    format!("{y:04}{m:02}{d:02}")
}

/// Today's `YYYYMMDD` (UTC).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    yyyymmdd(secs)
}

#[cfg(test)]
mod tests {
    use super::yyyymmdd;

    #[test]
    fn known_days() {
        assert_eq!(yyyymmdd(0), "19700101");
        assert_eq!(yyyymmdd(86_399), "19700101");
        assert_eq!(yyyymmdd(951_782_400), "20000229");
        assert_eq!(yyyymmdd(951_868_800), "20000301");
        assert_eq!(yyyymmdd(1_709_164_800), "20240229");
        assert_eq!(yyyymmdd(1_795_564_800), "20261125");
        assert_eq!(yyyymmdd(-1), "19691231");
    }
}
