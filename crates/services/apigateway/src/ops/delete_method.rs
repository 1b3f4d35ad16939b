//! `DeleteMethod`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteMethod.html>.

use http::StatusCode;

use crate::error::Error;
use crate::store;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_method(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api, resource_id, http_method) = (call.label(0), call.label(1), call.label(2));
        self.inner
            .kv
            .transact(|tx| {
                let mut resource = self.load_resource(tx, api, resource_id)?;
                let before = resource.methods.len();
                resource
                    .methods
                    .retain(|method| method.http_method != http_method);
                if resource.methods.len() == before {
                    return Err(Error::invalid_identifier("Method"));
                }
                store::put(tx, &[store::RESOURCE, api, resource_id], &resource);
                Ok(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
