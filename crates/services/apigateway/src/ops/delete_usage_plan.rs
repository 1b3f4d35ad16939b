//! `DeleteUsagePlan`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteUsagePlan.html>.
//! Deletes the plan with its keys and usage counts.

use http::StatusCode;

use super::get_usage_plan::load_plan;
use crate::error::Error;
use crate::store;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_usage_plan(&self, call: &Call<'_>) -> Result<Reply, Error> {
        self.inner
            .kv
            .transact(|tx| {
                let plan = load_plan(tx, call.label(0))?;
                store::delete(tx, &[store::USAGE_PLAN, &plan.id]);
                tx.clear_range(store::range(&[store::PLAN_KEY, &plan.id]));
                tx.clear_range(store::range(&[store::USAGE, &plan.id]));
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::ACCEPTED))
    }
}
