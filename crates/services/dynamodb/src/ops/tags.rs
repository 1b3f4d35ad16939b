//! [TagResource](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html),
//! [UntagResource](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UntagResource.html),
//! [ListTagsOfResource](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTagsOfResource.html).

use serde_json::{Value as Json, json};

use super::Scope;
use super::create_table::tags;
use crate::api::TagsInput;
use crate::{DynamoDb, Error, store};

/// The table name in a table ARN of this scope.
fn table_of(scope: Scope<'_>, arn: Option<&str>) -> Result<String, Error> {
    let arn = arn.ok_or_else(|| {
        Error::Validation(
            "1 validation error detected: Value null at 'resourceArn' failed to satisfy \
             constraint: Member must not be null"
                .into(),
        )
    })?;
    let invalid = || {
        Error::Validation(format!(
            "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
        ))
    };
    if !arn.starts_with("arn:") {
        return Err(Error::Validation(format!(
            "Invalid TableArn: ARNs must start with 'arn:': {arn}"
        )));
    }
    let parsed: unkai_types::Arn = arn.parse().map_err(|_| invalid())?;
    let name = parsed.resource.strip_prefix("table/").ok_or_else(invalid)?;
    if parsed.service != "dynamodb" || name.contains('/') {
        return Err(invalid());
    }
    if parsed.account != scope.account || parsed.region != scope.region {
        return Err(Error::ResourceNotFound(format!(
            "Requested resource not found: ResourcArn: {arn} not found"
        )));
    }
    Ok(name.to_string())
}

impl DynamoDb {
    pub(crate) async fn tag_resource(
        &self,
        scope: Scope<'_>,
        input: TagsInput,
    ) -> Result<Json, Error> {
        let name = table_of(scope, input.resource_arn.as_deref())?;
        let added = tags(input.tags.as_deref())?;
        if added.is_empty() {
            return Err(Error::Validation(
                "1 validation error detected: Value null at 'tags' failed to satisfy constraint: \
                 Member must not be null"
                    .into(),
            ));
        }
        self.kv
            .transact(|tx| {
                let mut table = store::get_table(tx, scope.account, scope.region, &name)?
                    .ok_or_else(|| not_found(input.resource_arn.as_deref()))?;
                for (key, value) in &added {
                    table.tags.retain(|(k, _)| k != key);
                    table.tags.push((key.clone(), value.clone()));
                }
                if table.tags.len() > 50 {
                    return Err(Error::Validation(
                        "One or more parameter values were invalid: The number of tags exceeds \
                         the limit of 50"
                            .into(),
                    ));
                }
                store::put_table(tx, scope.account, scope.region, &table);
                Ok(())
            })
            .await?;
        Ok(Json::Null)
    }

    pub(crate) async fn untag_resource(
        &self,
        scope: Scope<'_>,
        input: TagsInput,
    ) -> Result<Json, Error> {
        let name = table_of(scope, input.resource_arn.as_deref())?;
        let Some(keys) = input.tag_keys.as_ref() else {
            return Err(Error::Validation(
                "1 validation error detected: Value null at 'tagKeys' failed to satisfy \
                 constraint: Member must not be null"
                    .into(),
            ));
        };
        self.kv
            .transact(|tx| {
                let mut table = store::get_table(tx, scope.account, scope.region, &name)?
                    .ok_or_else(|| not_found(input.resource_arn.as_deref()))?;
                table.tags.retain(|(k, _)| !keys.contains(k));
                store::put_table(tx, scope.account, scope.region, &table);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Json::Null)
    }

    pub(crate) async fn list_tags_of_resource(
        &self,
        scope: Scope<'_>,
        input: TagsInput,
    ) -> Result<Json, Error> {
        let name = table_of(scope, input.resource_arn.as_deref())?;
        let table = self
            .kv
            .transact(|tx| {
                store::get_table(tx, scope.account, scope.region, &name)?
                    .ok_or_else(|| not_found(input.resource_arn.as_deref()))
            })
            .await?;
        let tags: Vec<Json> = table
            .tags
            .iter()
            .map(|(key, value)| json!({"Key": key, "Value": value}))
            .collect();
        Ok(json!({ "Tags": tags }))
    }
}

fn not_found(arn: Option<&str>) -> Error {
    Error::ResourceNotFound(format!(
        "Requested resource not found: ResourcArn: {} not found",
        arn.unwrap_or_default()
    ))
}
