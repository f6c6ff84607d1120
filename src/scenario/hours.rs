//! "Is it open now?" for the common part of OpenStreetMap's `opening_hours` syntax: `24/7`,
//! and rules such as `Mo-Fr 08:00-17:00; Sa 08:00-12:00` (day ranges and lists, one or more time
//! spans, `off`). A later rule replaces earlier ones for the days it names, as in OSM. Anything
//! else (public holidays, months, week numbers) answers "unknown" rather than a guess.

/// Hanoi's offset from UTC (no daylight saving time).
pub const HANOI_UTC_OFFSET_S: i64 = 7 * 3600;

const DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// Whether the place is open at `weekday` (0 = Monday) and `minute` of the day (0..1440);
/// `None` when the hours are empty or not understood.
pub fn is_open(hours: &str, weekday: usize, minute: u32) -> Option<bool> {
    let week = parse_week(hours, false)?;
    let spans = week.get(weekday)?.as_ref();
    Some(spans.is_some_and(|s| s.iter().any(|&(a, b)| minute >= a && minute < b)))
}

/// Days of the week on which the place opens at all, for spreading a year's visits over open
/// days; `None` when the hours are empty or not understood. Public-holiday rules (`PH ...`)
/// are set aside: they close a few days a year, not a weekday.
pub fn open_days_per_week(hours: &str) -> Option<u32> {
    let week = parse_week(hours, true)?;
    Some(
        week.iter()
            .filter(|d| d.as_ref().is_some_and(|s| s.iter().any(|&(a, b)| b > a)))
            .count() as u32,
    )
}

/// The time spans of each weekday (Monday first; `None` for days no rule names).
type Week = [Option<Vec<(u32, u32)>>; 7];

fn parse_week(hours: &str, skip_holidays: bool) -> Option<Week> {
    let hours = hours.trim();
    if hours.is_empty() {
        return None;
    }
    if hours == "24/7" {
        return Some(std::array::from_fn(|_| Some(vec![(0, 24 * 60)])));
    }
    let mut week: Week = Default::default();
    for rule in hours.split(';').map(str::trim).filter(|r| !r.is_empty()) {
        if skip_holidays && rule.starts_with("PH") {
            continue;
        }
        let (days, times) = rule.split_once(' ').unwrap_or((rule, ""));
        let day_set = parse_days(days)?;
        let spans = if times.trim() == "off" || times.trim() == "closed" {
            Vec::new()
        } else {
            times
                .split(',')
                .map(|s| parse_span(s.trim()))
                .collect::<Option<Vec<_>>>()?
        };
        for d in day_set {
            week[d] = Some(spans.clone());
        }
    }
    Some(week)
}

/// The same for the present moment in Hanoi.
pub fn is_open_now(hours: &str) -> Option<bool> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64
        + HANOI_UTC_OFFSET_S;
    let days = now.div_euclid(86_400);
    // 1 January 1970 was a Thursday (weekday 3 when Monday is 0).
    let weekday = ((days + 3).rem_euclid(7)) as usize;
    let minute = (now.rem_euclid(86_400) / 60) as u32;
    is_open(hours, weekday, minute)
}

fn parse_days(s: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let day = |d: &str| DAYS.iter().position(|x| *x == d.trim());
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut d = a;
                loop {
                    out.push(d);
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => out.push(day(part)?),
        }
    }
    Some(out)
}

fn parse_span(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let minute = |t: &str| {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h <= 24 && m < 60).then_some(h * 60 + m)
    };
    Some((minute(a)?, minute(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESK: &str = "Mo-Fr 08:00-17:00; Sa 08:00-12:00";

    #[test]
    fn weekday_office_hours() {
        assert_eq!(is_open(DESK, 0, 9 * 60), Some(true));
        assert_eq!(is_open(DESK, 4, 17 * 60), Some(false));
        assert_eq!(is_open(DESK, 5, 11 * 60 + 59), Some(true));
        assert_eq!(is_open(DESK, 5, 13 * 60), Some(false));
        assert_eq!(is_open(DESK, 6, 9 * 60), Some(false));
    }

    #[test]
    fn around_the_clock_and_unknown() {
        assert_eq!(is_open("24/7", 6, 3 * 60), Some(true));
        assert_eq!(is_open("", 0, 0), None);
        assert_eq!(is_open("PH off; Mo 08:00-12:00", 0, 600), None);
    }

    #[test]
    fn open_days_of_a_week() {
        assert_eq!(open_days_per_week(DESK), Some(6));
        assert_eq!(open_days_per_week("24/7"), Some(7));
        assert_eq!(open_days_per_week("Mo-Su 08:00-20:00; Su off"), Some(6));
        assert_eq!(open_days_per_week("PH off; Mo-Fr 08:00-17:00"), Some(5));
        assert_eq!(open_days_per_week(""), None);
        assert_eq!(open_days_per_week("sometimes"), None);
    }

    #[test]
    fn later_rule_wins_and_off() {
        assert_eq!(is_open("Mo-Su 08:00-20:00; Su off", 6, 600), Some(false));
        assert_eq!(
            is_open("Mo-Fr 07:30-11:30,13:30-17:00", 2, 12 * 60),
            Some(false)
        );
        assert_eq!(
            is_open("Mo-Fr 07:30-11:30,13:30-17:00", 2, 14 * 60),
            Some(true)
        );
    }
}
