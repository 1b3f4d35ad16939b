//! `TagResource`, `UntagResource`, `ListTags`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_TagResource.html> and siblings.
//! Functions are the taggable resources.

use std::collections::BTreeMap;

use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::invalid;
use crate::error::Error;
use crate::store;
use crate::{Call, Lambda, Reply};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagResourceInput {
    tags: Option<BTreeMap<String, String>>,
}

/// Lambda's tag rules: up to 50, keys 1–128 and values up to 256 characters.
pub(crate) fn check_tags(tags: &[(String, String)]) -> Result<(), Error> {
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(Error::InvalidParameterValueException(format!(
                "Tag key or value is too long: {key}"
            )));
        }
        if key.starts_with("aws:") {
            return Err(Error::InvalidParameterValueException(
                "Tag keys starting with 'aws:' are reserved".into(),
            ));
        }
    }
    Ok(())
}

pub(crate) fn tags_json(tags: &[(String, String)]) -> Json {
    Json::Object(
        tags.iter()
            .map(|(key, value)| (key.clone(), Json::from(value.clone())))
            .collect(),
    )
}

impl Lambda {
    /// The function a tagging ARN names.
    fn tagged_function(&self, arn: &str) -> Result<String, Error> {
        let parts: Vec<&str> = arn.split(':').collect();
        match parts.as_slice() {
            ["arn", _, "lambda", _, _, "function", name] => Ok((*name).to_owned()),
            ["arn", _, "lambda", _, _, "function", _, _] => {
                Err(Error::InvalidParameterValueException(
                    "Tags on function aliases and versions are not supported. Please specify a \
                     function ARN."
                        .into(),
                ))
            }
            _ => Err(invalid(
                "resource",
                Some(arn),
                "Member must satisfy regular expression pattern: \
                 arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+",
            )),
        }
    }

    pub(crate) async fn tag_resource(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let name = self.tagged_function(call.label(0))?;
        let input: TagResourceInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        let Some(tags) = input.tags else {
            return Err(invalid("tags", None, "Member must not be null"));
        };
        let tags: Vec<(String, String)> = tags.into_iter().collect();
        check_tags(&tags)?;
        self.inner
            .kv
            .transact(|tx| {
                let mut function = self.function(tx, &name)?;
                for (key, value) in &tags {
                    match function.tags.iter_mut().find(|(k, _)| k == key) {
                        Some(existing) => existing.1 = value.clone(),
                        None => function.tags.push((key.clone(), value.clone())),
                    }
                }
                if function.tags.len() > 50 {
                    return Err(Error::InvalidParameterValueException(
                        "Number of tags exceeds resource tag limit.".into(),
                    ));
                }
                store::put_function(tx, &function);
                Ok(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }

    pub(crate) async fn untag_resource(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let name = self.tagged_function(call.label(0))?;
        let keys: Vec<String> = call
            .query
            .iter()
            .filter(|(key, _)| key == "tagKeys")
            .map(|(_, value)| value.clone())
            .collect();
        if keys.is_empty() {
            return Err(invalid("tagKeys", None, "Member must not be null"));
        }
        self.inner
            .kv
            .transact(|tx| {
                let mut function = self.function(tx, &name)?;
                function.tags.retain(|(key, _)| !keys.contains(key));
                store::put_function(tx, &function);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }

    pub(crate) async fn list_tags(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let name = self.tagged_function(call.label(0))?;
        let function = self
            .inner
            .kv
            .transact(|tx| self.function(tx, &name))
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            json!({ "Tags": tags_json(&function.tags) }),
        ))
    }
}
