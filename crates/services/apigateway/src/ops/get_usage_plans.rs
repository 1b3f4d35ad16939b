//! `GetUsagePlans`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsagePlans.html>.
//! `keyId` keeps the plans that key belongs to.

use http::StatusCode;

use super::{page, page_json};
use crate::api::usage_plan_json;
use crate::error::Error;
use crate::store::{self, PlanKey, UsagePlan};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_usage_plans(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let key = call.query("keyId").map(str::to_owned);
        let plans: Vec<UsagePlan> = self
            .inner
            .kv
            .transact(|tx| {
                let plans: Vec<UsagePlan> = store::list(tx, &[store::USAGE_PLAN])?;
                let mut kept = Vec::new();
                for plan in plans {
                    let member = match &key {
                        Some(key) => {
                            store::get::<PlanKey>(tx, &[store::PLAN_KEY, &plan.id, key])?.is_some()
                        }
                        None => true,
                    };
                    if member {
                        kept.push(plan);
                    }
                }
                Ok::<_, Error>(kept)
            })
            .await?;
        let (items, next) = page(plans, |plan| &plan.id, call)?;
        let items = items.iter().map(usage_plan_json).collect();
        Ok(Reply::Json(StatusCode::OK, page_json(items, next)))
    }
}
