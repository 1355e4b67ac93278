//! Rule: a period's spending by day, for its chart. A day is a calendar day in the budget's time
//! zone; spending is counted by the UTC hour it was reported in, and an hour belongs to the local
//! day its start falls on (in zones offset by a half or quarter hour, a report in the hour around
//! midnight may count for the neighbouring day). Every day of the period is listed, spent or not.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    conversations::conversation::Micros,
    spend::spend_period::{BudgetTimeZone, SpendPeriod},
};

/// What `period` spent each day in `zone`, from what it spent each UTC hour (`by_hour`: hour
/// starts and sums). Hours outside the period's days are left out.
pub fn daily_spend(
    by_hour: &[(DateTime<Utc>, Micros)],
    period: SpendPeriod,
    zone: BudgetTimeZone,
) -> Vec<(NaiveDate, Micros)> {
    let mut days: Vec<(NaiveDate, Micros)> = period.days().map(|day| (day, 0)).collect();
    for (hour, cost) in by_hour {
        let date = zone.date_at(*hour);
        if let Some((_, sum)) = days.iter_mut().find(|(day, _)| *day == date) {
            *sum = sum.saturating_add(*cost);
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        raw.parse().expect("instant")
    }

    fn period(raw: &str) -> SpendPeriod {
        SpendPeriod::parse(raw).expect("period")
    }

    #[test]
    fn every_day_of_the_month_is_listed() {
        let days = daily_spend(&[], period("2027-02"), BudgetTimeZone::UTC);
        assert_eq!(days.len(), 28);
        assert!(days.iter().all(|(_, cost)| *cost == 0));
        assert_eq!(days[0].0.to_string(), "2027-02-01");
        assert_eq!(days[27].0.to_string(), "2027-02-28");
    }

    #[test]
    fn hours_add_up_on_their_day() {
        let hours = [
            (at("2026-12-03T08:00:00Z"), 1_500_000),
            (at("2026-12-03T21:00:00Z"), 500_000),
            (at("2026-12-04T00:00:00Z"), 250_000),
        ];
        let days = daily_spend(&hours, period("2026-12"), BudgetTimeZone::UTC);
        assert_eq!(days[2], ("2026-12-03".parse().unwrap(), 2_000_000));
        assert_eq!(days[3], ("2026-12-04".parse().unwrap(), 250_000));
    }

    #[test]
    fn days_are_local_to_the_budget_zone() {
        let berlin = BudgetTimeZone::parse("Europe/Berlin").unwrap();
        // 23:00 UTC on the 3rd is midnight on the 4th in Berlin.
        let hours = [(at("2026-12-03T23:00:00Z"), 700_000)];
        let days = daily_spend(&hours, period("2026-12"), berlin);
        assert_eq!(days[2].1, 0);
        assert_eq!(days[3], ("2026-12-04".parse().unwrap(), 700_000));
    }

    #[test]
    fn hours_outside_the_period_are_left_out() {
        let hours = [(at("2026-11-30T12:00:00Z"), 900_000)];
        let days = daily_spend(&hours, period("2026-12"), BudgetTimeZone::UTC);
        assert!(days.iter().all(|(_, cost)| *cost == 0));
    }
}
