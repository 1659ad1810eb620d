//! Timestamps (milliseconds since the Unix epoch, UTC) and durations (milliseconds): parsing
//! and formatting by hand, with proleptic Gregorian calendar arithmetic.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses RFC 3339 `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`, years 1970–9999, to ms since epoch.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    if d.next().is_some()
        || !(1970..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || day < 1
        || day > days_in_month(y, m)
    {
        return None;
    }
    let (clock, offset_min) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (c, off) = rest.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off.get(1..)?.split_once(':')?;
        let (oh, om) = (num(oh)?, num(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (c, sign * (oh * 60 + om))
    };
    let mut t = clock.split(':');
    let (hh, mm, ss) = (num(t.next()?)?, num(t.next()?)?, t.next()?);
    if t.next().is_some() || hh > 23 || mm > 59 {
        return None;
    }
    let (sec, frac) = match ss.split_once('.') {
        Some((a, b)) => (num(a)?, b),
        None => (num(ss)?, ""),
    };
    if sec > 59 || frac.len() > 9 || (!frac.is_empty() && num(frac).is_none()) {
        return None;
    }
    let ms = if frac.is_empty() {
        0
    } else {
        num(&format!("{frac:0<3}")[..3])?
    };
    let days = days_from_civil(y, m, day);
    Some(((days * 24 + hh) * 60 + mm - offset_min) * 60_000 + sec * 1000 + ms)
}

/// Formats ms since epoch as RFC 3339 UTC (`2024-03-29T10:00:00Z`, `.123` only when nonzero).
pub fn format_timestamp(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, frac) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    if frac == 0 {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:03}Z")
    }
}

/// `ms` moved by `months` calendar months at the same time of day, the day clamped to the end
/// of a shorter month (31 January + 1 month is 28 or 29 February). None outside years
/// 0–9999.
pub fn add_months(ms: i64, months: i64) -> Option<i64> {
    let days = ms.div_euclid(86_400_000);
    let time = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let index = (y.checked_mul(12)?)
        .checked_add(m - 1)?
        .checked_add(months)?;
    let (y, m) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    if !(0..=9999).contains(&y) {
        return None;
    }
    let d = d.min(days_in_month(y, m));
    Some(days_from_civil(y, m, d) * 86_400_000 + time)
}

/// Midnight (UTC) of the day of `ms`.
pub fn start_of_day(ms: i64) -> i64 {
    ms.div_euclid(86_400_000) * 86_400_000
}

/// The day of the week of `ms` (UTC): 1 is Monday, 7 is Sunday.
pub fn weekday(ms: i64) -> i64 {
    // 1970-01-01 was a Thursday.
    (ms.div_euclid(86_400_000) + 3).rem_euclid(7) + 1
}

/// Parses `200ms`, `15s`, `15m`, `2h`, `3d` and sums like `1h30m`; `0` alone is zero.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s == "0" {
        return Some(0);
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut total: i64 = 0;
    if b.is_empty() {
        return None;
    }
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let n: i64 = s.get(start..i)?.parse().ok()?;
        let ustart = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = match s.get(ustart..i)? {
            "ms" => 1,
            "s" => 1000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    Some(total)
}

/// Formats a duration compactly: `0s`, `200ms`, `15m`, `1h30m`, `2d3h`, `-5s`.
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if ms < 0 {
        out.push('-');
    }
    let mut rest = ms.unsigned_abs();
    for (unit, name) in [
        (86_400_000u64, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1000, "s"),
        (1, "ms"),
    ] {
        if rest >= unit {
            out.push_str(&format!("{}{name}", rest / unit));
            rest %= unit;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_including_leap_days_and_the_last_day() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2024-03-29T10:00:00.250Z",
            "9999-12-31T23:59:59Z",
            "2000-02-29T12:00:00Z",
        ] {
            let ms = parse_timestamp(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(format_timestamp(ms), s);
        }
        assert_eq!(parse_timestamp("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(
            parse_timestamp("2024-03-29T10:00:00Z"),
            Some(1_711_706_400_000)
        );
    }

    #[test]
    fn calendar_months_clamp_to_the_month_end_and_keep_the_time() {
        let t = |s: &str| parse_timestamp(s).unwrap();
        let moved = |s: &str, n: i64| format_timestamp(add_months(t(s), n).unwrap());
        assert_eq!(moved("2024-01-31T09:30:00Z", 1), "2024-02-29T09:30:00Z");
        assert_eq!(moved("2023-01-31T09:30:00Z", 1), "2023-02-28T09:30:00Z");
        assert_eq!(moved("2024-02-29T00:00:00Z", 12), "2025-02-28T00:00:00Z");
        assert_eq!(moved("2024-03-15T12:00:00Z", -3), "2023-12-15T12:00:00Z");
        assert_eq!(moved("2024-05-31T00:00:00Z", 25), "2026-06-30T00:00:00Z");
        assert_eq!(add_months(t("9999-12-01T00:00:00Z"), 1), None);
        assert_eq!(add_months(0, i64::MAX), None);
        assert_eq!(
            format_timestamp(start_of_day(t("2024-03-29T23:59:59.999Z"))),
            "2024-03-29T00:00:00Z"
        );
        // 2024-03-25 was a Monday, 2024-03-31 a Sunday.
        assert_eq!(weekday(t("2024-03-25T10:00:00Z")), 1);
        assert_eq!(weekday(t("2024-03-31T23:00:00Z")), 7);
        assert_eq!(weekday(0), 4);
    }

    #[test]
    fn malformed_timestamps_are_refused() {
        for s in [
            "",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01",
            "2024-01-01T24:00:00Z",
            "1969-12-31T00:00:00Z",
            "2024-01-01T00:00:00",
            "x-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s}");
        }
    }

    #[test]
    fn durations_parse_and_format() {
        assert_eq!(parse_duration("200ms"), Some(200));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("3d"), Some(259_200_000));
        assert_eq!(parse_duration("0"), Some(0));
        for bad in ["", "5", "5x", "m", "99999999999999999999d", "1.5h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(format_duration(5_400_000), "1h30m");
        assert_eq!(format_duration(200), "200ms");
        assert_eq!(format_duration(0), "0s");
    }
}
