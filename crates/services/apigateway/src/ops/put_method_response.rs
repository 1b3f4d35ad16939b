//! `PutMethodResponse`: <https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethodResponse.html>.

use http::StatusCode;

use crate::api::{MethodResponseInput, method_response_json};
use crate::error::Error;
use crate::store::MethodResponse;
use crate::{ApiGateway, Call, Reply};

/// Checks a status code label: three digits, 100–599.
pub(crate) fn check_status_code(code: &str) -> Result<(), Error> {
    match code.parse::<u16>() {
        Ok(status) if code.len() == 3 && (100..=599).contains(&status) => Ok(()),
        _ => Err(Error::bad_request("Invalid status code specified")),
    }
}

impl ApiGateway {
    pub(crate) async fn put_method_response(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: MethodResponseInput = call.body()?;
        let status_code = call.label(3);
        check_status_code(status_code)?;
        let response = MethodResponse {
            status_code: status_code.to_owned(),
            response_parameters: input
                .response_parameters
                .unwrap_or_default()
                .into_iter()
                .collect(),
            response_models: input
                .response_models
                .unwrap_or_default()
                .into_iter()
                .collect(),
        };
        self.inner
            .kv
            .transact(|tx| {
                self.change_method(tx, call, |method| {
                    method.responses.retain(|r| r.status_code != status_code);
                    method.responses.push(response.clone());
                    method
                        .responses
                        .sort_by(|a, b| a.status_code.cmp(&b.status_code));
                    Ok(())
                })
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            method_response_json(&response),
        ))
    }
}
