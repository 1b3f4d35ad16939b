//! `GetUsage`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html>.
//! For each key of the plan (or `keyId`), one `[used, remaining]` pair per day from
//! `startDate` to `endDate` (`YYYY-MM-DD`, UTC); `remaining` is what the quota left at the end
//! of that day (0 without a quota).

use http::StatusCode;
use serde_json::{Map, Value as Json, json};

use super::get_usage_plan::load_plan;
use crate::error::Error;
use crate::limits::{self, days_from_date};
use crate::store::{self, PlanKey, Usage};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_usage(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let plan_id = call.label(0);
        let date = |name: &str| {
            let text = call.query(name).unwrap_or_default();
            days_from_date(text)
                .ok_or_else(|| Error::bad_request(format!("Invalid {name} specified: {text}")))
        };
        let (start, end) = (date("startDate")?, date("endDate")?);
        if end < start {
            return Err(Error::bad_request(
                "The end date must be after the start date",
            ));
        }
        let only = call.query("keyId").map(str::to_owned);
        let (plan, counts) = self
            .inner
            .kv
            .transact(|tx| {
                let plan = load_plan(tx, plan_id)?;
                let members: Vec<PlanKey> = store::list(tx, &[store::PLAN_KEY, plan_id])?;
                let mut counts = Vec::new();
                for member in members {
                    if only.as_ref().is_some_and(|only| *only != member.key_id) {
                        continue;
                    }
                    let mut days = Vec::new();
                    let first = plan
                        .quota
                        .as_ref()
                        .map_or(start, |quota| limits::period_start(start, &quota.period));
                    for day in first..=end {
                        let usage: Option<Usage> = store::get(
                            tx,
                            &[store::USAGE, plan_id, &member.key_id, &store::day_key(day)],
                        )?;
                        days.push((day, usage.map_or(0, |usage| usage.used)));
                    }
                    counts.push((member.key_id, days));
                }
                Ok::<_, Error>((plan, counts))
            })
            .await?;
        let mut values = Map::new();
        for (key, days) in counts {
            let mut pairs = Vec::new();
            for &(day, used) in days.iter().filter(|(day, _)| *day >= start) {
                let remaining = plan.quota.as_ref().map_or(0, |quota| {
                    let period = limits::period_start(day, &quota.period);
                    let spent: u64 = days
                        .iter()
                        .filter(|(d, _)| *d >= period && *d <= day)
                        .map(|(_, used)| used)
                        .sum();
                    (quota.limit as u64).saturating_sub(spent)
                });
                pairs.push(json!([used, remaining]));
            }
            values.insert(key, Json::Array(pairs));
        }
        Ok(Reply::Json(
            StatusCode::OK,
            json!({
                "usagePlanId": plan.id,
                "startDate": call.query("startDate"),
                "endDate": call.query("endDate"),
                "values": values,
            }),
        ))
    }
}
