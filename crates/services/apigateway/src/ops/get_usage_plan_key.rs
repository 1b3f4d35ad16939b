//! `GetUsagePlanKey`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsagePlanKey.html>.

use http::StatusCode;
use unkai_store::Tx;

use super::get_api_key::load_key;
use super::get_usage_plan::load_plan;
use crate::api::usage_plan_key_json;
use crate::error::Error;
use crate::store::{self, ApiKey, PlanKey};
use crate::{ApiGateway, Call, Reply};

/// Key `key` of plan `plan`, or `NotFoundException`.
pub(crate) fn load_plan_key(
    tx: &mut Tx,
    plan: &str,
    key: &str,
) -> Result<(ApiKey, PlanKey), Error> {
    load_plan(tx, plan)?;
    let member: PlanKey = store::get(tx, &[store::PLAN_KEY, plan, key])?
        .ok_or_else(|| Error::invalid_identifier("Usage Plan Key"))?;
    Ok((load_key(tx, key)?, member))
}

impl ApiGateway {
    pub(crate) async fn get_usage_plan_key(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (key, member) = self
            .inner
            .kv
            .transact(|tx| load_plan_key(tx, call.label(0), call.label(1)))
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            usage_plan_key_json(&key, &member.key_type),
        ))
    }
}
