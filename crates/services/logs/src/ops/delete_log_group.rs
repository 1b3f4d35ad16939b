//! [DeleteLogGroup](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteLogGroup.html):
//! the group, its streams and their events go in one transaction.

use serde_json::Value as Json;

use super::existing_group;
use crate::api::{LogGroupInput, Violations};
use crate::{Error, Logs, Scope, store};

impl Logs {
    pub(crate) async fn delete_log_group(
        &self,
        scope: Scope<'_>,
        input: LogGroupInput,
    ) -> Result<Json, Error> {
        let name = group_name(&input)?;
        self.kv
            .transact(|tx| {
                existing_group(tx, scope, name)?;
                store::delete_group(tx, scope, name);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Json::Null)
    }
}

/// The validated `logGroupName` of an input that names one group.
pub(crate) fn group_name(input: &LogGroupInput) -> Result<&str, Error> {
    let mut violations = Violations::default();
    let name = violations.required(input.log_group_name.as_deref(), "logGroupName");
    violations.group_name(name, "logGroupName");
    violations.finish()?;
    Ok(name.expect("validated as present"))
}
