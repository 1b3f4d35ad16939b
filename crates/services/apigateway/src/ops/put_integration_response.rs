//! `PutIntegrationResponse`: <https://docs.aws.amazon.com/apigateway/latest/api/API_PutIntegrationResponse.html>.
//! MOCK integrations answer with these (see `public`).

use http::StatusCode;

use super::get_integration::no_integration;
use super::put_method_response::check_status_code;
use crate::api::{IntegrationResponseInput, integration_response_json};
use crate::error::Error;
use crate::store::IntegrationResponse;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn put_integration_response(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: IntegrationResponseInput = call.body()?;
        let status_code = call.label(3);
        check_status_code(status_code)?;
        let response = IntegrationResponse {
            status_code: status_code.to_owned(),
            selection_pattern: input.selection_pattern,
            response_parameters: input
                .response_parameters
                .unwrap_or_default()
                .into_iter()
                .collect(),
            response_templates: input
                .response_templates
                .unwrap_or_default()
                .into_iter()
                .collect(),
            content_handling: input.content_handling,
        };
        self.inner
            .kv
            .transact(|tx| {
                self.change_method(tx, call, |method| {
                    let integration = method.integration.as_mut().ok_or_else(no_integration)?;
                    integration
                        .responses
                        .retain(|r| r.status_code != status_code);
                    integration.responses.push(response.clone());
                    integration
                        .responses
                        .sort_by(|a, b| a.status_code.cmp(&b.status_code));
                    Ok(())
                })
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            integration_response_json(&response),
        ))
    }
}
