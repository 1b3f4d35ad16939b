//! `PutIntegration`: <https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegration.html>.
//! Replaces the method's integration. `AWS_PROXY` URIs name a Lambda function
//! (`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function-arn>/invocations`,
//! or the function ARN itself); `HTTP` and `HTTP_PROXY` URIs are URLs; `MOCK` has none.

use http::StatusCode;

use super::function_of;
use super::put_method::check_http_method;
use crate::api::{IntegrationInput, integration_json};
use crate::error::Error;
use crate::store::Integration;
use crate::{ApiGateway, Call, Reply};

/// The integration types.
const TYPES: &[&str] = &["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"];

/// Checks an integration as API Gateway does.
pub(crate) fn check_integration(integration: &Integration) -> Result<(), Error> {
    let kind = integration.integration_type.as_str();
    if !TYPES.contains(&kind) {
        return Err(Error::bad_request(format!(
            "Invalid integration type specified: {kind}. Valid options are AWS, AWS_PROXY, \
             HTTP, HTTP_PROXY, MOCK"
        )));
    }
    if !(50..=29_000).contains(&integration.timeout_ms) {
        return Err(Error::bad_request(
            "Timeout should be between 50 ms and 29000 ms",
        ));
    }
    if kind == "MOCK" {
        return Ok(());
    }
    let Some(method) = &integration.http_method else {
        return Err(Error::bad_request(
            "Enumeration value for HttpMethod must be non-empty",
        ));
    };
    check_http_method(method)?;
    let uri = integration.uri.as_deref().unwrap_or_default();
    if uri.is_empty() {
        return Err(Error::bad_request("Invalid integration URI specified"));
    }
    let templated = uri.contains("${stageVariables.");
    match kind {
        "AWS_PROXY" if !templated && function_of(uri).is_none() => {
            if uri.starts_with("arn:aws:") {
                Err(Error::bad_request(
                    "AWS ARN for integration must contain path or action",
                ))
            } else {
                Err(Error::bad_request("Invalid ARN specified in the request"))
            }
        }
        "AWS" if !uri.starts_with("arn:aws:") => {
            Err(Error::bad_request("Invalid ARN specified in the request"))
        }
        "HTTP" | "HTTP_PROXY"
            if !templated && !uri.starts_with("http://") && !uri.starts_with("https://") =>
        {
            Err(Error::bad_request(
                "Invalid HTTP endpoint specified for URI",
            ))
        }
        _ => Ok(()),
    }
}

/// An integration from a `PutIntegration` input, of the method on `resource_id`.
pub(crate) fn new_integration(
    resource_id: &str,
    input: IntegrationInput,
) -> Result<Integration, Error> {
    let timeout = input.timeout_in_millis.unwrap_or(29_000);
    let integration = Integration {
        integration_type: input.integration_type.unwrap_or_default(),
        http_method: input.integration_http_method,
        uri: input.uri,
        connection_type: input.connection_type.unwrap_or_else(|| "INTERNET".into()),
        connection_id: input.connection_id,
        credentials: input.credentials,
        request_parameters: input
            .request_parameters
            .unwrap_or_default()
            .into_iter()
            .collect(),
        request_templates: input
            .request_templates
            .unwrap_or_default()
            .into_iter()
            .collect(),
        passthrough_behavior: Some(
            input
                .passthrough_behavior
                .unwrap_or_else(|| "WHEN_NO_MATCH".into()),
        ),
        content_handling: input.content_handling,
        timeout_ms: u32::try_from(timeout).unwrap_or(0),
        cache_namespace: Some(
            input
                .cache_namespace
                .unwrap_or_else(|| resource_id.to_owned()),
        ),
        cache_key_parameters: input.cache_key_parameters.unwrap_or_default(),
        responses: Vec::new(),
    };
    check_integration(&integration)?;
    Ok(integration)
}

impl ApiGateway {
    pub(crate) async fn put_integration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: IntegrationInput = call.body()?;
        let integration = new_integration(call.label(1), input)?;
        self.inner
            .kv
            .transact(|tx| {
                self.change_method(tx, call, |method| {
                    method.integration = Some(integration.clone());
                    Ok(())
                })
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            integration_json(&integration),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, uri: Option<&str>, method: Option<&str>) -> IntegrationInput {
        IntegrationInput {
            integration_type: Some(kind.into()),
            uri: uri.map(Into::into),
            integration_http_method: method.map(Into::into),
            ..IntegrationInput::default()
        }
    }

    #[test]
    fn integrations_are_checked_as_api_gateway_checks_them() {
        let lambda = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
                      arn:aws:lambda:us-east-1:000000000000:function:f/invocations";
        let ok = new_integration("r", input("AWS_PROXY", Some(lambda), Some("POST"))).unwrap();
        assert_eq!(ok.timeout_ms, 29_000);
        assert_eq!(ok.cache_namespace.as_deref(), Some("r"));
        assert!(new_integration("r", input("MOCK", None, None)).is_ok());
        assert!(
            new_integration(
                "r",
                input("HTTP_PROXY", Some("http://x/{proxy}"), Some("ANY"))
            )
            .is_ok()
        );
        for bad in [
            input("AWS_PROXY", Some(lambda), None),
            input("AWS_PROXY", Some("arn:aws:s3:::bucket"), Some("POST")),
            input("HTTP_PROXY", Some("ftp://x"), Some("GET")),
            input("NOPE", None, None),
        ] {
            assert!(matches!(
                new_integration("r", bad),
                Err(Error::BadRequestException(_))
            ));
        }
    }
}
