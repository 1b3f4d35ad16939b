//! `DeleteApi`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid.html#DeleteApi>.
//! Deletes the API with its routes, integrations, stages, deployments and authorizers.

use http::StatusCode;

use crate::error::Error;
use crate::store;
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn delete_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let id = call.label(0);
        self.inner
            .kv
            .transact(|tx| {
                self.load_api(tx, id)?;
                store::delete_api(tx, id);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
