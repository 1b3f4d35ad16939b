//! `DeleteAccessLogSettings`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename-accesslogsettings.html>.

use http::StatusCode;

use crate::error::Error;
use crate::store::{self, Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn delete_access_log_settings(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, name) = (call.label(0), call.label(1));
        let now = self.now_ms();
        self.inner
            .kv
            .transact(|tx| {
                let mut stage: Stage = self.load(tx, Kind::Stage, api_id, name)?;
                stage.access_log = None;
                stage.updated_ms = now;
                store::put(tx, Kind::Stage, api_id, name, &stage);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
