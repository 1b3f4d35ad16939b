//! `CreateFunctionUrlConfig`, `GetFunctionUrlConfig`, `UpdateFunctionUrlConfig`,
//! `DeleteFunctionUrlConfig`, `ListFunctionUrlConfigs`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html> and
//! siblings. URLs are `http://<url-id>.lambda-url.<region>.localhost:<port>/` (browsers and
//! curl resolve `*.localhost` to this machine); `src/url.rs` serves them.

use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::{Target, invalid, page_size};
use crate::error::Error;
use crate::store::{self, FunctionUrl};
use crate::{Call, Lambda, Reply};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UrlInput {
    auth_type: Option<String>,
    cors: Option<Json>,
    invoke_mode: Option<String>,
}

fn check(input: &UrlInput) -> Result<(), Error> {
    if let Some(auth) = &input.auth_type
        && auth != "NONE"
        && auth != "AWS_IAM"
    {
        return Err(invalid(
            "authType",
            Some(auth),
            "Member must satisfy enum value set: [NONE, AWS_IAM]",
        ));
    }
    if let Some(mode) = &input.invoke_mode
        && mode != "BUFFERED"
        && mode != "RESPONSE_STREAM"
    {
        return Err(invalid(
            "invokeMode",
            Some(mode),
            "Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]",
        ));
    }
    Ok(())
}

/// A new URL id: 32 lowercase letters and digits, as Lambda's.
fn new_url_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..32)
        .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
        .collect()
}

fn now_iso(lambda: &Lambda) -> String {
    let ms = lambda.now_ms();
    let iso = unkai_types::iso8601(ms / 1000);
    format!("{}.{:06}Z", iso.trim_end_matches('Z'), (ms % 1000) * 1000)
}

impl Lambda {
    /// The URL of a URL id.
    pub(crate) fn url_of(&self, id: &str) -> String {
        format!(
            "http://{id}.lambda-url.{}.{}/",
            self.inner.options.region, self.inner.options.url_authority
        )
    }

    fn url_json(&self, target: &Target, url: &FunctionUrl, created: bool) -> Json {
        let mut out = json!({
            "FunctionUrl": self.url_of(&url.id),
            "FunctionArn": self.target_arn(target),
            "AuthType": url.auth_type,
            "CreationTime": url.created,
            "InvokeMode": url.invoke_mode,
        });
        if !created {
            out["LastModifiedTime"] = url.last_modified.clone().into();
        }
        if let Some(cors) = url
            .cors
            .as_deref()
            .and_then(|c| serde_json::from_str::<Json>(c).ok())
        {
            out["Cors"] = cors;
        }
        out
    }

    fn url_target(&self, call: &Call<'_>) -> Result<(Target, String), Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        if let Some(qualifier) = &target.qualifier
            && (qualifier == store::LATEST || qualifier.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::InvalidParameterValueException(format!(
                "Function URLs are supported on function aliases only: {qualifier} is a version"
            )));
        }
        let qualifier = target.qualifier.clone().unwrap_or_default();
        Ok((target, qualifier))
    }

    pub(crate) async fn create_function_url_config(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (target, qualifier) = self.url_target(call)?;
        let input: UrlInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        if input.auth_type.is_none() {
            return Err(invalid("authType", None, "Member must not be null"));
        }
        check(&input)?;
        let now = now_iso(self);
        let url = FunctionUrl {
            id: new_url_id(),
            auth_type: input.auth_type.clone().unwrap_or_default(),
            invoke_mode: input
                .invoke_mode
                .clone()
                .unwrap_or_else(|| "BUFFERED".into()),
            cors: input.cors.as_ref().map(Json::to_string),
            created: now.clone(),
            last_modified: now,
        };
        self.inner
            .kv
            .transact(|tx| {
                self.resolve(tx, &target)?;
                if store::get_url(tx, &target.name, &qualifier)?.is_some() {
                    return Err(Error::ResourceConflictException(format!(
                        "Failed to create function url config for [functionArn = {}]. Error \
                         message:  FunctionUrlConfig exists for this Lambda function",
                        self.target_arn(&target)
                    )));
                }
                store::put_url(tx, &target.name, &qualifier, &url);
                Ok(())
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            self.url_json(&target, &url, true),
        ))
    }

    async fn existing_url(&self, target: &Target, qualifier: &str) -> Result<FunctionUrl, Error> {
        self.inner
            .kv
            .transact(|tx| {
                self.function(tx, &target.name)?;
                store::get_url(tx, &target.name, qualifier)?.ok_or_else(|| {
                    Error::ResourceNotFoundException(
                        "The resource you requested does not exist.".into(),
                    )
                })
            })
            .await
    }

    pub(crate) async fn get_function_url_config(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (target, qualifier) = self.url_target(call)?;
        let url = self.existing_url(&target, &qualifier).await?;
        Ok(Reply::Json(
            StatusCode::OK,
            self.url_json(&target, &url, false),
        ))
    }

    pub(crate) async fn update_function_url_config(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (target, qualifier) = self.url_target(call)?;
        let input: UrlInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        check(&input)?;
        let now = now_iso(self);
        let url = self
            .inner
            .kv
            .transact(|tx| {
                self.function(tx, &target.name)?;
                let Some(mut url) = store::get_url(tx, &target.name, &qualifier)? else {
                    return Err(Error::ResourceNotFoundException(
                        "The resource you requested does not exist.".into(),
                    ));
                };
                if let Some(auth) = &input.auth_type {
                    url.auth_type = auth.clone();
                }
                if let Some(mode) = &input.invoke_mode {
                    url.invoke_mode = mode.clone();
                }
                if let Some(cors) = &input.cors {
                    url.cors = Some(cors.to_string());
                }
                url.last_modified = now.clone();
                store::put_url(tx, &target.name, &qualifier, &url);
                Ok(url)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            self.url_json(&target, &url, false),
        ))
    }

    pub(crate) async fn delete_function_url_config(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (target, qualifier) = self.url_target(call)?;
        self.inner
            .kv
            .transact(|tx| {
                self.function(tx, &target.name)?;
                let Some(url) = store::get_url(tx, &target.name, &qualifier)? else {
                    return Err(Error::ResourceNotFoundException(
                        "The resource you requested does not exist.".into(),
                    ));
                };
                store::delete_url(tx, &target.name, &qualifier, &url.id);
                Ok(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }

    pub(crate) async fn list_function_url_configs(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let limit = page_size(call.query("MaxItems"))?;
        let skip: usize = call
            .query("Marker")
            .and_then(|marker| marker.parse().ok())
            .unwrap_or(0);
        let name = target.name.clone();
        let urls = self
            .inner
            .kv
            .transact(|tx| {
                self.function(tx, &name)?;
                tx.range(&store::urls(&name), usize::MAX)?
                    .into_iter()
                    .map(|(key, value)| store::decode_url(&key, &value))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(Error::from)
            })
            .await?;
        let page: Vec<Json> = urls
            .iter()
            .skip(skip)
            .take(limit)
            .map(|(qualifier, url)| {
                let target = Target {
                    name: name.clone(),
                    qualifier: (!qualifier.is_empty()).then(|| qualifier.clone()),
                };
                self.url_json(&target, url, false)
            })
            .collect();
        let mut body = json!({ "FunctionUrlConfigs": page });
        if skip + limit < urls.len() {
            body["NextMarker"] = (skip + limit).to_string().into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}
