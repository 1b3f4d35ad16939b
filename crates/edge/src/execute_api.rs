//! The IAM policies Lambda authorizers answer with, as API Gateway evaluates them for
//! `execute-api:Invoke` on a method or route ARN
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html>):
//! `Action` and `Resource` patterns with `*` and `?`, an explicit `Deny` wins over any `Allow`.
//! Also the answers themselves ([`decision`]) and the `REQUEST` authorizer event made from a
//! proxy event. Shared by REST, HTTP and WebSocket APIs.

use serde_json::{Map, Value as Json};

/// An authorizer's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// `principalId`.
    pub principal_id: Json,
    /// `policyDocument`.
    pub policy: Json,
    /// `context` (values as strings).
    pub context: Map<String, Json>,
    /// `usageIdentifierKey`: the API key, for `apiKeySource: AUTHORIZER`.
    pub usage_identifier_key: Option<String>,
}

impl Decision {
    /// `requestContext.authorizer` of the integration's event.
    pub fn request_context(&self) -> Json {
        let mut map = self.context.clone();
        map.insert("principalId".into(), self.principal_id.clone());
        Json::Object(map)
    }
}

/// Why an authorizer's answer cannot be used: the client gets a 500.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

/// Reads a Lambda authorizer's answer (`TOKEN` or `REQUEST`, REST or WebSocket APIs):
/// `principalId`, `policyDocument` (an object or its JSON text), `context` values as strings.
pub fn decision(payload: &[u8]) -> Result<Decision, Malformed> {
    let document: Json =
        serde_json::from_slice(payload).map_err(|_| Malformed("the answer is not JSON"))?;
    let principal_id = match document.get("principalId") {
        Some(id @ (Json::String(_) | Json::Number(_))) => id.clone(),
        _ => return Err(Malformed("the answer has no principalId")),
    };
    let policy = match document.get("policyDocument") {
        Some(Json::String(text)) => {
            serde_json::from_str(text).map_err(|_| Malformed("policyDocument is not JSON"))?
        }
        Some(policy @ Json::Object(_)) => policy.clone(),
        _ => return Err(Malformed("the answer has no policyDocument")),
    };
    let mut context = Map::new();
    if let Some(map) = document.get("context").and_then(Json::as_object) {
        for (key, value) in map {
            let text = match value {
                Json::String(text) => text.clone(),
                Json::Number(_) | Json::Bool(_) => value.to_string(),
                Json::Null => continue,
                Json::Array(_) | Json::Object(_) => {
                    return Err(Malformed(
                        "context values must be strings, numbers or booleans",
                    ));
                }
            };
            context.insert(key.clone(), text.into());
        }
    }
    Ok(Decision {
        principal_id,
        policy,
        context,
        usage_identifier_key: document
            .get("usageIdentifierKey")
            .and_then(Json::as_str)
            .map(str::to_owned),
    })
}

/// The event of a Lambda `REQUEST` authorizer, made from the request's proxy event (REST, or an
/// HTTP API's 1.0 or 2.0): without its body, with `"type": "REQUEST"` and `members` (the ARN,
/// the identity it is asked about).
pub fn request_authorizer_event(
    mut event: Json,
    members: impl IntoIterator<Item = (&'static str, Json)>,
) -> Json {
    if let Some(map) = event.as_object_mut() {
        map.remove("body");
        map.remove("isBase64Encoded");
        map.insert("type".into(), "REQUEST".into());
        map.extend(
            members
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value)),
        );
    }
    event
}

/// Whether `pattern` (`*` any run, `?` one character) matches `text`.
fn wildcard(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), text.chars().collect());
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

fn strings(value: &Json) -> Vec<&str> {
    match value {
        Json::String(text) => vec![text.as_str()],
        Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

/// What a policy says about a method ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An `Allow` and no `Deny`.
    Allow,
    /// A `Deny` (403 `User is not authorized to access this resource with an explicit deny`).
    ExplicitDeny,
    /// Neither (403 `User is not authorized to access this resource`).
    ImplicitDeny,
}

/// Whether `policy` allows `execute-api:Invoke` on `method_arn`.
pub fn allows(policy: &Json, method_arn: &str) -> bool {
    evaluate(policy, method_arn) == Verdict::Allow
}

/// What `policy` says about `execute-api:Invoke` on `method_arn`: an explicit `Deny` wins,
/// else an `Allow` is needed.
pub fn evaluate(policy: &Json, method_arn: &str) -> Verdict {
    let statements: Vec<&Json> = match &policy["Statement"] {
        Json::Array(items) => items.iter().collect(),
        statement @ Json::Object(_) => vec![statement],
        _ => Vec::new(),
    };
    let mut allowed = false;
    for statement in statements {
        let action = strings(&statement["Action"])
            .iter()
            .any(|action| wildcard(&action.to_ascii_lowercase(), "execute-api:invoke"));
        let resource = strings(&statement["Resource"])
            .iter()
            .any(|resource| wildcard(resource, method_arn));
        if !(action && resource) {
            continue;
        }
        match statement["Effect"].as_str() {
            Some("Deny") => return Verdict::ExplicitDeny,
            Some("Allow") => allowed = true,
            _ => {}
        }
    }
    if allowed {
        Verdict::Allow
    } else {
        Verdict::ImplicitDeny
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/items/7";

    fn policy(effect: &str, resource: Json) -> Json {
        json!({"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
        ]})
    }

    #[test]
    fn policies_allow_and_deny_method_arns() {
        assert!(allows(&policy("Allow", json!(ARN)), ARN));
        assert!(allows(
            &policy("Allow", json!("arn:aws:execute-api:*:*:abc/*")),
            ARN
        ));
        assert!(allows(
            &policy(
                "Allow",
                json!([
                    "x",
                    "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/*"
                ])
            ),
            ARN
        ));
        assert!(allows(
            &policy(
                "Allow",
                json!("arn:aws:execute-api:us-east-1:000000000000:abc/prod/???/items/*")
            ),
            ARN
        ));
        assert!(!allows(
            &policy(
                "Allow",
                json!("arn:aws:execute-api:us-east-1:000000000000:abc/prod/POST/*")
            ),
            ARN
        ));
        assert!(!allows(&policy("Deny", json!("*")), ARN));
        let both = json!({"Statement": [
            {"Action": "execute-api:*", "Effect": "Allow", "Resource": "*"},
            {"Action": ["execute-api:Invoke"], "Effect": "Deny", "Resource": ARN},
        ]});
        assert!(!allows(&both, ARN));
        let single = json!({"Statement": {"Action": "*", "Effect": "Allow", "Resource": "*"}});
        assert!(allows(&single, ARN));
        assert!(!allows(&json!({}), ARN));
        assert_eq!(evaluate(&json!({}), ARN), Verdict::ImplicitDeny);
        assert_eq!(evaluate(&both, ARN), Verdict::ExplicitDeny);
    }

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(wildcard("a*c", "abbbc"));
        assert!(wildcard("a?c", "abc"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("a?c", "ac"));
        assert!(!wildcard("a*d", "abc"));
    }

    #[test]
    fn answers_become_decisions_with_string_context() {
        let answer = json!({
            "principalId": "user",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}
            ]},
            "context": {"n": 1, "b": true, "s": "x"},
        });
        let decision = decision(answer.to_string().as_bytes()).unwrap();
        assert_eq!(
            decision.request_context(),
            json!({"principalId": "user", "n": "1", "b": "true", "s": "x"})
        );
        assert!(super::decision(br#"{"policyDocument": {}}"#).is_err());
        assert!(
            super::decision(
                br#"{"principalId": "u", "policyDocument": {}, "context": {"a": [1]}}"#
            )
            .is_err()
        );
    }
}
