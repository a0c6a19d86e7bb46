//! Moments given by callers (refusing naive times) and moments rendered from calendar data
//! (keeping each value's own zone: no offset stripped, no `+00:00` invented).

use calcard::common::PartialDateTime;
use calcard::common::timezone::Tz;
use calcard::icalendar::{
    ICalendarEntry, ICalendarParameter, ICalendarParameterName, ICalendarParameterValue,
    ICalendarProperty, ICalendarValueType,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

/// A start, end, due or completion moment as it will be written to iCalendar.
#[derive(Debug, Clone, PartialEq)]
pub enum Moment {
    /// An all-day date (`VALUE=DATE`).
    Date(NaiveDate),
    /// A local time in an IANA zone (`TZID=`).
    Zoned(NaiveDateTime, chrono_tz::Tz),
    /// A UTC instant (`...Z`).
    Utc(DateTime<Utc>),
}

/// Parses an IANA time zone name such as `Europe/Berlin`.
pub fn parse_zone(name: &str) -> Result<chrono_tz::Tz, String> {
    name.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        format!("`{name}` is not an IANA time zone name; use one such as Europe/Berlin, America/New_York or UTC")
    })
}

/// Parses a caller's date or date-time. `YYYY-MM-DD` is an all-day date; a date-time needs
/// an offset (`+01:00`, `Z`) or a `timezone`; a naive date-time without a zone is refused.
/// With both an offset and a `timezone`, the instant is kept and expressed in that zone.
pub fn parse_moment(input: &str, timezone: Option<&str>) -> Result<Moment, String> {
    let text = input.trim();
    let zone = match timezone.map(str::trim).filter(|z| !z.is_empty()) {
        Some(z) => Some(parse_zone(z)?),
        None => None,
    };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Moment::Date(date));
    }
    let normalized = text.replacen(' ', "T", 1);
    if let Ok(dt) = DateTime::parse_from_rfc3339(&normalized)
        .or_else(|_| DateTime::parse_from_str(&normalized, "%Y-%m-%dT%H:%M%:z"))
    {
        return Ok(match zone {
            Some(tz) if tz != chrono_tz::UTC => {
                Moment::Zoned(dt.with_timezone(&tz).naive_local(), tz)
            }
            _ => Moment::Utc(dt.with_timezone(&Utc)),
        });
    }
    let naive = NaiveDateTime::parse_from_str(&normalized, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(&normalized, "%Y-%m-%dT%H:%M"))
        .map_err(|_| {
            format!(
                "`{input}` is not a date (2026-03-10) or a date-time (2026-03-10T09:00:00+01:00)"
            )
        })?;
    let Some(tz) = zone else {
        return Err(format!(
            "`{input}` has no time zone: add an offset (e.g. {}+01:00 or Z for UTC) or pass `timezone` (e.g. Europe/Berlin)",
            naive.format("%Y-%m-%dT%H:%M:%S")
        ));
    };
    if tz.from_local_datetime(&naive).earliest().is_none() {
        return Err(format!(
            "`{input}` does not exist in {tz} (skipped by a daylight-saving change)"
        ));
    }
    if tz == chrono_tz::UTC {
        return Ok(Moment::Utc(Utc.from_utc_datetime(&naive)));
    }
    Ok(Moment::Zoned(naive, tz))
}

impl Moment {
    /// The UTC instant (dates count from midnight UTC).
    pub fn instant(&self) -> DateTime<Utc> {
        match self {
            Moment::Date(d) => Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()),
            Moment::Zoned(local, tz) => tz
                .from_local_datetime(local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(local)),
            Moment::Utc(t) => *t,
        }
    }

    /// True for all-day dates.
    pub fn is_date(&self) -> bool {
        matches!(self, Moment::Date(_))
    }

    /// The same kind of moment shifted by `by`.
    pub fn shifted(&self, by: Duration) -> Moment {
        match self {
            Moment::Date(d) => Moment::Date(*d + Duration::days(by.num_days())),
            Moment::Zoned(local, tz) => Moment::Zoned(*local + by, *tz),
            Moment::Utc(t) => Moment::Utc(*t + by),
        }
    }

    /// The IANA zone, if any.
    pub fn zone(&self) -> Option<String> {
        match self {
            Moment::Zoned(_, tz) => Some(tz.name().to_string()),
            _ => None,
        }
    }

    /// The iCalendar entry `name` (DTSTART, DTEND, DUE, ...) holding this moment.
    pub fn entry(&self, name: ICalendarProperty) -> ICalendarEntry {
        let mut entry = ICalendarEntry::new(name);
        match self {
            Moment::Date(d) => {
                entry = entry
                    .with_param(ICalendarParameter::new(
                        ICalendarParameterName::Value,
                        ICalendarParameterValue::Value(ICalendarValueType::Date),
                    ))
                    .with_value(PartialDateTime {
                        year: Some(d.year() as u16),
                        month: Some(d.month() as u8),
                        day: Some(d.day() as u8),
                        ..Default::default()
                    });
            }
            Moment::Zoned(local, tz) => {
                entry = entry
                    .with_param(ICalendarParameter::new(
                        ICalendarParameterName::Tzid,
                        tz.name().to_string(),
                    ))
                    .with_value(partial(local, false));
            }
            Moment::Utc(t) => entry = entry.with_value(partial(&t.naive_utc(), true)),
        }
        entry
    }

    /// Renders the moment for a caller.
    pub fn render(&self) -> String {
        match self {
            Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
            Moment::Zoned(local, tz) => tz
                .from_local_datetime(local)
                .earliest()
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| local.format("%Y-%m-%dT%H:%M:%S").to_string()),
            Moment::Utc(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }
    }
}

fn partial(dt: &NaiveDateTime, utc: bool) -> PartialDateTime {
    PartialDateTime {
        year: Some(dt.year() as u16),
        month: Some(dt.month() as u8),
        day: Some(dt.day() as u8),
        hour: Some(dt.hour() as u8),
        minute: Some(dt.minute() as u8),
        second: Some(dt.second() as u8),
        tz_hour: utc.then_some(0),
        tz_minute: utc.then_some(0),
        tz_minus: false,
    }
}

/// Renders a resolved occurrence time in its own zone: `Z` for UTC, an offset for zoned
/// times, no suffix for floating times, a date for all-day values.
pub fn render_tz(dt: &DateTime<Tz>, all_day: bool) -> String {
    if all_day {
        return dt.naive_local().format("%Y-%m-%d").to_string();
    }
    let tz = dt.timezone();
    if tz.is_floating() {
        dt.naive_local().format("%Y-%m-%dT%H:%M:%S").to_string()
    } else if tz.is_utc() {
        dt.naive_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        dt.fixed_offset().to_rfc3339()
    }
}

/// The UTC instant of a resolved time (floating times are read as UTC).
pub fn to_utc(dt: &DateTime<Tz>) -> DateTime<Utc> {
    if dt.timezone().is_floating() {
        Utc.from_utc_datetime(&dt.naive_local())
    } else {
        dt.with_timezone(&Utc)
    }
}

/// CalDAV time-range format (`20260310T090000Z`).
pub fn caldav_utc(t: &DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Parses a range bound: a date (midnight UTC, or the next midnight when `end`) or an instant.
/// Naive date-times are refused as everywhere else.
pub fn parse_bound(
    input: &str,
    timezone: Option<&str>,
    end: bool,
) -> Result<DateTime<Utc>, String> {
    match parse_moment(input, timezone)? {
        Moment::Date(d) if end => Ok(Moment::Date(d).instant() + Duration::days(1)),
        m => Ok(m.instant()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_naive_times_and_keeps_zones() {
        let err = parse_moment("2026-03-10T09:00:00", None).unwrap_err();
        assert!(err.contains("no time zone"), "{err}");
        let m = parse_moment("2026-03-10T09:00:00", Some("Europe/Berlin")).unwrap();
        assert_eq!(m.render(), "2026-03-10T09:00:00+01:00");
        let mut out = String::new();
        m.entry(ICalendarProperty::Dtstart)
            .write_to(&mut out)
            .unwrap();
        assert_eq!(out, "DTSTART;TZID=Europe/Berlin:20260310T090000\r\n");
        let u = parse_moment("2026-03-10T09:00:00+01:00", None).unwrap();
        assert_eq!(u.render(), "2026-03-10T08:00:00Z");
        let mut out = String::new();
        u.entry(ICalendarProperty::Dtstart)
            .write_to(&mut out)
            .unwrap();
        assert_eq!(out, "DTSTART:20260310T080000Z\r\n");
        let d = parse_moment("2026-03-10", None).unwrap();
        let mut out = String::new();
        d.entry(ICalendarProperty::Dtend)
            .write_to(&mut out)
            .unwrap();
        assert_eq!(out, "DTEND;VALUE=DATE:20260310\r\n");
        assert!(parse_moment("2026-03-29T02:30:00", Some("Europe/Berlin")).is_err());
        assert!(parse_moment("x", None).is_err());
        assert!(parse_zone("Mars/Base").is_err());
    }
}
