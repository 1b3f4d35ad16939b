//! `FlushStageAuthorizersCache`: <https://docs.aws.amazon.com/apigateway/latest/api/API_FlushStageAuthorizersCache.html>.
//! Forgets the cached decisions of the API's authorizers.

use http::StatusCode;

use crate::error::Error;
use crate::store::{self, Stage};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn flush_stage_authorizers_cache(
        &self,
        call: &Call<'_>,
    ) -> Result<Reply, Error> {
        let (api, name) = (call.label(0), call.label(1));
        let _: Stage = self
            .inner
            .kv
            .transact(|tx| self.load(tx, store::STAGE, api, name, "stage"))
            .await?;
        if let Ok(mut cache) = self.inner.decisions.lock() {
            cache.flush(api);
        }
        Ok(Reply::Empty(StatusCode::ACCEPTED))
    }
}
