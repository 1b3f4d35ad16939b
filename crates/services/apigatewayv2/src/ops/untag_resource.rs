//! `UntagResource`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/tags-resource-arn.html#UntagResource>.

use http::StatusCode;

use crate::error::Error;
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn untag_resource(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let arn = call.label(0);
        let keys = call.query_all("tagKeys");
        self.inner
            .kv
            .transact(|tx| {
                self.retag(tx, arn, |current| {
                    current.retain(|(key, _)| !keys.contains(key));
                })
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
