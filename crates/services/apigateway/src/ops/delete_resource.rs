//! `DeleteResource`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteResource.html>.
//! Deletes the resource and every resource under it; the `/` resource stays.

use http::StatusCode;

use crate::error::Error;
use crate::store::{self, Resource};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_resource(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api, id) = (call.label(0), call.label(1));
        self.inner
            .kv
            .transact(|tx| {
                let resource = self.load_resource(tx, api, id)?;
                if resource.parent_id.is_none() {
                    return Err(Error::bad_request("Cannot delete the root resource"));
                }
                let all: Vec<Resource> = store::list(tx, &[store::RESOURCE, api])?;
                let prefix = format!("{}/", resource.path);
                for other in all
                    .iter()
                    .filter(|other| other.id == id || other.path.starts_with(&prefix))
                {
                    store::delete(tx, &[store::RESOURCE, api, &other.id]);
                }
                Ok(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::ACCEPTED))
    }
}
