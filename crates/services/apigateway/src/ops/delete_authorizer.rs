//! `DeleteAuthorizer`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteAuthorizer.html>.
//! An authorizer a method uses cannot be deleted.

use http::StatusCode;

use crate::error::Error;
use crate::store::{self, Authorizer, Resource};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_authorizer(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api, id) = (call.label(0), call.label(1));
        self.inner
            .kv
            .transact(|tx| {
                let authorizer: Authorizer =
                    self.load(tx, store::AUTHORIZER, api, id, "Authorizer")?;
                let resources: Vec<Resource> = store::list(tx, &[store::RESOURCE, api])?;
                for resource in &resources {
                    for method in &resource.methods {
                        if method.authorizer_id.as_deref() == Some(id) {
                            return Err(Error::conflict(format!(
                                "Cannot delete authorizer '{}', is referenced in method: {}/{}",
                                authorizer.name, method.http_method, resource.path
                            )));
                        }
                    }
                }
                store::delete(tx, &[store::AUTHORIZER, api, id]);
                Ok(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::ACCEPTED))
    }
}
