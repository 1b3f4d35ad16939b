//! [DeleteLogStream](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteLogStream.html):
//! the stream and its events go in one transaction.

use serde_json::Value as Json;

use super::create_log_stream::stream_names;
use super::existing_stream;
use crate::api::LogStreamInput;
use crate::{Error, Logs, Scope, store};

impl Logs {
    pub(crate) async fn delete_log_stream(
        &self,
        scope: Scope<'_>,
        input: LogStreamInput,
    ) -> Result<Json, Error> {
        let (group, name) = stream_names(&input)?;
        self.kv
            .transact(|tx| {
                existing_stream(tx, scope, group, name)?;
                store::delete_stream(tx, scope, group, name);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Json::Null)
    }
}
