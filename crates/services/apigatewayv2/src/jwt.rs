//! JWT authorizers of HTTP APIs
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html>).
//!
//! The token comes from the authorizer's identity source (`$request.header.Authorization`),
//! with or without a `Bearer ` prefix. Its signature is checked with the key its `kid` names
//! in the issuer's key set: the `jwks_uri` of `{issuer}/.well-known/openid-configuration`,
//! kept for two hours per issuer (as API Gateway does) and fetched again once when a token
//! names a key the set does not have. Only RSA algorithms are accepted (`RS256`, `RS384`,
//! `RS512`), as on AWS. Then the claims: `iss` must be the configured issuer; `aud` (or
//! `client_id` when there is no `aud`) one of the configured audiences; `exp` after, `nbf` and
//! `iat` not after the service's clock; and when the route has `AuthorizationScopes`, the
//! token's `scope` (or `scp`) must hold one of them.
//!
//! A missing token is 401 `{"message":"Unauthorized"}`; an invalid one is the same with a
//! `www-authenticate: Bearer scope="" error="invalid_token" error_description="…"` header; a
//! valid token without a route scope is 403 `{"message":"Forbidden"}` with
//! `error="insufficient_scope"`. The descriptions are unkai's words.
//!
//! `https://` issuers must show a certificate the system's trusted roots vouch for
//! (`SSL_CERT_FILE` and `SSL_CERT_DIR` are honoured). Deviations: issuers may also be `http://`
//! URLs (AWS requires `https://`). Claims that are not strings reach the
//! integration as text: numbers and booleans as written, arrays as `[a b]`, objects as JSON.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use http_body_util::BodyExt as _;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value as Json};

/// How long an issuer's key set is used before it is fetched again.
const KEYS_TTL_MS: u64 = 2 * 60 * 60 * 1000;
/// How long fetching a discovery document or a key set may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a request is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 401: no token where the identity source points.
    Missing,
    /// 401: the token is not valid, and why.
    Invalid(String),
    /// 403: the token is valid but holds none of the route's scopes (these).
    InsufficientScope(Vec<String>),
}

/// What a valid token lets through to the integration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Verified {
    /// Every claim, as text.
    pub claims: Map<String, Json>,
    /// The token's scopes when the route asks for scopes, else none.
    pub scopes: Option<Vec<String>>,
}

/// One RSA key of an issuer's key set.
#[derive(Clone, Debug)]
struct Key {
    kid: Option<String>,
    key: DecodingKey,
}

/// Issuers' key sets with when each was fetched (ms on the service's clock). A cache: losing
/// it fetches them again.
#[derive(Debug, Default)]
pub(crate) struct Keys(Mutex<HashMap<String, (Vec<Key>, u64)>>);

/// The JWT authorizer's settings a check needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Check<'a> {
    /// The configured issuer.
    pub issuer: &'a str,
    /// The configured audiences.
    pub audience: &'a [String],
    /// The route's `AuthorizationScopes`.
    pub scopes: &'a [String],
    /// Now, ms since the epoch.
    pub now_ms: u64,
}

fn invalid(reason: &str) -> Refusal {
    Refusal::Invalid(reason.to_owned())
}

fn base64url(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()
}

/// A token taken apart: header, claims, the signed text and the signature.
struct Token<'a> {
    header: Map<String, Json>,
    claims: Map<String, Json>,
    signed: &'a str,
    /// base64url, as in the token.
    signature: &'a str,
}

fn parse(token: &str) -> Result<Token<'_>, Refusal> {
    let malformed = || invalid("the token is not a valid JWT");
    let (signed, signature) = token.rsplit_once('.').ok_or_else(malformed)?;
    let (header, claims) = signed.split_once('.').ok_or_else(malformed)?;
    let object = |part: &str| -> Result<Map<String, Json>, Refusal> {
        let bytes = base64url(part).ok_or_else(malformed)?;
        match serde_json::from_slice(&bytes) {
            Ok(Json::Object(map)) => Ok(map),
            _ => Err(malformed()),
        }
    };
    base64url(signature).ok_or_else(malformed)?;
    Ok(Token {
        header: object(header)?,
        claims: object(claims)?,
        signed,
        signature,
    })
}

/// Whether `signature` is `key`'s `alg` signature of `signed`.
fn signature_holds(alg: &str, key: &DecodingKey, signed: &str, signature: &str) -> bool {
    let algorithm = match alg {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        _ => return false,
    };
    jsonwebtoken::crypto::verify(signature, signed.as_bytes(), key, algorithm).unwrap_or(false)
}

/// A claim as the integration sees it: text.
fn claim_text(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(claim_text).collect();
            format!("[{}]", items.join(" "))
        }
        other => other.to_string(),
    }
}

/// The token's scopes: `scope` (space-separated) or `scp` (a list, or space-separated).
fn token_scopes(claims: &Map<String, Json>) -> Vec<String> {
    let words =
        |text: &str| -> Vec<String> { text.split_whitespace().map(str::to_owned).collect() };
    match (claims.get("scope"), claims.get("scp")) {
        (Some(Json::String(text)), _) => words(text),
        (_, Some(Json::String(text))) => words(text),
        (_, Some(Json::Array(items))) => items
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// A numeric date claim in seconds, if the token has it; not a number is an error.
fn seconds(claims: &Map<String, Json>, name: &str) -> Result<Option<f64>, Refusal> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .map(Some)
            .ok_or_else(|| Refusal::Invalid(format!("the {name} claim is not a number"))),
    }
}

/// Checks the claims of a token whose signature holds.
fn check_claims(claims: &Map<String, Json>, check: &Check<'_>) -> Result<Verified, Refusal> {
    if claims.get("iss").and_then(Json::as_str) != Some(check.issuer) {
        return Err(invalid("the token does not have a valid issuer"));
    }
    let audiences: Vec<&str> = match (claims.get("aud"), claims.get("client_id")) {
        (Some(Json::String(aud)), _) => vec![aud],
        (Some(Json::Array(items)), _) => items.iter().filter_map(Json::as_str).collect(),
        (Some(_), _) => Vec::new(),
        (None, Some(Json::String(client))) => vec![client],
        (None, _) => Vec::new(),
    };
    if !audiences
        .iter()
        .any(|aud| check.audience.iter().any(|wanted| wanted == aud))
    {
        return Err(invalid("the token does not have a valid audience"));
    }
    let now = check.now_ms as f64 / 1000.0;
    if seconds(claims, "exp")?.is_some_and(|exp| exp <= now) {
        return Err(invalid("the token has expired"));
    }
    if seconds(claims, "nbf")?.is_some_and(|nbf| nbf > now) {
        return Err(invalid("the token is not valid yet"));
    }
    if seconds(claims, "iat")?.is_some_and(|iat| iat > now) {
        return Err(invalid("the token was issued in the future"));
    }
    let scopes = if check.scopes.is_empty() {
        None
    } else {
        let held = token_scopes(claims);
        if !held.iter().any(|scope| check.scopes.contains(scope)) {
            return Err(Refusal::InsufficientScope(check.scopes.to_vec()));
        }
        Some(held)
    };
    let claims = claims
        .iter()
        .map(|(name, value)| (name.clone(), Json::from(claim_text(value))))
        .collect();
    Ok(Verified { claims, scopes })
}

/// A JSON document fetched with `GET`.
async fn fetch_json(url: &str) -> Result<Json, String> {
    let headers = http::HeaderMap::new();
    let backend = unkai_edge::forward::Backend {
        uri: url,
        parameters: &[],
        method: "GET",
        query: "",
        headers: &headers,
        body: bytes::Bytes::new(),
        timeout: FETCH_TIMEOUT,
    };
    let response = unkai_edge::forward::forward(backend)
        .await
        .map_err(|failure| format!("{failure:?}"))?;
    if !response.status().is_success() {
        return Err(format!("answered {}", response.status()));
    }
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|error| error.to_string())?
        .to_bytes();
    serde_json::from_slice(&body).map_err(|error| format!("not JSON: {error}"))
}

/// The RSA keys of a JSON Web Key Set (`{"keys": [...]}`); other keys are left out.
fn rsa_keys(set: &Json) -> Vec<Key> {
    let Some(keys) = set.get("keys").and_then(Json::as_array) else {
        return Vec::new();
    };
    keys.iter()
        .filter(|key| key.get("kty").and_then(Json::as_str) == Some("RSA"))
        .filter(|key| key.get("use").and_then(Json::as_str) != Some("enc"))
        .filter_map(|key| {
            let n = key.get("n")?.as_str()?;
            let e = key.get("e")?.as_str()?;
            let public = DecodingKey::from_rsa_components(n, e).ok()?;
            Some(Key {
                kid: key.get("kid").and_then(Json::as_str).map(str::to_owned),
                key: public,
            })
        })
        .collect()
}

impl Keys {
    /// The issuer's keys: the cached set while it is younger than two hours (and `fresh` is
    /// not asked for), else fetched from its discovery document's `jwks_uri`.
    async fn of(&self, issuer: &str, now_ms: u64, fresh: bool) -> Result<Vec<Key>, String> {
        if !fresh
            && let Ok(sets) = self.0.lock()
            && let Some((keys, fetched)) = sets.get(issuer)
            && now_ms.saturating_sub(*fetched) < KEYS_TTL_MS
        {
            return Ok(keys.clone());
        }
        let discovery = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let document = fetch_json(&discovery)
            .await
            .map_err(|reason| format!("{discovery}: {reason}"))?;
        let Some(jwks_uri) = document.get("jwks_uri").and_then(Json::as_str) else {
            return Err(format!("{discovery} has no jwks_uri"));
        };
        let set = fetch_json(jwks_uri)
            .await
            .map_err(|reason| format!("{jwks_uri}: {reason}"))?;
        let keys = rsa_keys(&set);
        if let Ok(mut sets) = self.0.lock() {
            sets.insert(issuer.to_owned(), (keys.clone(), now_ms));
        }
        Ok(keys)
    }

    /// Checks `token` (without its `Bearer ` prefix) as the authorizer and route ask.
    pub(crate) async fn verify(&self, token: &str, check: &Check<'_>) -> Result<Verified, Refusal> {
        let token = parse(token)?;
        let alg = token
            .header
            .get("alg")
            .and_then(Json::as_str)
            .unwrap_or_default();
        if !matches!(alg, "RS256" | "RS384" | "RS512") {
            return Err(Refusal::Invalid(format!("signing method {alg} is invalid")));
        }
        let Some(kid) = token.header.get("kid").and_then(Json::as_str) else {
            return Err(invalid("the token has no kid header"));
        };
        let find = |keys: &[Key]| -> Option<DecodingKey> {
            keys.iter()
                .find(|key| key.kid.as_deref() == Some(kid))
                .map(|key| key.key.clone())
        };
        let unreachable = |reason: String| {
            tracing::warn!(issuer = check.issuer, %reason, "JWT issuer keys could not be fetched");
            invalid("the issuer's signing keys could not be fetched")
        };
        let mut key = find(
            &self
                .of(check.issuer, check.now_ms, false)
                .await
                .map_err(unreachable)?,
        );
        if key.is_none() {
            // A key the cached set does not have: the issuer may have rotated its keys.
            key = find(
                &self
                    .of(check.issuer, check.now_ms, true)
                    .await
                    .map_err(unreachable)?,
            );
        }
        let Some(key) = key else {
            return Err(invalid("the token's key id is not in the issuer's key set"));
        };
        if !signature_holds(alg, &key, token.signed, token.signature) {
            return Err(invalid("the token's signature is invalid"));
        }
        check_claims(&token.claims, check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Json) -> Map<String, Json> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn check<'a>(audience: &'a [String], scopes: &'a [String]) -> Check<'a> {
        Check {
            issuer: "http://issuer",
            audience,
            scopes,
            now_ms: 1_000_000,
        }
    }

    #[test]
    fn claims_are_checked_against_the_authorizer_and_the_clock() {
        let audience = vec!["app".to_owned()];
        let ok =
            json!({"iss": "http://issuer", "aud": "app", "exp": 1001, "nbf": 1000, "iat": 999});
        let verified = check_claims(&claims(ok.clone()), &check(&audience, &[])).unwrap();
        assert_eq!(verified.claims["exp"], "1001");
        assert_eq!(verified.scopes, None);
        let with = |change: Json| {
            let mut token = claims(ok.clone());
            token.extend(claims(change));
            check_claims(&token, &check(&audience, &[]))
        };
        assert_eq!(
            with(json!({"iss": "http://other"})),
            Err(invalid("the token does not have a valid issuer"))
        );
        assert_eq!(
            with(json!({"aud": ["x", "y"]})),
            Err(invalid("the token does not have a valid audience"))
        );
        assert!(with(json!({"aud": ["x", "app"]})).is_ok());
        assert_eq!(
            with(json!({"exp": 1000})),
            Err(invalid("the token has expired"))
        );
        assert_eq!(
            with(json!({"nbf": 1000.5})),
            Err(invalid("the token is not valid yet"))
        );
        assert_eq!(
            with(json!({"iat": 1001})),
            Err(invalid("the token was issued in the future"))
        );
        // client_id counts only without aud.
        let mut token = claims(ok.clone());
        token.remove("aud");
        token.insert("client_id".into(), json!("app"));
        assert!(check_claims(&token, &check(&audience, &[])).is_ok());
        token.insert("aud".into(), json!("other"));
        assert!(check_claims(&token, &check(&audience, &[])).is_err());
    }

    #[test]
    fn route_scopes_need_one_of_the_tokens() {
        let audience = vec!["app".to_owned()];
        let wanted = vec!["read".to_owned(), "admin".to_owned()];
        let token = |scopes: Json| {
            let mut token = claims(json!({"iss": "http://issuer", "aud": "app"}));
            token.extend(claims(scopes));
            check_claims(&token, &check(&audience, &wanted))
        };
        assert_eq!(
            token(json!({"scope": "read write"})).unwrap().scopes,
            Some(vec!["read".to_owned(), "write".to_owned()])
        );
        assert!(token(json!({"scp": ["admin"]})).is_ok());
        assert!(token(json!({"scp": "x admin"})).is_ok());
        assert_eq!(
            token(json!({"scope": "write"})),
            Err(Refusal::InsufficientScope(wanted.clone()))
        );
        assert_eq!(token(json!({})), Err(Refusal::InsufficientScope(wanted)));
    }

    #[test]
    fn claims_reach_the_integration_as_text() {
        assert_eq!(claim_text(&json!("a")), "a");
        assert_eq!(claim_text(&json!(12)), "12");
        assert_eq!(claim_text(&json!(true)), "true");
        assert_eq!(claim_text(&json!(["g1", "g2"])), "[g1 g2]");
        assert_eq!(claim_text(&json!({"k": 1})), r#"{"k":1}"#);
    }

    #[test]
    fn malformed_tokens_are_invalid() {
        for token in ["", "abc", "a.b", "a.b.c", "e30.e30.!!"] {
            assert!(matches!(parse(token), Err(Refusal::Invalid(_))), "{token}");
        }
        // {} . {} . (empty signature)
        let parsed = parse("e30.e30.").unwrap();
        assert!(parsed.header.is_empty() && parsed.signature.is_empty());
    }
}
