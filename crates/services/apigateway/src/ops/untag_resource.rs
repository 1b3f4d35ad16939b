//! `UntagResource`: <https://docs.aws.amazon.com/apigateway/latest/api/API_UntagResource.html>.

use http::StatusCode;

use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn untag_resource(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let keys = call.query_all("tagKeys");
        self.inner
            .kv
            .transact(|tx| {
                self.retag(tx, call.label(0), |current| {
                    current.retain(|(key, _)| !keys.contains(key));
                })
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
