//! `PutFunctionEventInvokeConfig`, `UpdateFunctionEventInvokeConfig`,
//! `GetFunctionEventInvokeConfig`, `DeleteFunctionEventInvokeConfig`,
//! `ListFunctionEventInvokeConfigs`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html> and
//! siblings. Deviation: destinations may be Lambda functions for now.

use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::{Target, invalid, page_size};
use crate::error::Error;
use crate::store::{self, EventInvokeConfig, LATEST};
use crate::{Call, Lambda, Reply};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OnDestination {
    destination: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DestinationConfig {
    on_success: Option<OnDestination>,
    on_failure: Option<OnDestination>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EventInvokeConfigInput {
    maximum_retry_attempts: Option<i64>,
    maximum_event_age_in_seconds: Option<i64>,
    destination_config: Option<DestinationConfig>,
}

impl Lambda {
    fn qualified(&self, target: &Target) -> (String, String) {
        let qualifier = target.qualifier.clone().unwrap_or_else(|| LATEST.into());
        let arn = format!("{}:{qualifier}", self.function_arn(&target.name));
        (qualifier, arn)
    }

    fn event_invoke_config_json(&self, arn: &str, config: &EventInvokeConfig) -> Json {
        let mut out = json!({
            "LastModified": config.last_modified_ms as f64 / 1000.0,
            "FunctionArn": arn,
        });
        if let Some(attempts) = config.maximum_retry_attempts {
            out["MaximumRetryAttempts"] = attempts.into();
        }
        if let Some(age) = config.maximum_event_age {
            out["MaximumEventAgeInSeconds"] = age.into();
        }
        let mut destinations = json!({ "OnSuccess": {}, "OnFailure": {} });
        if let Some(arn) = &config.on_success {
            destinations["OnSuccess"] = json!({ "Destination": arn });
        }
        if let Some(arn) = &config.on_failure {
            destinations["OnFailure"] = json!({ "Destination": arn });
        }
        out["DestinationConfig"] = destinations;
        out
    }

    pub(crate) async fn put_function_event_invoke_config(
        &self,
        call: &Call<'_>,
        replace: bool,
    ) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let input: EventInvokeConfigInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        if let Some(attempts) = input.maximum_retry_attempts
            && !(0..=2).contains(&attempts)
        {
            return Err(invalid(
                "maximumRetryAttempts",
                Some(&attempts.to_string()),
                if attempts < 0 {
                    "Member must have value greater than or equal to 0"
                } else {
                    "Member must have value less than or equal to 2"
                },
            ));
        }
        if let Some(age) = input.maximum_event_age_in_seconds
            && !(60..=21_600).contains(&age)
        {
            return Err(invalid(
                "maximumEventAgeInSeconds",
                Some(&age.to_string()),
                if age < 60 {
                    "Member must have value greater than or equal to 60"
                } else {
                    "Member must have value less than or equal to 21600"
                },
            ));
        }
        let destination = |on: &Option<OnDestination>| {
            on.as_ref()
                .and_then(|on| on.destination.clone())
                .filter(|arn| !arn.is_empty())
        };
        let (on_success, on_failure) = match &input.destination_config {
            Some(config) => (
                destination(&config.on_success),
                destination(&config.on_failure),
            ),
            None => (None, None),
        };
        if input.maximum_retry_attempts.is_none()
            && input.maximum_event_age_in_seconds.is_none()
            && on_success.is_none()
            && on_failure.is_none()
        {
            return Err(Error::InvalidParameterValueException(
                "You must specify at least one of error handling or destination setting.".into(),
            ));
        }
        let invalid_destination = |arn: &str| {
            Error::InvalidParameterValueException(format!("The destination ARN {arn} is invalid."))
        };
        for arn in on_success.iter().chain(&on_failure) {
            if !arn.starts_with("arn:") {
                return Err(invalid_destination(arn));
            }
            if let Some(destination) = crate::queue::destination_function(arn)
                && destination.name == target.name
            {
                return Err(Error::InvalidParameterValueException(
                    "You can't specify the function as a destination for itself.".into(),
                ));
            }
        }
        let (qualifier, arn) = self.qualified(&target);
        let now = self.now_ms();
        let name = target.name.clone();
        let config = self
            .inner
            .kv
            .transact(|tx| {
                if store::get_function(tx, &name)?.is_none() {
                    return Err(Error::ResourceNotFoundException(
                        "The function doesn't exist.".into(),
                    ));
                }
                self.resolve(tx, &target)?;
                for arn in on_success.iter().chain(&on_failure) {
                    if let Some(destination) = crate::queue::destination_function(arn)
                        && store::get_function(tx, &destination.name)?.is_none()
                    {
                        return Err(invalid_destination(arn));
                    }
                }
                let existing = store::get_event_invoke_config(tx, &name, &qualifier)?;
                let config = match (replace, existing) {
                    (false, None) => {
                        return Err(Error::ResourceNotFoundException(format!(
                            "The function {arn} doesn't have an EventInvokeConfig"
                        )));
                    }
                    (false, Some(mut config)) => {
                        if let Some(attempts) = input.maximum_retry_attempts {
                            config.maximum_retry_attempts = Some(attempts as u32);
                        }
                        if let Some(age) = input.maximum_event_age_in_seconds {
                            config.maximum_event_age = Some(age as u32);
                        }
                        if input.destination_config.is_some() {
                            config.on_success = on_success.clone();
                            config.on_failure = on_failure.clone();
                        }
                        config.last_modified_ms = now;
                        config
                    }
                    (true, _) => EventInvokeConfig {
                        maximum_retry_attempts: input.maximum_retry_attempts.map(|v| v as u32),
                        maximum_event_age: input.maximum_event_age_in_seconds.map(|v| v as u32),
                        on_success: on_success.clone(),
                        on_failure: on_failure.clone(),
                        last_modified_ms: now,
                    },
                };
                store::put_event_invoke_config(tx, &name, &qualifier, &config);
                Ok(config)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            self.event_invoke_config_json(&arn, &config),
        ))
    }

    pub(crate) async fn get_function_event_invoke_config(
        &self,
        call: &Call<'_>,
    ) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let (qualifier, arn) = self.qualified(&target);
        let config = self
            .inner
            .kv
            .transact(|tx| {
                store::get_event_invoke_config(tx, &target.name, &qualifier)?.ok_or_else(|| {
                    Error::ResourceNotFoundException(format!(
                        "The function {arn} doesn't have an EventInvokeConfig"
                    ))
                })
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            self.event_invoke_config_json(&arn, &config),
        ))
    }

    pub(crate) async fn delete_function_event_invoke_config(
        &self,
        call: &Call<'_>,
    ) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let (qualifier, arn) = self.qualified(&target);
        self.inner
            .kv
            .transact(|tx| {
                if store::get_event_invoke_config(tx, &target.name, &qualifier)?.is_none() {
                    return Err(Error::ResourceNotFoundException(format!(
                        "The function {arn} doesn't have an EventInvokeConfig"
                    )));
                }
                store::delete_event_invoke_config(tx, &target.name, &qualifier);
                Ok(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }

    pub(crate) async fn list_function_event_invoke_configs(
        &self,
        call: &Call<'_>,
    ) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let limit = page_size(call.query("MaxItems"))?.min(50);
        let skip: usize = call
            .query("Marker")
            .and_then(|marker| marker.parse().ok())
            .unwrap_or(0);
        let name = target.name.clone();
        let configs = self
            .inner
            .kv
            .transact(|tx| {
                if store::get_function(tx, &name)?.is_none() {
                    return Err(Error::ResourceNotFoundException(
                        "The function doesn't exist.".into(),
                    ));
                }
                let mut configs = Vec::new();
                for entry in tx.range(&store::event_invoke_configs(&name), usize::MAX)? {
                    let mut reader =
                        unkai_store::tuple::Reader::new(&entry.0, unkai_store::Space::Lambda)
                            .map_err(|error| unkai_store::Error::corrupt(&entry.0, error))?;
                    let qualifier = reader
                        .str()
                        .and_then(|_| reader.str())
                        .and_then(|_| reader.str())
                        .map_err(|error| unkai_store::Error::corrupt(&entry.0, error))?;
                    let config: EventInvokeConfig =
                        unkai_store::record::decode(&entry.0, &entry.1)?;
                    configs.push((qualifier, config));
                }
                Ok::<_, Error>(configs)
            })
            .await?;
        let page: Vec<Json> = configs
            .iter()
            .skip(skip)
            .take(limit)
            .map(|(qualifier, config)| {
                let arn = format!("{}:{qualifier}", self.function_arn(&name));
                self.event_invoke_config_json(&arn, config)
            })
            .collect();
        let mut body = json!({ "FunctionEventInvokeConfigs": page });
        if skip + limit < configs.len() {
            body["NextMarker"] = (skip + limit).to_string().into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}
