//! `DeleteUsagePlanKey`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteUsagePlanKey.html>.

use http::StatusCode;

use super::get_usage_plan_key::load_plan_key;
use crate::error::Error;
use crate::store;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_usage_plan_key(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (plan, key) = (call.label(0), call.label(1));
        self.inner
            .kv
            .transact(|tx| {
                load_plan_key(tx, plan, key)?;
                store::delete(tx, &[store::PLAN_KEY, plan, key]);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::ACCEPTED))
    }
}
