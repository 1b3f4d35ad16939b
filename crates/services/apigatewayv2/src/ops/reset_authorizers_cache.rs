//! `ResetAuthorizersCache`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename-cache-authorizers.html>.
//! Authorizers do not run yet, so there is nothing cached: the stage must exist, and that is all.

use http::StatusCode;

use crate::error::Error;
use crate::store::{Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn reset_authorizers_cache(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let _: Stage = self
            .inner
            .kv
            .transact(|tx| self.load(tx, Kind::Stage, call.label(0), call.label(1)))
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
