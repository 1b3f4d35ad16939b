//! `DeleteStage`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteStage.html>.

use http::StatusCode;

use crate::error::Error;
use crate::store::{self, Stage};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_stage(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api, name) = (call.label(0), call.label(1));
        self.inner
            .kv
            .transact(|tx| {
                let _: Stage = self.load(tx, store::STAGE, api, name, "stage")?;
                store::delete(tx, &[store::STAGE, api, name]);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::ACCEPTED))
    }
}
