//! [TagResource](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagResource.html),
//! [UntagResource](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_UntagResource.html),
//! [ListTagsForResource](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListTagsForResource.html),
//! and the older [TagLogGroup](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagLogGroup.html),
//! [UntagLogGroup](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_UntagLogGroup.html),
//! [ListTagsLogGroup](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListTagsLogGroup.html).
//! A log group's tags live in its record. Deviation: only log groups can be tagged
//! (destinations do not exist yet).

use serde_json::{Value as Json, json};

use super::delete_log_group::group_name;
use super::existing_group;
use crate::api::{
    ListTagsForResourceInput, LogGroupInput, TagLogGroupInput, TagResourceInput, Tags,
    UntagLogGroupInput, UntagResourceInput, Violations,
};
use crate::{Error, Logs, Scope, store};

/// The most tags a resource may have.
const MAX_TAGS: usize = 50;

/// The log group a resource ARN names (`arn:aws:logs:region:account:log-group:name`; the form
/// with a trailing `:*` does not pass the `resourceArn` pattern).
fn group_of(scope: Scope<'_>, arn: &str) -> Result<String, Error> {
    let invalid = || Error::InvalidParameter(format!("Invalid resource ARN: {arn}"));
    let parsed: unkai_types::Arn = arn.parse().map_err(|_| invalid())?;
    if parsed.service != "logs" {
        return Err(invalid());
    }
    let Some(name) = parsed.resource.strip_prefix("log-group:") else {
        return Err(Error::ResourceNotFound(
            "The specified resource does not exist.".into(),
        ));
    };
    if parsed.account != scope.account || parsed.region != scope.region || name.contains(':') {
        return Err(Error::no_group());
    }
    Ok(name.to_string())
}

fn validated_arn(arn: Option<&str>, violations: &mut Violations) -> Option<String> {
    let arn = violations.required(arn, "resourceArn");
    violations.arn(arn, "resourceArn");
    arn.map(str::to_string)
}

impl Logs {
    pub(crate) async fn tag_resource(
        &self,
        scope: Scope<'_>,
        input: TagResourceInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        let arn = validated_arn(input.resource_arn.as_deref(), &mut violations);
        let tags = violations.required(input.tags.as_ref(), "tags");
        violations.tags(tags, "tags");
        violations.finish()?;
        let group = group_of(scope, &arn.expect("validated as present"))?;
        self.add_tags(scope, &group, tags.expect("validated as present"))
            .await
    }

    pub(crate) async fn untag_resource(
        &self,
        scope: Scope<'_>,
        input: UntagResourceInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        let arn = validated_arn(input.resource_arn.as_deref(), &mut violations);
        let keys = violations.required(input.tag_keys.as_deref(), "tagKeys");
        violations.tag_keys(keys, "tagKeys", 0);
        violations.finish()?;
        let group = group_of(scope, &arn.expect("validated as present"))?;
        self.remove_tags(scope, &group, keys.expect("validated as present"))
            .await
    }

    pub(crate) async fn list_tags_for_resource(
        &self,
        scope: Scope<'_>,
        input: ListTagsForResourceInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        let arn = validated_arn(input.resource_arn.as_deref(), &mut violations);
        violations.finish()?;
        let group = group_of(scope, &arn.expect("validated as present"))?;
        self.list_tags(scope, &group).await
    }

    pub(crate) async fn tag_log_group(
        &self,
        scope: Scope<'_>,
        input: TagLogGroupInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        let group = violations.required(input.log_group_name.as_deref(), "logGroupName");
        violations.group_name(group, "logGroupName");
        let tags = violations.required(input.tags.as_ref(), "tags");
        violations.tags(tags, "tags");
        violations.finish()?;
        self.add_tags(
            scope,
            group.expect("validated as present"),
            tags.expect("validated as present"),
        )
        .await
    }

    pub(crate) async fn untag_log_group(
        &self,
        scope: Scope<'_>,
        input: UntagLogGroupInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        let group = violations.required(input.log_group_name.as_deref(), "logGroupName");
        violations.group_name(group, "logGroupName");
        let keys = violations.required(input.tags.as_deref(), "tags");
        violations.tag_keys(keys, "tags", 1);
        violations.finish()?;
        self.remove_tags(
            scope,
            group.expect("validated as present"),
            keys.expect("validated as present"),
        )
        .await
    }

    pub(crate) async fn list_tags_log_group(
        &self,
        scope: Scope<'_>,
        input: LogGroupInput,
    ) -> Result<Json, Error> {
        let group = group_name(&input)?;
        self.list_tags(scope, group).await
    }

    async fn add_tags(&self, scope: Scope<'_>, group: &str, tags: &Tags) -> Result<Json, Error> {
        self.kv
            .transact(|tx| {
                let mut record = existing_group(tx, scope, group)?;
                record.tags.extend(tags.clone());
                if record.tags.len() > MAX_TAGS {
                    return Err(Error::TooManyTags(format!(
                        "A resource can have no more than {MAX_TAGS} tags."
                    )));
                }
                store::put_group(tx, scope, &record);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Json::Null)
    }

    async fn remove_tags(
        &self,
        scope: Scope<'_>,
        group: &str,
        keys: &[String],
    ) -> Result<Json, Error> {
        self.kv
            .transact(|tx| {
                let mut record = existing_group(tx, scope, group)?;
                for key in keys {
                    record.tags.remove(key);
                }
                store::put_group(tx, scope, &record);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Json::Null)
    }

    async fn list_tags(&self, scope: Scope<'_>, group: &str) -> Result<Json, Error> {
        let record = self
            .kv
            .transact(|tx| existing_group(tx, scope, group))
            .await?;
        Ok(json!({ "tags": record.tags }))
    }
}
