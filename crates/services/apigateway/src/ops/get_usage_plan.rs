//! `GetUsagePlan`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsagePlan.html>.

use http::StatusCode;
use unkai_store::Tx;

use crate::api::usage_plan_json;
use crate::error::Error;
use crate::store::{self, UsagePlan};
use crate::{ApiGateway, Call, Reply};

/// The usage plan `id`, or `NotFoundException`.
pub(crate) fn load_plan(tx: &mut Tx, id: &str) -> Result<UsagePlan, Error> {
    store::get(tx, &[store::USAGE_PLAN, id])?
        .ok_or_else(|| Error::NotFoundException("Invalid Usage Plan ID specified".into()))
}

impl ApiGateway {
    pub(crate) async fn get_usage_plan(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let plan = self
            .inner
            .kv
            .transact(|tx| load_plan(tx, call.label(0)))
            .await?;
        Ok(Reply::Json(StatusCode::OK, usage_plan_json(&plan)))
    }
}
