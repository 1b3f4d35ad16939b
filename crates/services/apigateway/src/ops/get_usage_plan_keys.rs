//! `GetUsagePlanKeys`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsagePlanKeys.html>.
//! `name` filters by name prefix.

use http::StatusCode;

use super::get_usage_plan::load_plan;
use super::{page, page_json};
use crate::api::usage_plan_key_json;
use crate::error::Error;
use crate::store::{self, ApiKey, PlanKey};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_usage_plan_keys(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let plan = call.label(0);
        let keys: Vec<(ApiKey, String)> = self
            .inner
            .kv
            .transact(|tx| {
                load_plan(tx, plan)?;
                let members: Vec<PlanKey> = store::list(tx, &[store::PLAN_KEY, plan])?;
                let mut keys = Vec::new();
                for member in members {
                    if let Some(key) = store::get::<ApiKey>(tx, &[store::API_KEY, &member.key_id])?
                    {
                        keys.push((key, member.key_type));
                    }
                }
                Ok::<_, Error>(keys)
            })
            .await?;
        let name = call.query("name").unwrap_or_default();
        let keys: Vec<_> = keys
            .into_iter()
            .filter(|(key, _)| key.name.starts_with(name))
            .collect();
        let (items, next) = page(keys, |(key, _)| &key.id, call)?;
        let items = items
            .iter()
            .map(|(key, kind)| usage_plan_key_json(key, kind))
            .collect();
        Ok(Reply::Json(StatusCode::OK, page_json(items, next)))
    }
}
