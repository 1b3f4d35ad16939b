//! API Gateway's operations, one module per operation, and what they share: ids, the REST API,
//! resource and method an operation addresses, pages, patch operations, deployments.

mod create_api_key;
pub(crate) mod create_authorizer;
mod create_deployment;
pub(crate) mod create_resource;
mod create_rest_api;
mod create_stage;
mod create_usage_plan;
mod create_usage_plan_key;
mod delete_api_key;
mod delete_authorizer;
mod delete_deployment;
mod delete_integration;
mod delete_integration_response;
mod delete_method;
mod delete_method_response;
mod delete_resource;
mod delete_rest_api;
mod delete_stage;
mod delete_usage_plan;
mod delete_usage_plan_key;
mod flush_stage_authorizers_cache;
mod get_api_key;
mod get_api_keys;
mod get_authorizer;
mod get_authorizers;
mod get_deployment;
mod get_deployments;
mod get_integration;
mod get_integration_response;
mod get_method;
mod get_method_response;
mod get_resource;
mod get_resources;
mod get_rest_api;
mod get_rest_apis;
mod get_stage;
mod get_stages;
mod get_tags;
mod get_usage;
mod get_usage_plan;
mod get_usage_plan_key;
mod get_usage_plan_keys;
mod get_usage_plans;
mod import_rest_api;
pub(crate) mod put_integration;
mod put_integration_response;
mod put_method;
mod put_method_response;
mod put_rest_api;
mod tag_resource;
mod untag_resource;
mod update_api_key;
mod update_authorizer;
mod update_integration;
mod update_method;
mod update_rest_api;
mod update_stage;
mod update_usage_plan;

use std::collections::BTreeMap;

use rand::Rng as _;
use unkai_store::Tx;

use crate::api::PatchOperation;
use crate::error::Error;
use crate::store::{self, Deployment, Method, Resource, RestApi};
use crate::{ApiGateway, Call};

/// A fresh id of `len` lowercase letters and digits.
pub(crate) fn random_id(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// A fresh API key value: 40 letters and digits.
pub(crate) fn random_key_value() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..40)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Tags as stored: sorted by key.
pub(crate) fn tag_pairs(tags: Option<BTreeMap<String, String>>) -> Vec<(String, String)> {
    tags.unwrap_or_default().into_iter().collect()
}

/// The function a Lambda integration URI names: a function ARN, or the
/// `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function-arn>/invocations` form.
pub(crate) fn function_of(uri: &str) -> Option<&str> {
    if uri.starts_with("arn:aws:lambda:") {
        return Some(uri);
    }
    let rest = uri.strip_prefix("arn:aws:apigateway:")?;
    let (_, path) = rest.split_once(":lambda:path/2015-03-31/functions/")?;
    let function = path.strip_suffix("/invocations")?;
    function.starts_with("arn:aws:lambda:").then_some(function)
}

/// The HTTP methods a method may name.
pub(crate) const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY",
];

/// A patch path segment unescaped: `~1` is `/`, `~0` is `~`.
pub(crate) fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The patch operations of an `Update*` call.
pub(crate) fn patches(call: &Call<'_>) -> Result<Vec<PatchOperation>, Error> {
    let input: crate::api::PatchInput = call.body()?;
    Ok(input.patch_operations.unwrap_or_default())
}

/// The `BadRequestException` for a patch path an operation does not take.
pub(crate) fn bad_patch(patch: &PatchOperation) -> Error {
    Error::bad_request(format!(
        "Invalid patch path '{}' specified for op '{}'. Please choose supported operations",
        patch.path.as_deref().unwrap_or_default(),
        patch.op.as_deref().unwrap_or_default()
    ))
}

/// A patch's value as a boolean.
pub(crate) fn patch_bool(patch: &PatchOperation) -> Result<bool, Error> {
    match patch.value.as_deref() {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        other => Err(Error::bad_request(format!(
            "Invalid boolean value specified: {}",
            other.unwrap_or("null")
        ))),
    }
}

/// A patch's value parsed as a number.
pub(crate) fn patch_number<T: std::str::FromStr>(patch: &PatchOperation) -> Result<T, Error> {
    let text = patch.value.as_deref().unwrap_or_default();
    text.parse()
        .map_err(|_| Error::bad_request(format!("Invalid value specified: {text}")))
}

impl ApiGateway {
    /// The REST API `id`, or `NotFoundException`.
    pub(crate) fn load_api(&self, tx: &mut Tx, id: &str) -> Result<RestApi, Error> {
        store::get(tx, &[store::API, id])?
            .ok_or_else(|| Error::api_not_found(&self.inner.options.account, id))
    }

    /// A resource of `api` (which must exist), or `NotFoundException`.
    pub(crate) fn load_resource(
        &self,
        tx: &mut Tx,
        api: &str,
        id: &str,
    ) -> Result<Resource, Error> {
        self.load_api(tx, api)?;
        store::get(tx, &[store::RESOURCE, api, id])?
            .ok_or_else(|| Error::invalid_identifier("Resource"))
    }

    /// A record of `kind` under `api` (which must exist), or `NotFoundException` naming `what`.
    pub(crate) fn load<R: unkai_store::record::Record>(
        &self,
        tx: &mut Tx,
        kind: &str,
        api: &str,
        id: &str,
        what: &str,
    ) -> Result<R, Error> {
        self.load_api(tx, api)?;
        store::get(tx, &[kind, api, id])?.ok_or_else(|| Error::invalid_identifier(what))
    }

    /// Runs `change` on method `http_method` of resource `resource` of `api` and stores the
    /// resource; `NotFoundException` when the method does not exist.
    pub(crate) fn change_method<T>(
        &self,
        tx: &mut Tx,
        call: &Call<'_>,
        change: impl FnOnce(&mut Method) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (api, resource_id, http_method) = (call.label(0), call.label(1), call.label(2));
        let mut resource = self.load_resource(tx, api, resource_id)?;
        let method = resource
            .methods
            .iter_mut()
            .find(|method| method.http_method == http_method)
            .ok_or_else(|| Error::invalid_identifier("Method"))?;
        let out = change(method)?;
        store::put(tx, &[store::RESOURCE, api, resource_id], &resource);
        Ok(out)
    }

    /// The method the call's labels name (REST API, resource, HTTP method).
    pub(crate) fn read_method(&self, tx: &mut Tx, call: &Call<'_>) -> Result<Method, Error> {
        let resource = self.load_resource(tx, call.label(0), call.label(1))?;
        resource
            .methods
            .into_iter()
            .find(|method| method.http_method == call.label(2))
            .ok_or_else(|| Error::invalid_identifier("Method"))
    }
}

/// The page of `items` (in id order) a call asks for with `limit` (25 by default, at most
/// 500) and `position` (the last id of the previous page), and the next position.
pub(crate) fn page<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    call: &Call<'_>,
) -> Result<(Vec<T>, Option<String>), Error> {
    let limit = match call.query("limit") {
        Some(text) => match text.parse::<usize>() {
            Ok(limit) if (1..=500).contains(&limit) => limit,
            _ => {
                return Err(Error::bad_request(
                    "1 validation error detected: Value at 'limit' failed to satisfy \
                     constraint: Member must have value between 1 and 500",
                ));
            }
        },
        None => 25,
    };
    let after = call.query("position").unwrap_or_default().to_owned();
    let mut rest: Vec<T> = items
        .into_iter()
        .filter(|item| after.is_empty() || id(item) > after.as_str())
        .collect();
    let next = if rest.len() > limit {
        rest.truncate(limit);
        rest.last().map(|item| id(item).to_owned())
    } else {
        None
    };
    Ok((rest, next))
}

/// A page as `{"item": [...], "position": ...}`.
pub(crate) fn page_json(items: Vec<serde_json::Value>, next: Option<String>) -> serde_json::Value {
    let mut body = serde_json::json!({ "item": items });
    if let Some(next) = next {
        body["position"] = next.into();
    }
    body
}

/// A snapshot of the API's resources and authorizers, stored as a new deployment;
/// `BadRequestException` when the API has no method.
pub(crate) fn deploy(
    tx: &mut Tx,
    api: &str,
    description: Option<String>,
    now_s: u64,
) -> Result<Deployment, Error> {
    let resources: Vec<Resource> = store::list(tx, &[store::RESOURCE, api])?;
    if resources.iter().all(|resource| resource.methods.is_empty()) {
        return Err(Error::bad_request(
            "The REST API doesn't contain any methods",
        ));
    }
    let deployment = Deployment {
        id: random_id(10),
        description,
        created_s: now_s,
        resources,
        authorizers: store::list(tx, &[store::AUTHORIZER, api])?,
    };
    store::put(tx, &[store::DEPLOYMENT, api, &deployment.id], &deployment);
    Ok(deployment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_alphanumerics() {
        let id = random_id(10);
        assert_eq!(id.len(), 10);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_eq!(random_key_value().len(), 40);
    }

    #[test]
    fn lambda_integration_uris_name_their_function() {
        let arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
        assert_eq!(function_of(arn), Some(arn));
        assert_eq!(
            function_of(&format!(
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
            )),
            Some(arn)
        );
        assert_eq!(function_of("http://example.com"), None);
        assert_eq!(unescape("~1items~1{id}"), "/items/{id}");
    }
}
