//! `CreateResource`: <https://docs.aws.amazon.com/apigateway/latest/api/API_CreateResource.html>.
//! Path parts are literals (`items`), variables (`{id}`) or a greedy variable (`{proxy+}`),
//! which has no children; siblings have distinct path parts and at most one variable.

use http::StatusCode;
use unkai_store::Tx;

use super::random_id;
use crate::api::{ResourceInput, resource_json};
use crate::error::Error;
use crate::store::{self, Resource};
use crate::{ApiGateway, Call, Reply};

/// Whether `part` is a path part API Gateway takes.
pub(crate) fn valid_path_part(part: &str) -> bool {
    let literal = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-:@$&',;=!*~".contains(c))
    };
    match part
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
    {
        Some(name) => {
            let name = name.strip_suffix('+').unwrap_or(name);
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        }
        None => literal(part),
    }
}

/// Adds a child `part` under `parent` (checked as API Gateway checks it) and returns it.
pub(crate) fn add_child(
    tx: &mut Tx,
    api: &str,
    parent: &Resource,
    part: &str,
) -> Result<Resource, Error> {
    if !valid_path_part(part) {
        return Err(Error::bad_request(
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning \
             and the end and an optional plus sign before the closing brace.",
        ));
    }
    if parent.path_part.ends_with("+}") {
        return Err(Error::bad_request(format!(
            "Cannot create a child of a resource with a greedy path variable: {}",
            parent.path_part
        )));
    }
    let siblings: Vec<Resource> = store::list(tx, &[store::RESOURCE, api])?;
    let siblings = siblings
        .iter()
        .filter(|other| other.parent_id.as_deref() == Some(parent.id.as_str()));
    for sibling in siblings {
        if sibling.path_part == part {
            return Err(Error::conflict(format!(
                "Another resource with the same parent already has this name: {part}"
            )));
        }
        if sibling.path_part.starts_with('{') && part.starts_with('{') {
            return Err(Error::bad_request(format!(
                "A sibling ({}) of this resource already has a variable path part -- only one \
                 is allowed",
                sibling.path_part
            )));
        }
    }
    let path = if parent.path == "/" {
        format!("/{part}")
    } else {
        format!("{}/{part}", parent.path)
    };
    let resource = Resource {
        id: random_id(10),
        parent_id: Some(parent.id.clone()),
        path_part: part.to_owned(),
        path,
        methods: Vec::new(),
    };
    store::put(tx, &[store::RESOURCE, api, &resource.id], &resource);
    Ok(resource)
}

impl ApiGateway {
    pub(crate) async fn create_resource(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: ResourceInput = call.body()?;
        let part = input.path_part.unwrap_or_default();
        let (api, parent) = (call.label(0), call.label(1));
        let resource = self
            .inner
            .kv
            .transact(|tx| {
                let parent = self.load_resource(tx, api, parent)?;
                add_child(tx, api, &parent, &part)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            resource_json(&resource, false),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts_are_literals_or_variables() {
        for good in ["items", "v1.2", "{id}", "{proxy+}", "a-b_c"] {
            assert!(valid_path_part(good), "{good}");
        }
        for bad in ["", "a/b", "{}", "{+}", "{id", "a b", "{a}b"] {
            assert!(!valid_path_part(bad), "{bad}");
        }
    }
}
