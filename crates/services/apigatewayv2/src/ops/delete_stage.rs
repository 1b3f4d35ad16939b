//! `DeleteStage`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename.html#DeleteStage>.

use http::StatusCode;

use crate::error::Error;
use crate::store::{self, Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn delete_stage(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, name) = (call.label(0), call.label(1));
        self.inner
            .kv
            .transact(|tx| {
                let _: Stage = self.load(tx, Kind::Stage, api_id, name)?;
                store::delete(tx, Kind::Stage, api_id, name);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
