//! Usage plans' limits, computed from the service's clock: a token bucket per plan and key for
//! the throttle ([`unkai_types::TokenBuckets`]) (`rateLimit` tokens a second up to `burstLimit`), and quotas counted per UTC
//! day in the store and summed over the quota's period (`DAY`; `WEEK` from Monday; `MONTH`
//! from the first) (<https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html>).
//! Deviation: a quota's `offset` is not applied.

/// Days since the epoch of a civil date (proleptic Gregorian).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date (year, month, day) of a day since the epoch.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The day of `YYYY-MM-DD`.
pub(crate) fn days_from_date(text: &str) -> Option<u64> {
    let mut parts = text.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    u64::try_from(days_from_civil(year, month, day)).ok()
}

/// The first day of the quota period (`DAY`, `WEEK`, `MONTH`) that holds `day`.
pub(crate) fn period_start(day: u64, period: &str) -> u64 {
    match period {
        // 1970-01-01 was a Thursday: Monday is 3 days before.
        "WEEK" => day - ((day + 3) % 7),
        "MONTH" => {
            let (year, month, _) = civil_from_days(day as i64);
            days_from_civil(year, month, 1) as u64
        }
        _ => day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_periods_start_on_days_mondays_and_firsts() {
        let day = days_from_date("2024-03-14").unwrap(); // a Thursday
        assert_eq!(civil_from_days(day as i64), (2024, 3, 14));
        assert_eq!(period_start(day, "DAY"), day);
        assert_eq!(
            period_start(day, "WEEK"),
            days_from_date("2024-03-11").unwrap()
        );
        assert_eq!(
            period_start(day, "MONTH"),
            days_from_date("2024-03-01").unwrap()
        );
        assert_eq!(days_from_date("1970-01-01"), Some(0));
        assert_eq!(days_from_date("2024-13-01"), None);
        assert_eq!(days_from_date("nope"), None);
    }
}
