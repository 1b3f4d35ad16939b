//! unkai's front door: one listener for every service.
//!
//! For each request the edge finds the service ([`route`]: SigV4 credential scope,
//! `X-Amz-Target`, query `Action`, path, in that order), checks the SigV4 signature
//! ([`sigv4`]) against the caller's secret ([`Credentials`]), enforces the service's body limit,
//! and hands an authenticated [`Request`] to the [`Service`]. Errors are rendered in the calling
//! service's protocol, with the codes, statuses and messages AWS uses ([`protocol`]).
//!
//! Architecture Invariant: wire formats live here and in each service's `api` module; nothing
//! behind a [`Service`] sees an unauthenticated request.
#![deny(missing_docs)]

pub mod compat;
mod cors;
mod encoding;
pub mod execute_api;
pub mod forward;
pub mod protocol;
pub mod route;
mod server;
mod service;
pub mod sigv4;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use unkai_types::Caller;

pub use cors::Rule as CorsRule;
pub use server::{Edge, Health, Options, Public, PublicAuth, PublicRequest, serve};
pub use service::{Context, Request, SERVICES, Service, ServiceId, ServiceInfo};

/// Whether a body of `content_type` travels as text in the events API Gateway and function
/// URLs build (JSON, XML, JavaScript, forms, YAML, `text/*`); other bodies are base64.
pub fn is_text_media_type(content_type: &str) -> bool {
    let content_type = content_type.to_ascii_lowercase();
    content_type.starts_with("text/")
        || ["json", "xml", "javascript", "x-www-form-urlencoded", "yaml"]
            .iter()
            .any(|kind| content_type.contains(kind))
}

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A response body.
pub type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, Infallible>;

/// A response.
pub type Response = http::Response<Body>;

/// A body holding `bytes`.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    http_body_util::Full::new(bytes.into()).boxed_unsync()
}

/// What a valid access key resolves to.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The secret access key.
    pub secret: String,
    /// The session token temporary credentials must present.
    pub session_token: Option<String>,
    /// Who the key belongs to.
    pub caller: Caller,
}

/// Where the edge looks up access keys.
pub trait Credentials: Send + Sync + 'static {
    /// The identity behind `access_key_id`, `None` when the key is unknown or inactive.
    fn lookup<'a>(
        &'a self,
        access_key_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<Identity>>, String>>;
}
