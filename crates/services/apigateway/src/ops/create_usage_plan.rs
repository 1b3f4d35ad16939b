//! `CreateUsagePlan`: <https://docs.aws.amazon.com/apigateway/latest/api/API_CreateUsagePlan.html>.
//! The plan's throttle and quota apply to each of its keys on its stages (see `limits`).
//! Deviation: per-method throttles are stored, not applied.

use http::StatusCode;
use unkai_store::Tx;

use super::{random_id, tag_pairs};
use crate::api::{ApiStageInput, QuotaInput, ThrottleInput, UsagePlanInput, usage_plan_json};
use crate::error::Error;
use crate::store::{self, ApiStage, Quota, RestApi, Stage, Throttle, UsagePlan};
use crate::{ApiGateway, Call, Reply};

/// A throttle from its input.
pub(crate) fn throttle(input: ThrottleInput) -> Throttle {
    Throttle {
        burst_limit: input.burst_limit.unwrap_or(0),
        rate_limit: input.rate_limit.unwrap_or(0.0),
    }
}

/// A quota from its input, checked.
pub(crate) fn quota(input: QuotaInput) -> Result<Quota, Error> {
    let period = input.period.unwrap_or_default();
    if !["DAY", "WEEK", "MONTH"].contains(&period.as_str()) {
        return Err(Error::bad_request(format!(
            "Invalid quota period specified: {period}. Valid options are DAY, WEEK, MONTH"
        )));
    }
    let limit = input.limit.unwrap_or(0);
    if limit <= 0 {
        return Err(Error::bad_request("Quota limit must be greater than 0"));
    }
    Ok(Quota {
        limit,
        offset: input.offset.unwrap_or(0),
        period,
    })
}

impl ApiGateway {
    /// An API stage of a plan; the API and the stage must exist.
    pub(crate) fn api_stage(&self, tx: &mut Tx, api: &str, stage: &str) -> Result<(), Error> {
        let _: RestApi = self.load_api(tx, api)?;
        if store::get::<Stage>(tx, &[store::STAGE, api, stage])?.is_none() {
            return Err(Error::bad_request(format!(
                "Invalid stage identifier specified: {api}:{stage}"
            )));
        }
        Ok(())
    }

    pub(crate) async fn create_usage_plan(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: UsagePlanInput = call.body()?;
        let Some(name) = input.name.filter(|name| !name.is_empty()) else {
            return Err(Error::bad_request("Invalid usage plan name specified"));
        };
        let api_stages: Vec<ApiStage> = input
            .api_stages
            .unwrap_or_default()
            .into_iter()
            .map(|stage: ApiStageInput| ApiStage {
                api_id: stage.api_id.unwrap_or_default(),
                stage: stage.stage.unwrap_or_default(),
                throttle: stage
                    .throttle
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(path, input)| (path, throttle(input)))
                    .collect(),
            })
            .collect();
        let plan = UsagePlan {
            id: random_id(10),
            name,
            description: input.description,
            api_stages,
            throttle: input.throttle.map(throttle),
            quota: input.quota.map(quota).transpose()?,
            tags: tag_pairs(input.tags),
        };
        self.inner
            .kv
            .transact(|tx| {
                for stage in &plan.api_stages {
                    self.api_stage(tx, &stage.api_id, &stage.stage)?;
                }
                store::put(tx, &[store::USAGE_PLAN, &plan.id], &plan);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Json(StatusCode::CREATED, usage_plan_json(&plan)))
    }
}
