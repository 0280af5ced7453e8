//! Timestamps as the JSON protocol sends them (epoch seconds, maybe with a fraction), shown
//! in UTC without a date library.

/// `1735787045.5` → `2025-01-02 03:04:05`.
pub fn utc(epoch_secs: f64) -> String {
    if !epoch_secs.is_finite() {
        return String::new();
    }
    let secs = epoch_secs.floor() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// An optional timestamp, or nothing.
pub fn utc_or_blank(epoch_secs: Option<f64>) -> String {
    epoch_secs.map(utc).unwrap_or_default()
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_are_shown_in_utc() {
        assert_eq!(utc(0.0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_735_787_045.5), "2025-01-02 03:04:05");
        assert_eq!(utc(951_782_400.0), "2000-02-29 00:00:00");
        assert_eq!(utc(4_102_444_799.0), "2099-12-31 23:59:59");
        assert_eq!(utc(-1.0), "1969-12-31 23:59:59");
        assert_eq!(utc(f64::NAN), "");
    }
}
