//! `UpdateApi`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid.html#UpdateApi>.
//! `Target` and `RouteKey` change the integration and route quick create made, and are
//! deployed to the auto-deploy stages.

use http::StatusCode;

use super::create_api::{check_ip_address_type, quick_integration};
use super::{apply_integration, check_route_key, redeploy};
use crate::api::ApiInput;
use crate::error::Error;
use crate::store::{self, Integration, Kind, Route};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn update_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let id = call.label(0);
        let input: ApiInput = call.body()?;
        if let Some(kind) = &input.ip_address_type {
            check_ip_address_type(kind)?;
        }
        if input.name.as_deref() == Some("") {
            return Err(Error::bad_request("Name must not be empty"));
        }
        let now = self.now_ms();
        let api = self
            .inner
            .kv
            .transact(|tx| {
                let mut api = self.load_api(tx, id)?;
                let http = api.protocol_type == store::HTTP;
                if let Some(name) = &input.name {
                    api.name = name.clone();
                }
                if let Some(description) = &input.description {
                    api.description = Some(description.clone());
                }
                if let Some(version) = &input.version {
                    api.version = Some(version.clone());
                }
                if let Some(expression) = &input.route_selection_expression {
                    api.route_selection_expression = expression.clone();
                }
                if let Some(expression) = &input.api_key_selection_expression {
                    api.api_key_selection_expression = expression.clone();
                }
                if let Some(disable) = input.disable_execute_api_endpoint {
                    api.disable_execute_api_endpoint = disable;
                }
                if let Some(disable) = input.disable_schema_validation {
                    api.disable_schema_validation = disable;
                }
                if let Some(kind) = &input.ip_address_type {
                    api.ip_address_type = kind.clone();
                }
                if let Some(cors) = &input.cors_configuration {
                    if !http {
                        return Err(Error::bad_request(
                            "CorsConfiguration is supported only for HTTP APIs",
                        ));
                    }
                    api.cors = Some(store::Cors {
                        allow_credentials: cors.allow_credentials,
                        allow_headers: cors.allow_headers.clone(),
                        allow_methods: cors.allow_methods.clone(),
                        allow_origins: cors.allow_origins.clone(),
                        expose_headers: cors.expose_headers.clone(),
                        max_age: cors.max_age,
                    });
                }
                if input.target.is_some() || input.route_key.is_some() {
                    let Some((route_id, integration_id)) = api.managed.clone() else {
                        return Err(Error::bad_request(
                            "Target and RouteKey can be updated only for APIs created with \
                             quick create",
                        ));
                    };
                    if let Some(target) = &input.target {
                        let mut integration: Integration =
                            self.load(tx, Kind::Integration, id, &integration_id)?;
                        let mut change = quick_integration(target, input.credentials_arn.clone());
                        if change.integration_type.as_deref()
                            != Some(integration.integration_type.as_str())
                        {
                            integration.payload_format_version = String::new();
                            integration.method = None;
                        } else {
                            change.payload_format_version = None;
                        }
                        apply_integration(&api, &mut integration, change)?;
                        store::put(tx, Kind::Integration, id, &integration_id, &integration);
                    }
                    if let Some(key) = &input.route_key {
                        let mut route: Route = self.load(tx, Kind::Route, id, &route_id)?;
                        check_route_key(tx, &api, key, Some(&route_id))?;
                        route.key = key.clone();
                        store::put(tx, Kind::Route, id, &route_id, &route);
                    }
                    redeploy(tx, id, now)?;
                }
                store::put_api(tx, &api);
                Ok::<_, Error>(api)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            crate::api::api_json(&api, &self.endpoint(&api)),
        ))
    }
}
