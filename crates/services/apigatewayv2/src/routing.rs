//! Route keys of HTTP APIs and how a request selects a route
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html>).
//!
//! A route key is `$default` or `<METHOD> <path>`: METHOD is one of `ANY`, `GET`, `POST`, `PUT`,
//! `PATCH`, `DELETE`, `HEAD`, `OPTIONS`; the path starts with `/`, and a segment may be a path
//! variable `{name}`, or, as the last segment, a greedy one `{name+}`.
//!
//! Precedence, most specific first (AWS: "full match for a route and method, then a match with
//! a greedy path variable, then `$default`"): routes without a greedy variable before those with
//! one; among them, the one whose first differing segment is a literal rather than a variable
//! (a greedy route: the longer literal prefix); then a route of the request's own method before
//! `ANY`.

use std::cmp::Ordering;

use crate::error::Error;

/// The route key of the catch-all route.
pub const DEFAULT_ROUTE: &str = "$default";

/// The methods a route key may name.
const METHODS: &[&str] = &[
    "ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
];

/// One segment of a route's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Matches itself.
    Literal(String),
    /// `{name}`: any one non-empty segment.
    Variable(String),
    /// `{name+}`: the rest of the path, one or more segments.
    Greedy(String),
}

/// A parsed route key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteKey {
    /// `$default`.
    Default,
    /// `<METHOD> <path>`.
    Path {
        /// `ANY` or a method.
        method: String,
        /// The path template as written.
        path: String,
        /// Its segments (none for `/`).
        segments: Vec<Segment>,
    },
}

/// `One or more path parts appear to be invalid` (what AWS answers for a malformed path).
fn invalid_path() -> Error {
    Error::bad_request("One or more path parts appear to be invalid")
}

impl RouteKey {
    /// Parses and validates an HTTP API route key.
    pub fn parse(key: &str) -> Result<Self, Error> {
        if key == DEFAULT_ROUTE {
            return Ok(RouteKey::Default);
        }
        let Some((method, path)) = key.split_once(' ') else {
            return Err(Error::bad_request(format!(
                "Invalid route key specified: {key}. A route key must be $default or an HTTP \
                 method and a resource path, as in GET /pets"
            )));
        };
        if !METHODS.contains(&method) {
            return Err(Error::bad_request(format!(
                "Invalid HTTP method specified: {method}. Must be one of {}",
                METHODS.join(", ")
            )));
        }
        if !path.starts_with('/') || path.contains(' ') {
            return Err(invalid_path());
        }
        let mut segments = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        let parts: Vec<&str> = if path == "/" {
            Vec::new()
        } else {
            path[1..].split('/').collect()
        };
        for (index, part) in parts.iter().enumerate() {
            if part.is_empty() {
                return Err(invalid_path());
            }
            let segment = match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => {
                    let (name, greedy) = match name.strip_suffix('+') {
                        Some(name) => (name, true),
                        None => (name, false),
                    };
                    let valid_name = !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if !valid_name || names.contains(&name) {
                        return Err(invalid_path());
                    }
                    names.push(name);
                    if greedy {
                        if index + 1 != parts.len() {
                            return Err(invalid_path());
                        }
                        Segment::Greedy(name.to_owned())
                    } else {
                        Segment::Variable(name.to_owned())
                    }
                }
                None if part.contains('{') || part.contains('}') => return Err(invalid_path()),
                None => Segment::Literal((*part).to_owned()),
            };
            segments.push(segment);
        }
        Ok(RouteKey::Path {
            method: method.to_owned(),
            path: path.to_owned(),
            segments,
        })
    }

    /// The path template (`$default` for the default route).
    pub fn path(&self) -> &str {
        match self {
            RouteKey::Default => DEFAULT_ROUTE,
            RouteKey::Path { path, .. } => path,
        }
    }
}

/// Whether `other` has a path variable at the same level as one of `key`'s under another
/// name, below the same path: AWS refuses such a pair, whatever their methods (`has a
/// conflicting variable on the same hierarchical level`).
pub fn conflicts(key: &RouteKey, other: &RouteKey) -> bool {
    let (RouteKey::Path { segments: a, .. }, RouteKey::Path { segments: b, .. }) = (key, other)
    else {
        return false;
    };
    for (left, right) in a.iter().zip(b) {
        match (left, right) {
            (Segment::Literal(x), Segment::Literal(y)) if x == y => continue,
            (Segment::Variable(x), Segment::Variable(y))
            | (Segment::Greedy(x), Segment::Greedy(y)) => {
                if x == y {
                    continue;
                }
                return true;
            }
            _ => return false,
        }
    }
    false
}

/// A route that matched, and the path parameters it captured.
#[derive(Debug, PartialEq, Eq)]
pub struct Matched<'a, T> {
    /// The route.
    pub route: &'a T,
    /// `{name}` → the segment, `{name+}` → the rest of the path; percent-decoded.
    pub parameters: Vec<(String, String)>,
}

/// How specific a match is; lower sorts first.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    greedy: bool,
    /// For a greedy match: fewer literal segments before it is less specific.
    prefix: std::cmp::Reverse<usize>,
    /// Per segment: literal (false) before variable (true).
    variables: Vec<bool>,
    any: bool,
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// Matches a request against one route key; `None` when it does not match.
fn match_key(key: &RouteKey, method: &str, path: &str) -> Option<(Rank, Vec<(String, String)>)> {
    let RouteKey::Path {
        method: route_method,
        segments,
        ..
    } = key
    else {
        return None;
    };
    if route_method != "ANY" && route_method != method {
        return None;
    }
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let parts: Vec<&str> = if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    };
    let mut parameters = Vec::new();
    let mut variables = Vec::new();
    let mut greedy = false;
    let mut literals = 0;
    for (index, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Literal(literal) => {
                if parts.get(index) != Some(&literal.as_str()) {
                    return None;
                }
                literals += 1;
                variables.push(false);
            }
            Segment::Variable(name) => {
                let part = parts.get(index).filter(|part| !part.is_empty())?;
                parameters.push((name.clone(), decode(part)));
                variables.push(true);
            }
            Segment::Greedy(name) => {
                let rest = parts.get(index..).filter(|rest| !rest.is_empty())?;
                let rest = rest.join("/");
                if rest.is_empty() {
                    return None;
                }
                parameters.push((name.clone(), decode(&rest)));
                greedy = true;
            }
        }
    }
    if !greedy && parts.len() != segments.len() {
        return None;
    }
    Some((
        Rank {
            greedy,
            prefix: std::cmp::Reverse(if greedy { literals } else { 0 }),
            variables,
            any: route_method == "ANY",
        },
        parameters,
    ))
}

/// Selects the route for a request: the most specific match, else `$default`, else none.
/// `key` gives each route's parsed key.
pub fn select<'a, T>(
    routes: &'a [T],
    key: impl Fn(&T) -> Option<&RouteKey>,
    method: &str,
    path: &str,
) -> Option<Matched<'a, T>> {
    let mut best: Option<(Rank, Matched<'a, T>)> = None;
    let mut default = None;
    for route in routes {
        let Some(parsed) = key(route) else {
            continue;
        };
        if *parsed == RouteKey::Default {
            default = Some(route);
            continue;
        }
        if let Some((rank, parameters)) = match_key(parsed, method, path) {
            let better = match &best {
                None => true,
                Some((current, _)) => rank.cmp(current) == Ordering::Less,
            };
            if better {
                best = Some((rank, Matched { route, parameters }));
            }
        }
    }
    match best {
        Some((_, matched)) => Some(matched),
        None => default.map(|route| Matched {
            route,
            parameters: Vec::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> RouteKey {
        RouteKey::parse(text).unwrap()
    }

    fn pick(
        keys: &[RouteKey],
        method: &str,
        path: &str,
    ) -> Option<(String, Vec<(String, String)>)> {
        let texts: Vec<String> = keys
            .iter()
            .map(|key| match key {
                RouteKey::Default => DEFAULT_ROUTE.to_owned(),
                RouteKey::Path { method, path, .. } => format!("{method} {path}"),
            })
            .collect();
        let indexed: Vec<(usize, &RouteKey)> = keys.iter().enumerate().collect();
        select(&indexed, |(_, key)| Some(*key), method, path)
            .map(|matched| (texts[matched.route.0].clone(), matched.parameters))
    }

    #[test]
    fn route_keys_parse_and_validate() {
        assert_eq!(key("$default"), RouteKey::Default);
        assert_eq!(
            key("GET /items/{id}"),
            RouteKey::Path {
                method: "GET".into(),
                path: "/items/{id}".into(),
                segments: vec![
                    Segment::Literal("items".into()),
                    Segment::Variable("id".into())
                ],
            }
        );
        assert_eq!(key("ANY /files/{proxy+}").path(), "/files/{proxy+}");
        assert!(matches!(key("GET /"), RouteKey::Path { segments, .. } if segments.is_empty()));
        for bad in [
            "GET",
            "FETCH /x",
            "get /x",
            "GET x",
            "GET /a//b",
            "GET /a/",
            "GET /{proxy+}/more",
            "GET /{}",
            "GET /{a}/{a}",
            "GET /a{b}",
            "GET /a b",
        ] {
            let error = RouteKey::parse(bad).unwrap_err();
            assert!(
                matches!(error, Error::BadRequestException(_)),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn routes_match_as_aws_documents() {
        // The example of the HTTP API developer guide ("Routing API requests").
        let keys = vec![
            key("GET /pets/dog/1"),
            key("GET /pets/dog/{id}"),
            key("GET /pets/{proxy+}"),
            key("ANY /{proxy+}"),
            key("$default"),
        ];
        assert_eq!(
            pick(&keys, "GET", "/pets/dog/1").unwrap().0,
            "GET /pets/dog/1"
        );
        assert_eq!(
            pick(&keys, "GET", "/pets/dog/2").unwrap(),
            ("GET /pets/dog/{id}".into(), vec![("id".into(), "2".into())])
        );
        assert_eq!(
            pick(&keys, "GET", "/pets/cat/1").unwrap(),
            (
                "GET /pets/{proxy+}".into(),
                vec![("proxy".into(), "cat/1".into())]
            )
        );
        assert_eq!(
            pick(&keys, "POST", "/pets/cat/1").unwrap().0,
            "ANY /{proxy+}"
        );
        assert_eq!(pick(&keys, "GET", "/").unwrap().0, "$default");
    }

    #[test]
    fn specific_methods_win_over_any_and_literals_over_variables() {
        let keys = vec![
            key("ANY /items"),
            key("GET /items"),
            key("GET /items/{id}"),
            key("GET /items/special"),
            key("ANY /items/{id}/{sub}"),
            key("GET /{a}/x/{b}"),
            key("GET /items/{id}/{sub}"),
        ];
        assert_eq!(pick(&keys, "GET", "/items").unwrap().0, "GET /items");
        assert_eq!(pick(&keys, "DELETE", "/items").unwrap().0, "ANY /items");
        assert_eq!(
            pick(&keys, "GET", "/items/special").unwrap().0,
            "GET /items/special"
        );
        assert_eq!(pick(&keys, "GET", "/items/7").unwrap().0, "GET /items/{id}");
        assert_eq!(
            pick(&keys, "GET", "/items/x/y").unwrap().0,
            "GET /items/{id}/{sub}"
        );
        assert_eq!(
            pick(&keys, "PUT", "/items/x/y").unwrap().0,
            "ANY /items/{id}/{sub}"
        );
        assert_eq!(
            pick(&keys, "GET", "/other/x/y").unwrap().0,
            "GET /{a}/x/{b}"
        );
        assert_eq!(pick(&keys, "GET", "/items/7/8/9"), None);
        assert_eq!(pick(&keys, "GET", "/items/"), None);
    }

    #[test]
    fn greedy_routes_prefer_longer_prefixes_and_need_a_segment() {
        let keys = vec![
            key("GET /{proxy+}"),
            key("GET /files/{path+}"),
            key("GET /files/img/{path+}"),
        ];
        assert_eq!(
            pick(&keys, "GET", "/files/img/a/b.png").unwrap(),
            (
                "GET /files/img/{path+}".into(),
                vec![("path".into(), "a/b.png".into())]
            )
        );
        assert_eq!(
            pick(&keys, "GET", "/files/doc").unwrap().0,
            "GET /files/{path+}"
        );
        assert_eq!(
            pick(&keys, "GET", "/files").unwrap(),
            (
                "GET /{proxy+}".into(),
                vec![("proxy".into(), "files".into())]
            )
        );
        assert_eq!(pick(&keys, "GET", "/"), None);
        assert_eq!(
            pick(&keys, "GET", "/a%20b/c").unwrap().1,
            vec![("proxy".into(), "a b/c".into())]
        );
    }

    #[test]
    fn variables_of_one_level_must_share_a_name() {
        assert!(conflicts(
            &key("GET /a/{orgId}/x"),
            &key("GET /a/{org_id}/y")
        ));
        assert!(conflicts(&key("GET /a/{id}"), &key("POST /a/{name}")));
        assert!(!conflicts(&key("GET /a/{id}"), &key("GET /a/{id}/b")));
        assert!(!conflicts(&key("GET /a/{id}"), &key("GET /b/{name}")));
        assert!(!conflicts(&key("GET /a/{id}"), &key("GET /a/{proxy+}")));
        assert!(!conflicts(&key("$default"), &key("GET /a/{proxy+}")));
    }
}
