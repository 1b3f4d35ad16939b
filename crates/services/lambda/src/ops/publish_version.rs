//! `PublishVersion` and `ListVersionsByFunction`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html>,
//! <https://docs.aws.amazon.com/lambda/latest/api/API_ListVersionsByFunction.html>.
//! Publishing an unchanged `$LATEST` again returns the version published from it.

use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value as Json, json};
use unkai_store::Tx;

use super::page_size;
use super::update_function_code::check_revision;
use crate::api::{Qualify, Shown, configuration};
use crate::error::Error;
use crate::store::{self, Version};
use crate::{Call, Lambda, Reply};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PublishVersionInput {
    code_sha256: Option<String>,
    description: Option<String>,
    revision_id: Option<String>,
}

impl Lambda {
    pub(crate) async fn publish_version(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let input: PublishVersionInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        let name = target.name.clone();
        let version = self
            .inner
            .kv
            .transact(|tx| {
                let mut function = self.function(tx, &name)?;
                let latest = self.latest(tx, &name)?;
                check_revision(input.revision_id.as_deref(), &latest.revision_id)?;
                if let Some(sha) = &input.code_sha256
                    && *sha != latest.code_sha256
                {
                    return Err(Error::InvalidParameterValueException(format!(
                        "CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST \
                         ({}). Please try again with the CodeSHA256 in $LATEST.",
                        latest.code_sha256
                    )));
                }
                let version =
                    self.publish(tx, &mut function, &latest, input.description.clone())?;
                store::put_function(tx, &function);
                Ok(version)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            configuration(
                &self.function_arn(&name),
                &name,
                &version,
                Shown::Settled,
                Qualify::Published,
            ),
        ))
    }

    /// Publishes `latest` as the next version, unless it was published already.
    pub(crate) fn publish(
        &self,
        tx: &mut Tx,
        function: &mut store::Function,
        latest: &Version,
        description: Option<String>,
    ) -> Result<Version, Error> {
        if let Some((revision, number)) = &function.last_published
            && *revision == latest.revision_id
            && let Some(existing) = store::get_version(tx, &function.name, &number.to_string())?
        {
            return Ok(existing);
        }
        let number = function.next_version;
        let mut version = latest.clone();
        version.version = number.to_string();
        version.revision_id = self.new_revision();
        if let Some(description) = description {
            version.description = description;
        }
        store::put_version(tx, &function.name, &version);
        function.next_version += 1;
        function.last_published = Some((latest.revision_id.clone(), number));
        Ok(version)
    }

    pub(crate) async fn list_versions_by_function(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let limit = page_size(call.query("MaxItems"))?;
        let skip: usize = call
            .query("Marker")
            .and_then(|marker| marker.parse().ok())
            .unwrap_or(0);
        let name = target.name.clone();
        let versions = self
            .inner
            .kv
            .transact(|tx| {
                self.function(tx, &name)?;
                tx.range(&store::versions(&name), usize::MAX)?
                    .into_iter()
                    .map(|entry| unkai_store::record::decode(&entry.0, &entry.1))
                    .collect::<Result<Vec<Version>, _>>()
                    .map_err(Error::from)
            })
            .await?;
        let arn = self.function_arn(&name);
        let page: Vec<Json> = versions
            .iter()
            .skip(skip)
            .take(limit)
            .map(|version| configuration(&arn, &name, version, Shown::Settled, Qualify::Always))
            .collect();
        let mut body = json!({ "Versions": page });
        if skip + limit < versions.len() {
            body["NextMarker"] = (skip + limit).to_string().into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}
