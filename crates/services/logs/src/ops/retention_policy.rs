//! [PutRetentionPolicy](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html),
//! [DeleteRetentionPolicy](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteRetentionPolicy.html).
//! Deviation: events past the retention period disappear from reads at once (AWS takes up to
//! 72 hours) and stay in the store until their group or stream is deleted.

use serde_json::Value as Json;

use super::delete_log_group::group_name;
use super::existing_group;
use crate::api::{LogGroupInput, PutRetentionPolicyInput, RETENTION_DAYS, Violations};
use crate::{Error, Logs, Scope, store};

impl Logs {
    pub(crate) async fn put_retention_policy(
        &self,
        scope: Scope<'_>,
        input: PutRetentionPolicyInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        let name = violations.required(input.log_group_name.as_deref(), "logGroupName");
        violations.group_name(name, "logGroupName");
        let days = violations.required(input.retention_in_days.as_ref(), "retentionInDays");
        let days = days.and_then(|&days| {
            let valid = u32::try_from(days)
                .ok()
                .filter(|days| RETENTION_DAYS.contains(days));
            if valid.is_none() {
                let allowed: Vec<String> = RETENTION_DAYS.iter().map(u32::to_string).collect();
                violations.add(
                    Some(""),
                    "retentionInDays",
                    &format!("satisfy enum value set: [{}]", allowed.join(", ")),
                );
            }
            valid
        });
        violations.finish()?;
        let (name, days) = (
            name.expect("validated as present"),
            days.expect("validated as present"),
        );
        self.set_retention(scope, name, Some(days)).await
    }

    pub(crate) async fn delete_retention_policy(
        &self,
        scope: Scope<'_>,
        input: LogGroupInput,
    ) -> Result<Json, Error> {
        let name = group_name(&input)?;
        self.set_retention(scope, name, None).await
    }

    async fn set_retention(
        &self,
        scope: Scope<'_>,
        name: &str,
        days: Option<u32>,
    ) -> Result<Json, Error> {
        self.kv
            .transact(|tx| {
                let mut group = existing_group(tx, scope, name)?;
                group.retention_days = days;
                store::put_group(tx, scope, &group);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Json::Null)
    }
}
