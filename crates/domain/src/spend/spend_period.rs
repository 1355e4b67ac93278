//! Budget periods: calendar months in the org's time zone (UTC unless the org sets one). A period
//! begins at local midnight on the first of the month; where that instant does not exist (a clock
//! change at midnight), it begins at the first local time that does.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::DomainError;

/// The time zone an org's budget months are counted in: an IANA name such as `Europe/Berlin`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BudgetTimeZone(Option<Tz>);

impl BudgetTimeZone {
    /// Coordinated Universal Time, the default.
    pub const UTC: Self = Self(None);

    /// The zone named `name` (IANA, exact spelling; `UTC` is UTC).
    pub fn parse(name: &str) -> Result<Self, DomainError> {
        if name == "UTC" {
            return Ok(Self::UTC);
        }
        name.parse::<Tz>()
            .map(|zone| Self(Some(zone)))
            .map_err(|_| DomainError::invalid("time_zone", "must be an IANA time zone such as Europe/Berlin"))
    }

    /// The zone's name, as stored and shown.
    pub fn name(self) -> &'static str {
        self.0.map_or("UTC", |zone| zone.name())
    }

    /// The local calendar date at `at`.
    pub fn date_at(self, at: DateTime<Utc>) -> NaiveDate {
        match self.0 {
            None => at.date_naive(),
            Some(zone) => at.with_timezone(&zone).date_naive(),
        }
    }

    /// The first instant of local day `date`.
    fn start_of(self, date: NaiveDate) -> DateTime<Utc> {
        let Some(zone) = self.0 else {
            return date.and_time(chrono::NaiveTime::MIN).and_utc();
        };
        // Midnight, or the first whole minute after it that exists (a gap of up to a day).
        (0..=24 * 60)
            .find_map(|minute| {
                let local =
                    date.and_time(chrono::NaiveTime::MIN) + chrono::Duration::minutes(i64::from(minute));
                match zone.from_local_datetime(&local) {
                    LocalResult::Single(time) | LocalResult::Ambiguous(time, _) => {
                        Some(time.with_timezone(&Utc))
                    }
                    LocalResult::None => None,
                }
            })
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// A calendar month: the period budgets count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpendPeriod {
    year: i32,
    month: u32,
}

impl SpendPeriod {
    /// The month `at` falls in, in `zone`.
    pub fn of(at: DateTime<Utc>, zone: BudgetTimeZone) -> Self {
        let date = zone.date_at(at);
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Parses `2026-11`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let invalid = || DomainError::invalid("period", "must be a month such as 2026-11");
        let (year, month) = raw.split_once('-').ok_or_else(invalid)?;
        let (year, month) = (
            year.parse::<i32>().map_err(|_| invalid())?,
            month.parse::<u32>().map_err(|_| invalid())?,
        );
        if year.to_string().len() != 4 || !(1..=12).contains(&month) || raw.len() != 7 {
            return Err(invalid());
        }
        Ok(Self { year, month })
    }

    /// `2026-11`, as stored and shown.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// When the next period begins in `zone`.
    pub fn resets_at(self, zone: BudgetTimeZone) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
            .map_or(DateTime::<Utc>::MAX_UTC, |next| zone.start_of(next))
    }

    /// Its days, first to last.
    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        let first = NaiveDate::from_ymd_opt(self.year, self.month, 1);
        first
            .into_iter()
            .flat_map(|first| first.iter_days())
            .take_while(move |day| day.month() == self.month)
    }

    /// When this period began in `zone`.
    pub fn starts_at(self, zone: BudgetTimeZone) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .map_or(DateTime::<Utc>::MIN_UTC, |first| zone.start_of(first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().expect("instant")
    }

    fn zone(name: &str) -> BudgetTimeZone {
        BudgetTimeZone::parse(name).expect("zone")
    }

    #[test]
    fn utc_periods_are_calendar_months() {
        let period = SpendPeriod::parse("2026-12").expect("valid");
        assert_eq!(period.key(), "2026-12");
        assert_eq!(
            period.resets_at(BudgetTimeZone::UTC).to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );
        let last_second = at("2026-11-30T23:59:59Z");
        assert_eq!(SpendPeriod::of(last_second, BudgetTimeZone::UTC).key(), "2026-11");
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "abcd-ef", "2026-00"] {
            assert!(SpendPeriod::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_zone_moves_the_month_boundary_to_local_midnight() {
        let berlin = zone("Europe/Berlin");
        // 23:30 UTC on 30 November is already December in Berlin (UTC+1), still November in New York.
        let late = at("2026-11-30T23:30:00Z");
        assert_eq!(SpendPeriod::of(late, berlin).key(), "2026-12");
        assert_eq!(SpendPeriod::of(late, zone("America/New_York")).key(), "2026-11");
        let november = SpendPeriod::parse("2026-11").expect("valid");
        assert_eq!(november.resets_at(berlin), at("2026-11-30T23:00:00Z"));
        assert_eq!(
            november.resets_at(zone("America/New_York")),
            at("2026-12-01T05:00:00Z")
        );
        // Summer time: New York is UTC-4 on 1 July.
        let june = SpendPeriod::parse("2026-06").expect("valid");
        assert_eq!(
            june.resets_at(zone("America/New_York")),
            at("2026-07-01T04:00:00Z")
        );
        assert_eq!(june.starts_at(berlin), at("2026-05-31T22:00:00Z"));
        // A period ends exactly where the next begins.
        let next = SpendPeriod::of(november.resets_at(berlin), berlin);
        assert_eq!(next.key(), "2026-12");
        assert_eq!(next.starts_at(berlin), november.resets_at(berlin));
    }

    #[test]
    fn a_month_that_begins_in_a_clock_gap_begins_when_the_clock_resumes() {
        // Cuba's clocks went from 00:00 to 01:00 on 1 April 2012: April began at 01:00 CDT.
        let havana = zone("America/Havana");
        let march = SpendPeriod::parse("2012-03").expect("valid");
        let resets = march.resets_at(havana);
        assert_eq!(resets, at("2012-04-01T05:00:00Z"));
        assert_eq!(SpendPeriod::of(resets, havana).key(), "2012-04");
        assert_eq!(
            SpendPeriod::of(resets - chrono::Duration::seconds(1), havana).key(),
            "2012-03"
        );
    }

    #[test]
    fn zones_are_iana_names() {
        assert_eq!(zone("UTC"), BudgetTimeZone::UTC);
        assert_eq!(zone("Asia/Kolkata").name(), "Asia/Kolkata");
        assert_eq!(BudgetTimeZone::default().name(), "UTC");
        for bad in ["", "Mars/Olympus", "europe/berlin ", "+01:00"] {
            assert!(BudgetTimeZone::parse(bad).is_err(), "{bad:?}");
        }
    }
}
