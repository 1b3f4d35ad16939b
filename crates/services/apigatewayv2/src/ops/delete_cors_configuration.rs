//! `DeleteCorsConfiguration`:
//! <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-cors.html>.

use http::StatusCode;

use crate::error::Error;
use crate::store;
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn delete_cors_configuration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let id = call.label(0);
        self.inner
            .kv
            .transact(|tx| {
                let mut api = self.load_api(tx, id)?;
                api.cors = None;
                store::put_api(tx, &api);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
