//! Which resource and method of a deployment a request path selects
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html>):
//! at each level a literal path part beats a `{param}`, which beats a greedy `{proxy+}` (which
//! takes the rest of the path, one segment or more); a level that leads nowhere falls back to
//! the next candidate. Then the request's method, else `ANY`.

use std::collections::HashMap;

use crate::store::{Method, Resource};

/// A resource a path selects, with its path parameters (decoded).
#[derive(Debug)]
pub(crate) struct Matched<'a> {
    /// The resource.
    pub resource: &'a Resource,
    /// `{name}` → value; a greedy variable's value is the rest of the path.
    pub parameters: Vec<(String, String)>,
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// The resource `path` (without the stage) selects among `resources`.
pub(crate) fn select<'a>(resources: &'a [Resource], path: &str) -> Option<Matched<'a>> {
    let mut children: HashMap<&str, Vec<&Resource>> = HashMap::new();
    let mut root = None;
    for resource in resources {
        match &resource.parent_id {
            Some(parent) => children.entry(parent.as_str()).or_default().push(resource),
            None => root = Some(resource),
        }
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut parameters = Vec::new();
    let resource = walk(root?, &segments, &children, &mut parameters)?;
    Some(Matched {
        resource,
        parameters,
    })
}

fn walk<'a>(
    node: &'a Resource,
    segments: &[&str],
    children: &HashMap<&str, Vec<&'a Resource>>,
    parameters: &mut Vec<(String, String)>,
) -> Option<&'a Resource> {
    let Some((first, rest)) = segments.split_first() else {
        return Some(node);
    };
    let kids = children.get(node.id.as_str())?;
    let literal = first.to_string();
    let decoded = decode(first);
    for kid in kids
        .iter()
        .filter(|kid| kid.path_part == literal || kid.path_part == decoded)
    {
        if let Some(found) = walk(kid, rest, children, parameters) {
            return Some(found);
        }
    }
    for kid in kids.iter().filter(|kid| !kid.path_part.ends_with("+}")) {
        let Some(name) = kid
            .path_part
            .strip_prefix('{')
            .and_then(|part| part.strip_suffix('}'))
        else {
            continue;
        };
        parameters.push((name.to_owned(), decoded.clone()));
        if let Some(found) = walk(kid, rest, children, parameters) {
            return Some(found);
        }
        parameters.pop();
    }
    let greedy = kids.iter().find(|kid| kid.path_part.ends_with("+}"))?;
    let name = greedy
        .path_part
        .trim_start_matches('{')
        .trim_end_matches("+}");
    let value = segments
        .iter()
        .map(|segment| decode(segment))
        .collect::<Vec<_>>()
        .join("/");
    parameters.push((name.to_owned(), value));
    Some(greedy)
}

/// The method of `resource` for `http_method`, else its `ANY` method.
pub(crate) fn method<'a>(resource: &'a Resource, http_method: &str) -> Option<&'a Method> {
    resource
        .methods
        .iter()
        .find(|method| method.http_method == http_method)
        .or_else(|| {
            resource
                .methods
                .iter()
                .find(|method| method.http_method == "ANY")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(id: &str, parent: Option<&str>, part: &str, path: &str) -> Resource {
        Resource {
            id: id.into(),
            parent_id: parent.map(Into::into),
            path_part: part.into(),
            path: path.into(),
            methods: Vec::new(),
        }
    }

    fn tree() -> Vec<Resource> {
        vec![
            resource("root", None, "", "/"),
            resource("items", Some("root"), "items", "/items"),
            resource("item", Some("items"), "{id}", "/items/{id}"),
            resource("special", Some("items"), "special", "/items/special"),
            resource("detail", Some("item"), "detail", "/items/{id}/detail"),
            resource("proxy", Some("root"), "{proxy+}", "/{proxy+}"),
        ]
    }

    fn chosen(path: &str) -> Option<(String, Vec<(String, String)>)> {
        let resources = tree();
        select(&resources, path).map(|m| (m.resource.path.clone(), m.parameters))
    }

    #[test]
    fn literals_beat_variables_which_beat_greedy_variables() {
        assert_eq!(chosen("/"), Some(("/".into(), vec![])));
        assert_eq!(chosen("/items"), Some(("/items".into(), vec![])));
        assert_eq!(chosen("/items/"), Some(("/items".into(), vec![])));
        assert_eq!(
            chosen("/items/special"),
            Some(("/items/special".into(), vec![]))
        );
        assert_eq!(
            chosen("/items/a%20b"),
            Some(("/items/{id}".into(), vec![("id".into(), "a b".into())]))
        );
        assert_eq!(
            chosen("/items/7/detail"),
            Some(("/items/{id}/detail".into(), vec![("id".into(), "7".into())]))
        );
        // A dead end under a variable falls back to the greedy variable.
        assert_eq!(
            chosen("/items/7/other"),
            Some((
                "/{proxy+}".into(),
                vec![("proxy".into(), "items/7/other".into())]
            ))
        );
        assert_eq!(
            chosen("/a/b/c"),
            Some(("/{proxy+}".into(), vec![("proxy".into(), "a/b/c".into())]))
        );
        let without_proxy: Vec<Resource> = tree().into_iter().filter(|r| r.id != "proxy").collect();
        assert!(select(&without_proxy, "/nothing").is_none());
    }

    #[test]
    fn methods_fall_back_to_any() {
        let mut resource = resource("r", None, "", "/");
        let method = |name: &str| Method {
            http_method: name.into(),
            authorization_type: "NONE".into(),
            authorizer_id: None,
            api_key_required: false,
            operation_name: None,
            request_parameters: vec![],
            request_models: vec![],
            request_validator_id: None,
            authorization_scopes: vec![],
            responses: vec![],
            integration: None,
        };
        resource.methods = vec![method("ANY"), method("GET")];
        assert_eq!(super::method(&resource, "GET").unwrap().http_method, "GET");
        assert_eq!(super::method(&resource, "POST").unwrap().http_method, "ANY");
        resource.methods = vec![method("GET")];
        assert!(super::method(&resource, "POST").is_none());
    }
}
