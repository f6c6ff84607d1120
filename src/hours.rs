//! Opening hours in OpenStreetMap's `opening_hours` syntax, read and evaluated by the
//! `opening-hours` crate (the whole syntax: day and time ranges, `off`, months, weeks, `PH`),
//! in Hanoi time (UTC+7, no daylight saving time) with Vietnam's public holidays from
//! `data/holidays/vn.csv`, so that `PH off` closes a desk on Tết and on National Day.
//!
//! Every caller asks this module: the points file check, the citizen's "open now" and "opens
//! at", coverage at a time and the open days a week the demand model spreads visits over.
//! Empty hours are *unknown*, never open: a point whose hours nobody wrote down can not be
//! promised to anyone at 19:00.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use opening_hours::{Context, ContextHolidays, OpeningHours, RuleKind};
use serde::Serialize;

/// Hanoi's offset from UTC (no daylight saving time).
pub const HANOI_UTC_OFFSET_S: i64 = 7 * 3600;

/// The public holidays shipped with motcua (see `data/README.md` for the sources).
const HOLIDAYS_CSV: &str = include_str!("../data/holidays/vn.csv");

/// How far ahead "opens at" looks: a week and a day covers every weekly schedule and a Tết
/// break of up to five days.
const NEXT_OPEN_HORIZON_DAYS: i64 = 8;

/// Whether a place is open at a moment, as its hours say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OpenState {
    Open,
    Closed,
    /// The hours are empty, or say `unknown` for this moment.
    Unknown,
}

/// Hours that are not OpenStreetMap opening hours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{part:?} is not understood (at character {column}); expected OpenStreetMap opening hours such as \"Mo-Fr 08:00-17:00; Sa 08:00-12:00; PH off\" or \"24/7\""
)]
pub struct HoursError {
    pub raw: String,
    /// The text from the first character the parser could not read to the end of its rule.
    pub part: String,
    /// 1-based character position of `part` in `raw`.
    pub column: usize,
}

/// One of Vietnam's public holidays as the opening-hours evaluation reads them.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicHoliday {
    pub date: NaiveDate,
    pub name_vi: String,
    pub name_en: String,
    /// `fixed` (a solar date in the Labour Code), `lunar` (a lunar date converted to the
    /// solar calendar), `decided` (the Government's decision for that year) or `assumption`.
    pub basis: String,
}

/// The public holidays of `data/holidays/vn.csv`, read once.
pub fn public_holidays() -> &'static [PublicHoliday] {
    static LIST: OnceLock<Vec<PublicHoliday>> = OnceLock::new();
    LIST.get_or_init(|| {
        HOLIDAYS_CSV
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let f: Vec<&str> = line.split(',').collect();
                let date = NaiveDate::parse_from_str(f[0], "%Y-%m-%d");
                match (date, f.len()) {
                    (Ok(date), 4) => PublicHoliday {
                        date,
                        name_vi: f[1].to_string(),
                        name_en: f[2].to_string(),
                        basis: f[3].to_string(),
                    },
                    // The file is checked by the unit tests; reaching this is a build defect.
                    _ => panic!("data/holidays/vn.csv: bad line {line:?}"),
                }
            })
            .collect()
    })
}

/// The years the holiday file covers, first and last: outside them `PH` would silently never
/// match, so a time outside them is refused ([`super::WeekTime::parse`]).
pub fn holiday_years() -> (i32, i32) {
    let list = public_holidays();
    let first = list.iter().map(|h| h.date.year()).min().unwrap_or(2024);
    let last = list.iter().map(|h| h.date.year()).max().unwrap_or(first);
    (first, last)
}

fn context() -> &'static Context {
    static CONTEXT: OnceLock<Context> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let mut public = compact_calendar::CompactCalendar::default();
        for h in public_holidays() {
            public.insert(h.date);
        }
        Context::default().with_holidays(ContextHolidays::new(
            Arc::new(public),
            Arc::new(compact_calendar::CompactCalendar::default()),
        ))
    })
}

/// Parsed opening hours; empty hours are kept as "unknown at every moment".
#[derive(Clone, Debug)]
pub struct Hours {
    parsed: Option<OpeningHours>,
}

impl Hours {
    /// Reads hours as a points file or a request gives them; empty text is unknown hours.
    ///
    /// ```
    /// use motcua::scenario::Hours;
    /// assert!(Hours::parse("Mo-Fr 08:00-17:00; PH off").is_ok());
    /// let err = Hours::parse("Mo-Fr 8h-17h").unwrap_err();
    /// assert_eq!(err.part, "8h-17h");
    /// ```
    pub fn parse(raw: &str) -> Result<Hours, HoursError> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(Hours { parsed: None });
        }
        match text.parse::<OpeningHours>() {
            Ok(oh) => Ok(Hours {
                parsed: Some(oh.with_context(context().clone())),
            }),
            Err(e) => Err(not_understood(text, &e.to_string())),
        }
    }

    /// Hours as given, or unknown when they are not understood (points already checked).
    ///
    /// Asked for every answer of the nearest-point API and for every point of each evaluation
    /// with load, while a city's points share a handful of texts: each text is parsed once and
    /// kept (the parsed rules are shared, a copy is cheap).
    pub fn lenient(raw: &str) -> Hours {
        static PARSED: OnceLock<Mutex<HashMap<String, Hours>>> = OnceLock::new();
        /// Distinct texts kept; beyond that the map starts again.
        const MOST_TEXTS: usize = 4096;
        let parsed = PARSED.get_or_init(Mutex::default);
        // The map only ever holds whole entries: a panic elsewhere leaves it usable.
        let mut parsed = parsed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(hours) = parsed.get(raw) {
            return hours.clone();
        }
        let hours = Hours::parse(raw).unwrap_or(Hours { parsed: None });
        if parsed.len() >= MOST_TEXTS {
            parsed.clear();
        }
        parsed.insert(raw.to_string(), hours.clone());
        hours
    }

    /// Whether the hours say nothing at all.
    pub fn is_empty(&self) -> bool {
        self.parsed.is_none()
    }

    /// Open, closed or unknown at `at` (Hanoi time).
    pub fn state(&self, at: NaiveDateTime) -> OpenState {
        let Some(oh) = &self.parsed else {
            return OpenState::Unknown;
        };
        match oh.state(at).0 {
            RuleKind::Open => OpenState::Open,
            RuleKind::Closed => OpenState::Closed,
            RuleKind::Unknown => OpenState::Unknown,
        }
    }

    /// The first moment from `at` on when the place is open (`at` itself when open), within
    /// eight days; `None` beyond that or when the hours are unknown.
    pub fn next_open(&self, at: NaiveDateTime) -> Option<NaiveDateTime> {
        let oh = self.parsed.as_ref()?;
        let until = at + Duration::days(NEXT_OPEN_HORIZON_DAYS);
        oh.iter_range(at, until)
            .find(|r| r.kind == RuleKind::Open)
            .map(|r| r.range.start.max(at))
    }

    /// Days of an ordinary week (no public holiday) on which the place opens at all, for
    /// spreading a year's visits over open days; `None` when the hours are unknown.
    pub fn open_days_per_week(&self) -> Option<u32> {
        let oh = self
            .parsed
            .as_ref()?
            .clone()
            .with_context(Context::default());
        let monday = reference_monday();
        let days = (0..7)
            .filter(|&d| {
                let day = monday + Duration::days(d);
                let start = day.and_hms_opt(0, 0, 0).unwrap_or_default();
                oh.iter_range(start, start + Duration::days(1))
                    .any(|r| r.kind == RuleKind::Open)
            })
            .count();
        Some(days as u32)
    }
}

/// The Monday of the week that "Sa 10:00" and the weekly sweep mean when no date is given:
/// 7 December 2026, a week without public holidays.
pub fn reference_monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default()
}

/// The present moment in Hanoi.
pub fn now_in_hanoi() -> NaiveDateTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        + HANOI_UTC_OFFSET_S;
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}

/// Days a week on which a place with these hours opens; `None` when unknown.
pub fn open_days_per_week(raw: &str) -> Option<u32> {
    Hours::parse(raw).ok()?.open_days_per_week()
}

/// The weekday abbreviations of the `opening_hours` syntax, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// Reads a moment in Hanoi time: a date and time (`2026-12-07T19:00`, or with a space), or a
/// weekday and time (`Sa 10:00`) in the reference week ([`reference_monday`]). A date outside
/// the years of the holiday file is refused, since `PH` could not be judged there.
///
/// ```
/// use motcua::hours::parse_moment;
/// assert_eq!(parse_moment("Sa 10:00").unwrap().to_string(), "2026-12-12 10:00:00");
/// assert!(parse_moment("2026-12-07T19:00").is_ok());
/// assert!(parse_moment("tomorrow").is_err());
/// ```
pub fn parse_moment(text: &str) -> Result<NaiveDateTime, String> {
    let t = text.trim();
    let expected = "expected a date and time in Hanoi such as \"2026-12-07T19:00\", or a weekday and time such as \"Sa 10:00\"";
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(t, format) {
            let (first, last) = holiday_years();
            if !(first..=last).contains(&at.year()) {
                return Err(format!(
                    "time {t:?} is outside {first}-{last}, the years whose public holidays are known (data/holidays/vn.csv)"
                ));
            }
            return Ok(at);
        }
    }
    let parsed = t.split_once(' ').and_then(|(day, time)| {
        let d = WEEKDAYS
            .iter()
            .position(|w| w.eq_ignore_ascii_case(day.trim()))?;
        let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
        Some((reference_monday() + Duration::days(d as i64)).and_time(time))
    });
    parsed.ok_or_else(|| format!("time {t:?} is not understood; {expected}"))
}

/// A moment of the week as [`parse_moment`] reads it back: `Tu 09:00`.
pub fn describe_moment(at: NaiveDateTime) -> String {
    format!(
        "{} {}",
        WEEKDAYS[at.weekday().num_days_from_monday() as usize],
        at.format("%H:%M")
    )
}

/// Minutes since Monday 00:00 of a moment's week (0..10080).
pub fn minute_of_week(at: NaiveDateTime) -> u32 {
    at.weekday().num_days_from_monday() * 1440 + at.hour() * 60 + at.minute()
}

/// The part the parser stopped at: from the column the parser's message names to the end of
/// that rule (the next `;`).
fn not_understood(raw: &str, message: &str) -> HoursError {
    let column = message
        .lines()
        .find_map(|l| l.trim().strip_prefix("-->"))
        .and_then(|pos| pos.trim().split(':').nth(1))
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let rest: String = raw.chars().skip(column - 1).collect();
    let part = rest.split(';').next().unwrap_or("").trim();
    HoursError {
        raw: raw.to_string(),
        part: if part.is_empty() {
            raw.to_string()
        } else {
            part.to_string()
        },
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESK: &str = "Mo-Fr 08:00-17:00; Sa 08:00-12:00";

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn state(hours: &str, t: &str) -> OpenState {
        Hours::parse(hours).unwrap().state(at(t))
    }

    #[test]
    fn weekday_office_hours() {
        // 7 December 2026 is a Monday.
        assert_eq!(state(DESK, "2026-12-07T09:00"), OpenState::Open);
        assert_eq!(state(DESK, "2026-12-11T17:00"), OpenState::Closed);
        assert_eq!(state(DESK, "2026-12-12T11:59"), OpenState::Open);
        assert_eq!(state(DESK, "2026-12-12T13:00"), OpenState::Closed);
        assert_eq!(state(DESK, "2026-12-13T09:00"), OpenState::Closed);
    }

    #[test]
    fn midnight_wrap_reaches_into_saturday() {
        let late = "Fr 22:00-02:00";
        assert_eq!(state(late, "2026-12-11T23:30"), OpenState::Open);
        assert_eq!(state(late, "2026-12-12T01:59"), OpenState::Open);
        assert_eq!(state(late, "2026-12-12T02:00"), OpenState::Closed);
        assert_eq!(state(late, "2026-12-11T21:59"), OpenState::Closed);
        // Thursday night is not Friday night.
        assert_eq!(state(late, "2026-12-11T01:00"), OpenState::Closed);
    }

    #[test]
    fn public_holidays_close_with_ph_off() {
        let desk = "Mo-Fr 08:00-17:00; PH off";
        // Wednesday 2 September 2026, National Day.
        assert_eq!(state(desk, "2026-09-02T09:00"), OpenState::Closed);
        assert_eq!(state(desk, "2026-09-03T09:00"), OpenState::Open);
        // Tuesday 17 February 2026, the first day of Tết.
        assert_eq!(state(desk, "2026-02-17T09:00"), OpenState::Closed);
        // Without `PH off` the holiday is an ordinary Tuesday.
        assert_eq!(
            state("Mo-Fr 08:00-17:00", "2026-02-17T09:00"),
            OpenState::Open
        );
    }

    #[test]
    fn off_rules_and_unknown() {
        assert_eq!(
            state("Mo-Su 08:00-20:00; Su off", "2026-12-13T10:00"),
            OpenState::Closed
        );
        assert_eq!(state("24/7", "2026-12-13T03:00"), OpenState::Open);
        assert_eq!(
            Hours::parse("").unwrap().state(at("2026-12-07T09:00")),
            OpenState::Unknown
        );
        assert_eq!(
            state("Mo-Fr 08:00-17:00 unknown", "2026-12-07T09:00"),
            OpenState::Unknown
        );
    }

    #[test]
    fn next_opening_after_the_weekend() {
        let hours = Hours::parse(DESK).unwrap();
        assert_eq!(
            hours.next_open(at("2026-12-12T13:00")),
            Some(at("2026-12-14T08:00"))
        );
        assert_eq!(
            hours.next_open(at("2026-12-07T09:00")),
            Some(at("2026-12-07T09:00"))
        );
        assert_eq!(
            Hours::parse("").unwrap().next_open(at("2026-12-07T09:00")),
            None
        );
    }

    #[test]
    fn open_days_of_a_week() {
        assert_eq!(open_days_per_week(DESK), Some(6));
        assert_eq!(open_days_per_week("24/7"), Some(7));
        assert_eq!(open_days_per_week("Mo-Su 08:00-20:00; Su off"), Some(6));
        assert_eq!(open_days_per_week("PH off; Mo-Fr 08:00-17:00"), Some(5));
        assert_eq!(open_days_per_week("Fr 22:00-02:00"), Some(2));
        assert_eq!(open_days_per_week(""), None);
        assert_eq!(open_days_per_week("sometimes"), None);
    }

    #[test]
    fn the_part_not_understood_is_named() {
        let err = Hours::parse("Mo-Fr 08:00-17:00; Sa 8h-12h").unwrap_err();
        assert_eq!(err.part, "8h-12h", "{err}");
        assert!(err.to_string().contains("\"8h-12h\""), "{err}");
        assert!(!err.to_string().contains('\n'), "{err}");
        let err = Hours::parse("sometimes").unwrap_err();
        assert_eq!(err.part, "sometimes");
    }

    #[test]
    fn the_holiday_file_reads_and_covers_whole_years() {
        let (first, last) = holiday_years();
        assert!(first <= 2026 && last >= 2026);
        for year in first..=last {
            let days = public_holidays()
                .iter()
                .filter(|h| h.date.year() == year)
                .count();
            // The Labour Code's eleven days: 1 + 5 (Tết) + 1 + 1 + 1 + 2.
            assert_eq!(days, 11, "{year}");
        }
    }
}
