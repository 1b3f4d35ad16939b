//! `ResetAuthorizersCache`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename-cache-authorizers.html>.
//! Forgets the Lambda authorizer answers cached for the stage (on this node: the cache is in
//! memory).

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
        let prefix = crate::public::authorizer_cache_prefix(call.label(0), call.label(1));
        if let Ok(mut cache) = self.inner.authorized.lock() {
            cache.retain(|key, _| !key.starts_with(&prefix));
        }
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
