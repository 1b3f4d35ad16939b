//! A small signed client for the CLI's calls to a running unkai (awsQuery over HTTP/1.1).

use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use unkai_edge::sigv4::{self, SigningParams};
use unkai_server::KeyPair;

/// A running unkai, reached with the administrator's key.
pub struct Client {
    authority: String,
    key: KeyPair,
    region: String,
}

async fn send(
    authority: &str,
    request: http::Request<Full<Bytes>>,
) -> Result<(http::StatusCode, String)> {
    let stream = tokio::net::TcpStream::connect(authority)
        .await
        .with_context(|| format!("cannot connect to unkai at {authority}"))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

impl Client {
    /// A client for the server at `endpoint` (`http://host:port`), if it answers its health
    /// check within a second.
    pub async fn connect(endpoint: &str, key: KeyPair, region: String) -> Option<Self> {
        let authority = endpoint
            .strip_prefix("http://")?
            .trim_end_matches('/')
            .to_string();
        let health = http::Request::get("/_unkai/health")
            .header("host", &authority)
            .body(Full::new(Bytes::new()))
            .ok()?;
        let answered = tokio::time::timeout(Duration::from_secs(1), send(&authority, health)).await;
        match answered {
            Ok(Ok((status, _))) if status.is_success() => Some(Self {
                authority,
                key,
                region,
            }),
            _ => None,
        }
    }

    /// The unkai this environment points at: `AWS_ENDPOINT_URL` with `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` when they are set, else the server running with the configured
    /// data directory.
    pub async fn running(config: &unkai_server::Config) -> Result<Self> {
        let env = |name| std::env::var(name).ok().filter(|value| !value.is_empty());
        if let (Some(endpoint), Some(id), Some(secret)) = (
            env("AWS_ENDPOINT_URL"),
            env("AWS_ACCESS_KEY_ID"),
            env("AWS_SECRET_ACCESS_KEY"),
        ) {
            let region = env("AWS_REGION")
                .or_else(|| env("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|| config.region.clone());
            let key = KeyPair {
                access_key_id: id,
                secret_access_key: secret,
            };
            return Self::connect(&endpoint, key, region)
                .await
                .with_context(|| {
                    format!("unkai at {endpoint} (AWS_ENDPOINT_URL) does not answer")
                });
        }
        let dir = unkai_server::DataDir::new(&config.data_dir);
        let (Some(server), Some(key)) = (dir.server(), dir.credentials()) else {
            bail!(
                "unkai is not running with the data directory {}: start it with `unkai up`",
                config.data_dir.display()
            );
        };
        Self::connect(&server.endpoint, key, server.region)
            .await
            .with_context(|| {
                format!(
                    "unkai at {} does not answer: start it with `unkai up`",
                    server.endpoint
                )
            })
    }

    /// Calls an awsQuery operation of `service` and returns the response document.
    pub async fn query(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<String> {
        let mut body = format!("Action={action}&Version={version}");
        for (name, value) in params {
            body.push('&');
            body.push_str(name);
            body.push('=');
            body.extend(percent_encode(value));
        }
        let mut request = http::Request::post("/")
            .header("host", &self.authority)
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(Full::new(Bytes::from(body.clone())))?;
        sigv4::sign_request(
            &mut request,
            body.as_bytes(),
            &SigningParams {
                access_key_id: &self.key.access_key_id,
                secret: &self.key.secret_access_key,
                region: &self.region,
                service,
                at: SystemTime::now(),
            },
        );
        let (status, document) = send(&self.authority, request).await?;
        if !status.is_success() {
            let code = field(&document, "Code").unwrap_or_else(|| status.to_string());
            let message = field(&document, "Message").unwrap_or_default();
            bail!("{code}: {message}");
        }
        Ok(document)
    }
}

impl Client {
    /// Calls an awsJson 1.1 operation (`X-Amz-Target: <target>`) of `service` and returns the
    /// response document; errors carry AWS's code and message.
    pub async fn json(
        &self,
        service: &str,
        target: &str,
        input: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        let body = input.to_string();
        let mut request = http::Request::post("/")
            .header("host", &self.authority)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .body(Full::new(Bytes::from(body.clone())))?;
        sigv4::sign_request(
            &mut request,
            body.as_bytes(),
            &SigningParams {
                access_key_id: &self.key.access_key_id,
                secret: &self.key.secret_access_key,
                region: &self.region,
                service,
                at: SystemTime::now(),
            },
        );
        let (status, document) = send(&self.authority, request).await?;
        let document: serde_json::Value =
            serde_json::from_str(&document).unwrap_or(serde_json::Value::Null);
        if !status.is_success() {
            let code = document["__type"].as_str().unwrap_or(status.as_str());
            let message = document["message"].as_str().unwrap_or_default();
            bail!("{code}: {message}");
        }
        Ok(document)
    }
}

impl Client {
    /// Calls a restJson operation: `method` on `path` with a JSON body.
    pub async fn rest(
        &self,
        service: &str,
        method: http::Method,
        path: &str,
        input: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        let body = input.to_string();
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.authority)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.clone())))?;
        sigv4::sign_request(
            &mut request,
            body.as_bytes(),
            &SigningParams {
                access_key_id: &self.key.access_key_id,
                secret: &self.key.secret_access_key,
                region: &self.region,
                service,
                at: SystemTime::now(),
            },
        );
        let (status, document) = send(&self.authority, request).await?;
        let document: serde_json::Value =
            serde_json::from_str(&document).unwrap_or(serde_json::Value::Null);
        if !status.is_success() {
            let message = document["message"]
                .as_str()
                .or(document["Message"].as_str())
                .unwrap_or_default();
            bail!("{status}: {message}");
        }
        Ok(document)
    }
}

fn percent_encode(value: &str) -> impl Iterator<Item = char> + '_ {
    value.bytes().flat_map(|b| {
        let plain = b.is_ascii_alphanumeric() || b"-_.~".contains(&b);
        let text = if plain {
            char::from(b).to_string()
        } else {
            format!("%{b:02X}")
        };
        text.chars().collect::<Vec<_>>()
    })
}

/// The text of the first `<tag>` in an XML document.
pub fn field(document: &str, tag: &str) -> Option<String> {
    elements(document, tag).into_iter().next()
}

/// The texts of every `<tag>` in an XML document, unescaped.
pub fn elements(document: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = document;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        found.push(
            after[..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &after[end + close.len()..];
    }
    found
}
