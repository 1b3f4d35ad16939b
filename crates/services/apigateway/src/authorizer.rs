//! Lambda authorizers (`TOKEN` and `REQUEST`)
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html>):
//! the identity sources select the caller's identity (missing: 401), the function gets the
//! documented authorizer event and answers `principalId`, an IAM `policyDocument` and an
//! optional `context`. An explicit `Deny` of the method ARN, or no `Allow` of it, is 403. The
//! answer is cached for `authorizerResultTtlInSeconds` by identity; the cached policy is
//! evaluated again for each method ARN, as API Gateway does. The integration sees
//! `requestContext.authorizer`: `principalId` and the context, with values as strings.

use std::collections::HashMap;

use serde_json::{Value as Json, json};

use crate::store::Authorizer;
pub(crate) use unkai_edge::execute_api::{Decision, decision};

/// Cached decisions by API, authorizer and identity, with when each expires (ms).
#[derive(Debug, Default)]
pub(crate) struct Cache {
    entries: HashMap<(String, String, String), (u64, Decision)>,
}

impl Cache {
    /// A decision cached before `now_ms`.
    pub(crate) fn get(&self, key: &(String, String, String), now_ms: u64) -> Option<Decision> {
        self.entries
            .get(key)
            .filter(|(expires, _)| *expires > now_ms)
            .map(|(_, decision)| decision.clone())
    }

    /// Caches `decision` until `expires_ms`.
    pub(crate) fn put(
        &mut self,
        key: (String, String, String),
        expires_ms: u64,
        decision: Decision,
    ) {
        self.entries
            .retain(|_, (expires, _)| *expires > expires_ms.saturating_sub(3_600_000));
        self.entries.insert(key, (expires_ms, decision));
    }

    /// Forgets every decision about `api`.
    pub(crate) fn flush(&mut self, api: &str) {
        self.entries.retain(|(cached, _, _), _| cached != api);
    }
}

/// Where identity sources read from.
pub(crate) struct Sources<'a> {
    /// The request's headers.
    pub headers: &'a http::HeaderMap,
    /// The query's parameters.
    pub query: &'a [(String, String)],
    /// The stage's variables.
    pub stage_variables: &'a [(String, String)],
}

/// The identity an authorizer's sources select, joined by `,`; `None` when one is missing.
/// `TOKEN` authorizers read one header.
pub(crate) fn identity(authorizer: &Authorizer, sources: &Sources<'_>) -> Option<String> {
    let expression = authorizer.identity_source.as_deref().unwrap_or_default();
    let mut values = Vec::new();
    for source in expression
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let value = if let Some(name) = source
            .strip_prefix("method.request.header.")
            .or_else(|| source.strip_prefix("method.request.multivalueheader."))
        {
            sources
                .headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .reduce(|a, b| format!("{a},{b}"))
        } else if let Some(name) = source
            .strip_prefix("method.request.querystring.")
            .or_else(|| source.strip_prefix("method.request.multivaluequerystring."))
        {
            sources
                .query
                .iter()
                .filter(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .reduce(|a, b| format!("{a},{b}"))
        } else if let Some(name) = source.strip_prefix("stageVariables.") {
            sources
                .stage_variables
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        } else {
            // `context.*` sources: not tracked; they never make a request unauthorized.
            Some(String::new())
        };
        match value {
            Some(value) if !value.is_empty() || source.starts_with("context.") => {
                values.push(value);
            }
            _ => return None,
        }
    }
    if authorizer.authorizer_type == "TOKEN" && values.first().is_none_or(String::is_empty) {
        return None;
    }
    Some(values.join(","))
}

/// The event of a `TOKEN` authorizer.
pub(crate) fn token_event(token: &str, method_arn: &str) -> Json {
    json!({
        "type": "TOKEN",
        "authorizationToken": token,
        "methodArn": method_arn,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;

    #[test]
    fn identity_sources_select_the_identity() {
        let authorizer = |kind: &str, source: &str| Authorizer {
            id: "a".into(),
            name: "a".into(),
            authorizer_type: kind.into(),
            provider_arns: vec![],
            auth_type: None,
            uri: None,
            credentials: None,
            identity_source: Some(source.into()),
            identity_validation_expression: None,
            result_ttl: 300,
        };
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", "allow".parse().unwrap());
        let query = [("q".to_owned(), "1".to_owned())];
        let sources = Sources {
            headers: &headers,
            query: &query,
            stage_variables: &[],
        };
        let token = authorizer("TOKEN", "method.request.header.Authorization");
        assert_eq!(identity(&token, &sources).as_deref(), Some("allow"));
        let request = authorizer(
            "REQUEST",
            "method.request.header.Authorization, method.request.querystring.q",
        );
        assert_eq!(identity(&request, &sources).as_deref(), Some("allow,1"));
        let missing = authorizer("REQUEST", "method.request.querystring.nope");
        assert_eq!(identity(&missing, &sources), None);
        let empty = Sources {
            headers: &http::HeaderMap::new(),
            query: &[],
            stage_variables: &[],
        };
        assert_eq!(identity(&token, &empty), None);

        let mut cache = Cache::default();
        let key = ("abc".to_owned(), "a".to_owned(), "allow".to_owned());
        let decision = Decision {
            principal_id: json!("u"),
            policy: json!({}),
            context: Map::new(),
            usage_identifier_key: None,
        };
        cache.put(key.clone(), 1_000, decision);
        assert!(cache.get(&key, 999).is_some());
        assert!(cache.get(&key, 1_000).is_none());
        cache.flush("abc");
        assert!(cache.get(&key, 0).is_none());
    }
}
