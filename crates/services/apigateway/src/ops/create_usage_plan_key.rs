//! `CreateUsagePlanKey`: <https://docs.aws.amazon.com/apigateway/latest/api/API_CreateUsagePlanKey.html>.

use http::StatusCode;

use super::get_api_key::load_key;
use super::get_usage_plan::load_plan;
use crate::api::{UsagePlanKeyInput, usage_plan_key_json};
use crate::error::Error;
use crate::store::{self, PlanKey};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn create_usage_plan_key(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: UsagePlanKeyInput = call.body()?;
        let key_type = input.key_type.unwrap_or_default();
        if key_type != "API_KEY" {
            return Err(Error::bad_request(format!(
                "Invalid key type specified: {key_type}. Valid options are API_KEY"
            )));
        }
        let key_id = input.key_id.unwrap_or_default();
        let key = self
            .inner
            .kv
            .transact(|tx| {
                let plan = load_plan(tx, call.label(0))?;
                let key = load_key(tx, &key_id)?;
                if store::get::<PlanKey>(tx, &[store::PLAN_KEY, &plan.id, &key.id])?.is_some() {
                    return Err(Error::conflict("Usage Plan Key already exists"));
                }
                store::put(
                    tx,
                    &[store::PLAN_KEY, &plan.id, &key.id],
                    &PlanKey {
                        key_id: key.id.clone(),
                        key_type: key_type.clone(),
                    },
                );
                Ok(key)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            usage_plan_key_json(&key, &key_type),
        ))
    }
}
