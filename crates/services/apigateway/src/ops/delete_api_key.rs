//! `DeleteApiKey`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteApiKey.html>.
//! Also removes the key from every usage plan.

use http::StatusCode;

use super::get_api_key::load_key;
use crate::error::Error;
use crate::store::{self, UsagePlan};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_api_key(&self, call: &Call<'_>) -> Result<Reply, Error> {
        self.inner
            .kv
            .transact(|tx| {
                let key = load_key(tx, call.label(0))?;
                store::delete(tx, &[store::API_KEY, &key.id]);
                store::delete(tx, &[store::API_KEY_VALUE, &key.value]);
                let plans: Vec<UsagePlan> = store::list(tx, &[store::USAGE_PLAN])?;
                for plan in plans {
                    store::delete(tx, &[store::PLAN_KEY, &plan.id, &key.id]);
                }
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::ACCEPTED))
    }
}
