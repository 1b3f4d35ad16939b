//! Passing a request on to an HTTP backend, as API Gateway's `HTTP_PROXY` integrations do: the
//! backend's URL with path parameters filled in, the request's method, headers (without the
//! hop-by-hop ones), body and query; the backend's answer comes back as it is. Each API
//! Gateway flavour renders [`Failure`]s with its own messages. `https://` backends must show a
//! certificate for their name that the system's trusted roots vouch for (`SSL_CERT_FILE` and
//! `SSL_CERT_DIR` are honoured, as OpenSSL does); `http://` backends are reached too.
//!
//! [`send`] is the exchange itself, for a request built by its caller: how a node of a cluster
//! passes an `@connections` request on, unchanged, to the node that holds the connection.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use rustls::ClientConfig;
use rustls::pki_types::ServerName;

use crate::{Response, full};

/// Headers that belong to one connection, not to the request or response: never passed on.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Headers an integration's exchange sets for itself: the backend's `Host` and the length of
/// the body as it is sent (and, in the answer, as it is passed back).
const OWN: &[&str] = &["host", "content-length"];

/// What stays encoded in a path parameter put back into a URL (`/` stays a separator).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%');

/// `{name}` and `{name+}` in `uri` replaced by path parameters.
pub fn with_parameters(uri: &str, parameters: &[(String, String)]) -> String {
    let mut out = uri.to_owned();
    for (name, value) in parameters {
        let encoded = utf8_percent_encode(value, PATH).to_string();
        out = out
            .replace(&format!("{{{name}+}}"), &encoded)
            .replace(&format!("{{{name}}}"), &encoded);
    }
    out
}

/// A request to pass on to an HTTP backend.
#[derive(Debug)]
pub struct Backend<'a> {
    /// The backend's URL; `{name}` and `{name+}` take `parameters`.
    pub uri: &'a str,
    /// Path parameters.
    pub parameters: &'a [(String, String)],
    /// The method to send.
    pub method: &'a str,
    /// The incoming request's query, added to the URL's own.
    pub query: &'a str,
    /// The incoming request's headers (hop-by-hop ones are left out).
    pub headers: &'a http::HeaderMap,
    /// The body.
    pub body: Bytes,
    /// How long the backend may take.
    pub timeout: Duration,
}

/// Why a backend gave no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The URL is not an `http://` or `https://` URL unkai can reach, the backend's
    /// certificate is not trusted, or the exchange failed.
    Unreachable,
    /// Nothing listens at the backend's address: the connection was refused.
    Refused,
    /// No answer within the timeout.
    TimedOut,
}

/// The client side of TLS: the system's trusted roots, loaded once, and the `ring` provider.
fn trusted() -> Arc<ClientConfig> {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            for error in &found.errors {
                tracing::warn!(%error, "trusted root certificates could not be loaded");
            }
            let mut roots = rustls::RootCertStore::empty();
            let (added, ignored) = roots.add_parsable_certificates(found.certs);
            tracing::debug!(added, ignored, "trusted roots for https");
            Arc::new(client_config(roots))
        })
        .clone()
}

/// A TLS client trusting `roots`, with the `ring` provider (named: other crates of a build
/// may enable another provider, and then none is the default).
fn client_config(roots: rustls::RootCertStore) -> ClientConfig {
    ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// Sends the request to the backend and returns its answer as it is.
pub async fn forward(backend: Backend<'_>) -> Result<Response, Failure> {
    forward_trusting(backend, None).await
}

/// [`forward`], trusting `tls` for `https://` backends instead of the system's roots.
async fn forward_trusting(
    backend: Backend<'_>,
    tls: Option<Arc<ClientConfig>>,
) -> Result<Response, Failure> {
    let Backend {
        uri,
        parameters,
        method,
        query,
        headers,
        body,
        timeout,
    } = backend;
    let uri = with_parameters(uri, parameters);
    let Ok(parsed) = uri.parse::<http::Uri>() else {
        tracing::warn!(uri, "HTTP integration URI does not parse");
        return Err(Failure::Unreachable);
    };
    let secure = match parsed.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        _ => {
            tracing::warn!(uri, "HTTP integration URI is neither http:// nor https://");
            return Err(Failure::Unreachable);
        }
    };
    let Some(authority) = parsed.authority().cloned() else {
        return Err(Failure::Unreachable);
    };
    let mut target = parsed.path().to_owned();
    if target.is_empty() {
        target.push('/');
    }
    let queries: Vec<&str> = [parsed.query().unwrap_or_default(), query]
        .into_iter()
        .filter(|query| !query.is_empty())
        .collect();
    if !queries.is_empty() {
        target.push('?');
        target.push_str(&queries.join("&"));
    }
    let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
        return Err(Failure::Unreachable);
    };
    let mut builder = http::Request::builder()
        .method(method)
        .uri(target)
        .header(http::header::HOST, authority.as_str());
    for (name, value) in headers {
        if !OWN.contains(&name.as_str()) {
            builder = builder.header(name, value);
        }
    }
    let Ok(request) = builder.body(Full::new(body)) else {
        return Err(Failure::Unreachable);
    };
    let host = authority.host();
    let address = format!(
        "{host}:{}",
        authority
            .port_u16()
            .unwrap_or(if secure { 443 } else { 80 })
    );
    let tls = match secure {
        false => None,
        true => {
            // An IPv6 literal is bracketed in URLs, not in server names.
            let name = host.trim_start_matches('[').trim_end_matches(']');
            let Ok(name) = ServerName::try_from(name.to_owned()) else {
                return Err(Failure::Unreachable);
            };
            Some((tls.unwrap_or_else(trusted), name))
        }
    };
    let sent = exchange(&address, tls, request, timeout).await;
    if let Err(failure @ (Failure::Unreachable | Failure::Refused)) = &sent {
        tracing::info!(uri, ?failure, "HTTP integration failed");
    }
    sent
}

/// Sends `request` (an origin-form URI; its headers as they are, `Host` included, but for the
/// hop-by-hop ones) to `address` (`host:port`) over a new connection and returns the answer as
/// it is, without the hop-by-hop headers.
pub async fn send(
    address: &str,
    request: http::Request<Full<Bytes>>,
    timeout: Duration,
) -> Result<Response, Failure> {
    exchange(address, None, request, timeout).await
}

/// [`send`], over TLS when `tls` names the server and who vouches for it.
async fn exchange(
    address: &str,
    tls: Option<(Arc<ClientConfig>, ServerName<'static>)>,
    mut request: http::Request<Full<Bytes>>,
    timeout: Duration,
) -> Result<Response, Failure> {
    for name in HOP_BY_HOP {
        request.headers_mut().remove(*name);
    }
    let exchange = async move {
        let stream = match tokio::net::TcpStream::connect(address).await {
            Ok(stream) => stream,
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Err(Failure::Refused);
            }
            Err(error) => {
                tracing::debug!(address, %error, "connecting failed");
                return Err(Failure::Unreachable);
            }
        };
        match tls {
            None => over(stream, request, address).await,
            Some((config, name)) => {
                let connector = tokio_rustls::TlsConnector::from(config);
                match connector.connect(name, stream).await {
                    Ok(stream) => over(stream, request, address).await,
                    Err(error) => {
                        tracing::info!(address, %error, "TLS handshake failed");
                        Err(Failure::Unreachable)
                    }
                }
            }
        }
    };
    let (parts, body) = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| Failure::TimedOut)??;
    let mut response = http::Response::new(full(body));
    *response.status_mut() = parts.status;
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) && !OWN.contains(&name.as_str()) {
            response.headers_mut().append(name, value.clone());
        }
    }
    Ok(response)
}

/// One HTTP/1.1 exchange over `stream`.
async fn over<S>(
    stream: S,
    request: http::Request<Full<Bytes>>,
    address: &str,
) -> Result<(http::response::Parts, Bytes), Failure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let unreachable = |error: hyper::Error| {
        tracing::debug!(address, %error, "HTTP exchange failed");
        Failure::Unreachable
    };
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(unreachable)?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "HTTP client connection ended with an error");
        }
    });
    let response = sender.send_request(request).await.map_err(unreachable)?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(unreachable)?.to_bytes();
    Ok((parts, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_fill_the_uri() {
        assert_eq!(
            with_parameters(
                "http://backend/{proxy}?x=1",
                &[("proxy".into(), "a b/c".into())]
            ),
            "http://backend/a%20b/c?x=1"
        );
        assert_eq!(
            with_parameters("http://backend/items/{id+}", &[("id".into(), "7".into())]),
            "http://backend/items/7"
        );
    }

    /// A test CA and a certificate for `localhost` it signed (`tests/tls`).
    const CA: &str = include_str!("../tests/tls/ca.pem");
    const CERTIFICATE: &str = include_str!("../tests/tls/server.pem");
    const KEY: &str = include_str!("../tests/tls/server.key");

    /// An https server answering `hello` to every request; its address.
    async fn https_server() -> std::net::SocketAddr {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certificates = CertificateDer::pem_slice_iter(CERTIFICATE.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_slice(KEY.as_bytes()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certificates, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(|request: http::Request<_>| {
                        let path = request.uri().path().to_owned();
                        async move {
                            Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(
                                Bytes::from(format!("hello from {path}")),
                            )))
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        address
    }

    fn get(uri: &str) -> Backend<'_> {
        static NO_HEADERS: OnceLock<http::HeaderMap> = OnceLock::new();
        Backend {
            uri,
            parameters: &[],
            method: "GET",
            query: "",
            headers: NO_HEADERS.get_or_init(http::HeaderMap::new),
            body: Bytes::new(),
            timeout: Duration::from_secs(5),
        }
    }

    /// An https backend is reached when a trusted root vouches for its certificate (by name or
    /// by address), and is unreachable when none does.
    #[tokio::test]
    async fn https_backends_need_a_trusted_certificate() {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let address = https_server().await;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(CA.as_bytes()).unwrap())
            .unwrap();
        let trusting = Some(Arc::new(client_config(roots)));
        let url = format!("https://localhost:{}/keys", address.port());
        let response = forward_trusting(get(&url), trusting.clone()).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"hello from /keys");

        let by_address = format!("https://127.0.0.1:{}/", address.port());
        assert!(
            forward_trusting(get(&by_address), trusting.clone())
                .await
                .is_ok()
        );
        let untrusted = Some(Arc::new(client_config(rustls::RootCertStore::empty())));
        assert_eq!(
            forward_trusting(get(&url), untrusted).await.err(),
            Some(Failure::Unreachable)
        );
        assert_eq!(
            forward(get("ftp://localhost/")).await.err(),
            Some(Failure::Unreachable)
        );
    }
}
