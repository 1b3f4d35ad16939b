//! [CreateLogGroup](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
//! Deviations: `kmsKeyId` is stored and reported but nothing is encrypted with it;
//! `deletionProtectionEnabled` is ignored.

use serde_json::Value as Json;

use crate::api::{CreateLogGroupInput, Violations};
use crate::store::{self, Group};
use crate::{Error, Logs, Scope, millis};

/// The log group classes.
pub(crate) const CLASSES: [&str; 4] = ["STANDARD", "INFREQUENT_ACCESS", "DELIVERY", "ESSENTIALS"];

impl Logs {
    pub(crate) async fn create_log_group(
        &self,
        scope: Scope<'_>,
        input: CreateLogGroupInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        let name = violations.required(input.log_group_name.as_deref(), "logGroupName");
        violations.group_name(name, "logGroupName");
        if let Some(key) = &input.kms_key_id
            && key.chars().count() > 256
        {
            violations.add(
                Some(key),
                "kmsKeyId",
                "have length less than or equal to 256",
            );
        }
        violations.tags(input.tags.as_ref(), "tags");
        violations.one_of(input.log_group_class.as_deref(), "logGroupClass", &CLASSES);
        violations.finish()?;
        let name = name.expect("validated as present");
        if name.to_ascii_lowercase().starts_with("aws/") {
            return Err(Error::InvalidParameter(
                "Log groups starting with AWS/ are reserved for AWS.".into(),
            ));
        }
        let group = Group {
            name: name.to_string(),
            created: millis(&self.clock),
            retention_days: None,
            kms_key_id: input.kms_key_id,
            class: input.log_group_class.unwrap_or_else(|| "STANDARD".into()),
            tags: input.tags.unwrap_or_default(),
        };
        self.kv
            .transact(|tx| {
                if store::get_group(tx, scope, name)?.is_some() {
                    return Err(Error::ResourceAlreadyExists(
                        "The specified log group already exists".into(),
                    ));
                }
                store::put_group(tx, scope, &group);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Json::Null)
    }
}
