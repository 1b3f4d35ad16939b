//! `CreateAlias`, `GetAlias`, `UpdateAlias`, `DeleteAlias`, `ListAliases`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html> and siblings.
//! Deviation: with weighted routing, invocations run the alias's main version.

use std::collections::BTreeMap;

use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::update_function_code::check_revision;
use super::{invalid, page_size};
use crate::error::Error;
use crate::store::{self, Alias, LATEST};
use crate::{Call, Lambda, Reply};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoutingConfig {
    additional_version_weights: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AliasInput {
    name: Option<String>,
    function_version: Option<String>,
    description: Option<String>,
    routing_config: Option<RoutingConfig>,
    revision_id: Option<String>,
}

fn check_alias_name(name: &str) -> Result<(), Error> {
    let valid = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !name.bytes().all(|b| b.is_ascii_digit());
    if valid {
        Ok(())
    } else {
        Err(invalid(
            "name",
            Some(name),
            "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
        ))
    }
}

impl Lambda {
    fn alias_json(&self, function: &str, alias: &Alias) -> Json {
        let mut out = json!({
            "AliasArn": format!("{}:{}", self.function_arn(function), alias.name),
            "Name": alias.name,
            "FunctionVersion": alias.function_version,
            "Description": alias.description,
            "RevisionId": alias.revision_id,
        });
        if !alias.routing.is_empty() {
            let weights: serde_json::Map<String, Json> = alias
                .routing
                .iter()
                .map(|(version, weight)| (version.clone(), json!(weight)))
                .collect();
            out["RoutingConfig"] = json!({ "AdditionalVersionWeights": weights });
        }
        out
    }

    fn check_versions(
        &self,
        tx: &mut unkai_store::Tx,
        function: &str,
        versions: impl IntoIterator<Item = String>,
    ) -> Result<(), Error> {
        for version in versions {
            if version != LATEST && store::get_version(tx, function, &version)?.is_none() {
                return Err(Error::ResourceNotFoundException(format!(
                    "Function not found: {}:{version}",
                    self.function_arn(function)
                )));
            }
        }
        Ok(())
    }

    pub(crate) async fn create_alias(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let input: AliasInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        let Some(alias_name) = input.name.clone() else {
            return Err(invalid("name", None, "Member must not be null"));
        };
        check_alias_name(&alias_name)?;
        let Some(function_version) = input.function_version.clone() else {
            return Err(invalid("functionVersion", None, "Member must not be null"));
        };
        let routing = routing(input.routing_config.as_ref())?;
        let name = target.name.clone();
        let alias = self
            .inner
            .kv
            .transact(|tx| {
                self.function(tx, &name)?;
                self.check_versions(
                    tx,
                    &name,
                    std::iter::once(function_version.clone())
                        .chain(routing.iter().map(|(v, _)| v.clone())),
                )?;
                if store::get_alias(tx, &name, &alias_name)?.is_some() {
                    return Err(Error::ResourceConflictException(format!(
                        "Alias already exists: {}:{alias_name}",
                        self.function_arn(&name)
                    )));
                }
                let alias = Alias {
                    name: alias_name.clone(),
                    function_version: function_version.clone(),
                    description: input.description.clone().unwrap_or_default(),
                    routing: routing.clone(),
                    revision_id: self.new_revision(),
                };
                store::put_alias(tx, &name, &alias);
                Ok(alias)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            self.alias_json(&name, &alias),
        ))
    }

    async fn existing_alias(&self, call: &Call<'_>) -> Result<(String, Alias), Error> {
        let target = self.target(call.label(0), None)?;
        let alias_name = call.label(1).to_owned();
        let name = target.name.clone();
        let alias = self
            .inner
            .kv
            .transact(|tx| {
                self.function(tx, &name)?;
                store::get_alias(tx, &name, &alias_name)?.ok_or_else(|| {
                    Error::ResourceNotFoundException(format!(
                        "Cannot find alias arn: {}:{alias_name}",
                        self.function_arn(&name)
                    ))
                })
            })
            .await?;
        Ok((name, alias))
    }

    pub(crate) async fn get_alias(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (name, alias) = self.existing_alias(call).await?;
        Ok(Reply::Json(StatusCode::OK, self.alias_json(&name, &alias)))
    }

    pub(crate) async fn update_alias(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let name = self.target(call.label(0), None)?.name;
        let input: AliasInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        let alias_name = call.label(1).to_owned();
        let routing = input
            .routing_config
            .as_ref()
            .map(|config| routing(Some(config)))
            .transpose()?;
        let alias = self
            .inner
            .kv
            .transact(|tx| {
                self.function(tx, &name)?;
                let Some(mut alias) = store::get_alias(tx, &name, &alias_name)? else {
                    return Err(Error::ResourceNotFoundException(format!(
                        "Alias not found: {}:{alias_name}",
                        self.function_arn(&name)
                    )));
                };
                check_revision(input.revision_id.as_deref(), &alias.revision_id)?;
                if let Some(version) = &input.function_version {
                    alias.function_version = version.clone();
                }
                if let Some(description) = &input.description {
                    alias.description = description.clone();
                }
                if let Some(routing) = &routing {
                    alias.routing = routing.clone();
                }
                self.check_versions(
                    tx,
                    &name,
                    std::iter::once(alias.function_version.clone())
                        .chain(alias.routing.iter().map(|(v, _)| v.clone())),
                )?;
                alias.revision_id = self.new_revision();
                store::put_alias(tx, &name, &alias);
                Ok(alias)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, self.alias_json(&name, &alias)))
    }

    pub(crate) async fn delete_alias(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let alias_name = call.label(1).to_owned();
        let name = target.name.clone();
        self.inner
            .kv
            .transact(|tx| {
                self.function(tx, &name)?;
                store::delete_alias(tx, &name, &alias_name);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }

    pub(crate) async fn list_aliases(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let limit = page_size(call.query("MaxItems"))?;
        let skip: usize = call
            .query("Marker")
            .and_then(|marker| marker.parse().ok())
            .unwrap_or(0);
        let version = call.query("FunctionVersion").map(str::to_owned);
        let name = target.name.clone();
        let aliases = self
            .inner
            .kv
            .transact(|tx| {
                self.function(tx, &name)?;
                tx.range(&store::aliases(&name), usize::MAX)?
                    .into_iter()
                    .map(|entry| unkai_store::record::decode(&entry.0, &entry.1))
                    .collect::<Result<Vec<Alias>, _>>()
                    .map_err(Error::from)
            })
            .await?;
        let matching: Vec<&Alias> = aliases
            .iter()
            .filter(|alias| {
                version
                    .as_ref()
                    .is_none_or(|v| *v == alias.function_version)
            })
            .collect();
        let page: Vec<Json> = matching
            .iter()
            .skip(skip)
            .take(limit)
            .map(|alias| self.alias_json(&name, alias))
            .collect();
        let mut body = json!({ "Aliases": page });
        if skip + limit < matching.len() {
            body["NextMarker"] = (skip + limit).to_string().into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}

fn routing(config: Option<&RoutingConfig>) -> Result<Vec<(String, f64)>, Error> {
    let weights = config
        .and_then(|config| config.additional_version_weights.clone())
        .unwrap_or_default();
    if weights.len() > 1 {
        return Err(Error::InvalidParameterValueException(
            "Number of items in AdditionalVersionWeights cannot be greater than 1".into(),
        ));
    }
    for (version, weight) in &weights {
        if !(0.0..=1.0).contains(weight) {
            return Err(invalid(
                "routingConfig.additionalVersionWeights",
                Some(&format!("{{{version}={weight}}}")),
                "Map value must satisfy constraint: [Member must have value less than or equal \
                 to 1.0, Member must have value greater than or equal to 0.0]",
            ));
        }
    }
    Ok(weights.into_iter().collect())
}
