//! `DeleteRestApi`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteRestApi.html>.
//! Deletes the API with its resources, deployments, stages and authorizers.

use http::StatusCode;

use crate::error::Error;
use crate::store;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_rest_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let id = call.label(0);
        self.inner
            .kv
            .transact(|tx| {
                self.load_api(tx, id)?;
                store::delete_api(tx, id);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::ACCEPTED))
    }
}
