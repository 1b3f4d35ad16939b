//! The AWS wire protocols: how each renders errors, and codec helpers the services share.
//!
//! Error envelopes, per protocol (see `docs/design/0002-edge.md` for the sources):
//! - awsQuery: `<ErrorResponse xmlns=…><Error><Type/><Code/><Message/></Error><RequestId/>`
//! - awsJson 1.0/1.1: `{"__type": …, "message": …}`; 1.0 qualifies the type with a namespace
//! - restJson1: `x-amzn-ErrorType` header and `{"message": …}`
//! - restXml (S3): `<Error><Code/><Message/><RequestId/><HostId/></Error>`

pub mod json;
pub mod query;
pub mod rest;
pub mod xml;

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderValue, StatusCode};

use crate::sigv4::Problem;
use crate::{Response, ServiceInfo, full};

/// A wire protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// Form-encoded requests with `Action`, XML responses (STS, IAM, SNS, CloudFormation).
    AwsQuery,
    /// JSON with `X-Amz-Target`, `application/x-amz-json-1.0` (DynamoDB, SQS, Step Functions).
    AwsJson10,
    /// The same with `application/x-amz-json-1.1` (Logs, Kinesis, EventBridge).
    AwsJson11,
    /// REST with JSON bodies (Lambda, API Gateway, Scheduler).
    RestJson1,
    /// REST with XML bodies (S3).
    RestXml,
}

/// `X-Amz-Target`: the operation of an awsJson request.
pub const X_AMZ_TARGET: http::HeaderName = http::HeaderName::from_static("x-amz-target");

/// Who is at fault, as awsQuery's `<Type>` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The caller (4xx).
    Sender,
    /// The service (5xx).
    Receiver,
}

/// An error as it goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The error code (`ValidationException`, `NoSuchEntity`).
    pub code: Cow<'static, str>,
    /// The message, when there is one.
    pub message: Option<String>,
    /// Whether it is a framework error (authentication, unknown operation), which awsJson 1.0
    /// qualifies with `com.amazon.coral.service#` rather than the service's namespace.
    pub framework: bool,
    /// awsJson 1.0: the namespace that qualifies the type instead (`com.amazon.coral.validate#`).
    pub namespace: Option<&'static str>,
    /// JSON protocols: the member that carries the message (`message`, or `Message` where the
    /// service models it so).
    pub message_key: &'static str,
    /// JSON protocols: further members of the error body (`Item`, `CancellationReasons`).
    pub fields: serde_json::Map<String, serde_json::Value>,
}

impl AwsError {
    /// A service error.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            message: Some(message.into()),
            framework: false,
            namespace: None,
            message_key: "message",
            fields: serde_json::Map::new(),
        }
    }

    pub(crate) fn framework(status: u16, code: &'static str, message: Option<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).expect("literal statuses are valid"),
            code: Cow::Borrowed(code),
            message,
            framework: true,
            namespace: None,
            message_key: "message",
            fields: serde_json::Map::new(),
        }
    }

    /// Who is at fault.
    pub fn fault(&self) -> Fault {
        if self.status.is_server_error() {
            Fault::Receiver
        } else {
            Fault::Sender
        }
    }
}

/// An error type of one service: every variant has its AWS code and HTTP status.
pub trait ServiceError: std::fmt::Display {
    /// The AWS error code.
    fn code(&self) -> &'static str;
    /// The HTTP status.
    fn status(&self) -> StatusCode;
    /// The message sent to the client (AWS's wording); by default the `Display` text; `None`
    /// for errors AWS sends without one.
    fn message(&self) -> Option<String> {
        Some(self.to_string())
    }
    /// awsJson 1.0: a namespace other than the service's for the error type.
    fn namespace(&self) -> Option<&'static str> {
        None
    }
    /// JSON protocols: the member that carries the message.
    fn message_key(&self) -> &'static str {
        "message"
    }
    /// JSON protocols: further members of the error body.
    fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }
}

impl<E: ServiceError> From<&E> for AwsError {
    fn from(error: &E) -> Self {
        AwsError {
            status: error.status(),
            code: error.code().into(),
            message: error.message(),
            framework: false,
            namespace: error.namespace(),
            message_key: error.message_key(),
            fields: error.fields(),
        }
    }
}

const STANDARD_MISMATCH: &str = "The request signature we calculated does not match the \
    signature you provided. Check your AWS Secret Access Key and signing method. Consult the \
    service documentation for details.";
const INVALID_TOKEN: &str = "The security token included in the request is invalid";

/// The error AWS returns for an authentication problem, in the family of `service`.
pub fn auth_error(service: &ServiceInfo, problem: &Problem) -> AwsError {
    use Protocol::*;
    let protocol = service.protocol;
    // (status, code) for awsQuery, awsJson and restJson1 front-ends.
    let coral = |query: (u16, &'static str),
                 json: (u16, &'static str),
                 rest: (u16, &'static str),
                 message: Option<String>| {
        let (status, code) = match protocol {
            AwsQuery => query,
            AwsJson10 | AwsJson11 => json,
            RestJson1 | RestXml => rest,
        };
        AwsError::framework(status, code, message)
    };
    if protocol == RestXml {
        return s3_auth_error(problem);
    }
    match problem {
        Problem::Missing => coral(
            (403, "MissingAuthenticationToken"),
            (400, "MissingAuthenticationTokenException"),
            (403, "MissingAuthenticationTokenException"),
            Some(if protocol == RestJson1 {
                "Missing Authentication Token".into()
            } else {
                "Request is missing Authentication Token".into()
            }),
        ),
        Problem::Incomplete(message) => coral(
            (400, "IncompleteSignature"),
            (400, "IncompleteSignatureException"),
            (403, "IncompleteSignatureException"),
            Some(message.clone()),
        ),
        Problem::Invalid(message) | Problem::Expired(message) => coral(
            (403, "SignatureDoesNotMatch"),
            (400, "InvalidSignatureException"),
            (403, "InvalidSignatureException"),
            Some(message.clone()),
        ),
        Problem::PresignExpired => coral(
            (403, "SignatureDoesNotMatch"),
            (400, "InvalidSignatureException"),
            (403, "InvalidSignatureException"),
            Some("Signature expired".into()),
        ),
        Problem::UnknownKey => coral(
            (403, "InvalidClientTokenId"),
            (400, "UnrecognizedClientException"),
            (403, "UnrecognizedClientException"),
            Some(format!("{INVALID_TOKEN}.")),
        ),
        Problem::BadToken => coral(
            (403, "InvalidClientTokenId"),
            (400, "UnrecognizedClientException"),
            (403, "UnrecognizedClientException"),
            Some(INVALID_TOKEN.into()),
        ),
        Problem::Mismatch {
            canonical_request,
            string_to_sign,
        } => {
            let detailed = format!(
                "{STANDARD_MISMATCH}\n\nThe Canonical String for this request should have \
                 been\n'{canonical_request}'\n\nThe String-to-Sign should have been\n\
                 '{string_to_sign}'\n"
            );
            coral(
                (403, "SignatureDoesNotMatch"),
                (400, "InvalidSignatureException"),
                (403, "InvalidSignatureException"),
                Some(if protocol == AwsQuery {
                    STANDARD_MISMATCH.into()
                } else {
                    detailed
                }),
            )
        }
    }
}

fn s3_auth_error(problem: &Problem) -> AwsError {
    let (status, code, message): (u16, &'static str, String) = match problem {
        Problem::Missing => (403, "AccessDenied", "Access Denied".into()),
        Problem::Incomplete(message) | Problem::Invalid(message) => {
            (400, "AuthorizationHeaderMalformed", message.clone())
        }
        Problem::UnknownKey => (
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.".into(),
        ),
        Problem::BadToken => (
            400,
            "InvalidToken",
            "The provided token is malformed or otherwise invalid.".into(),
        ),
        Problem::Mismatch { .. } => (
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. \
             Check your key and signing method."
                .into(),
        ),
        Problem::Expired(_) => (
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.".into(),
        ),
        Problem::PresignExpired => (403, "AccessDenied", "Request has expired".into()),
    };
    AwsError::framework(status, code, Some(message))
}

/// An operation the service does not have.
pub fn unknown_operation(service: &ServiceInfo, operation: &str) -> AwsError {
    match service.protocol {
        Protocol::AwsQuery => AwsError::framework(
            400,
            "InvalidAction",
            Some(format!(
                "Could not find operation {operation} for version {}",
                service.api_version
            )),
        ),
        Protocol::AwsJson10 | Protocol::AwsJson11 => {
            AwsError::framework(400, "UnknownOperationException", None)
        }
        Protocol::RestJson1 => AwsError::framework(
            404,
            "UnknownOperationException",
            Some("Unknown operation".into()),
        ),
        Protocol::RestXml => AwsError::framework(
            405,
            "MethodNotAllowed",
            Some("The specified method is not allowed against this resource.".into()),
        ),
    }
}

/// An AWS operation (or a whole service) unkai does not implement yet.
pub fn not_implemented(service: &ServiceInfo, operation: Option<&str>) -> AwsError {
    let what = match operation {
        Some(operation) => format!("{} {operation}", service.name),
        None => format!("the {} service", service.name),
    };
    let code = match service.protocol {
        Protocol::AwsQuery | Protocol::RestXml => "NotImplemented",
        _ => "NotImplementedException",
    };
    AwsError::framework(
        501,
        code,
        Some(format!(
            "unkai does not implement {what} yet; docs/compat/{}.md lists what it does",
            service.name
        )),
    )
}

/// A request body over the service's limit.
pub fn too_large(service: &ServiceInfo) -> AwsError {
    let (status, code) = match service.protocol {
        Protocol::AwsQuery => (413, "RequestEntityTooLarge"),
        Protocol::RestXml => (400, "EntityTooLarge"),
        _ => (413, "RequestEntityTooLargeException"),
    };
    AwsError::framework(
        status,
        code,
        Some(format!(
            "Request body is larger than the limit of {} bytes",
            service.max_body
        )),
    )
}

/// A failure inside unkai. The details go to the log, not to the client.
pub fn internal(service: &ServiceInfo) -> AwsError {
    match service.protocol {
        Protocol::RestXml => AwsError::framework(
            500,
            "InternalError",
            Some("We encountered an internal error. Please try again.".into()),
        ),
        _ => AwsError::framework(
            500,
            "InternalFailure",
            Some(
                "The request processing has failed because of an unknown error, exception or \
                 failure."
                    .into(),
            ),
        ),
    }
}

/// Renders `error` as `service`'s protocol does.
pub fn error_response(service: &ServiceInfo, request_id: &str, error: &AwsError) -> Response {
    let (content_type, body) = match service.protocol {
        Protocol::AwsQuery => {
            let mut doc = xml::Writer::new();
            doc.open_ns("ErrorResponse", service.xml_namespace);
            doc.open("Error");
            doc.leaf(
                "Type",
                match error.fault() {
                    Fault::Sender => "Sender",
                    Fault::Receiver => "Receiver",
                },
            );
            doc.leaf("Code", &error.code);
            if let Some(message) = &error.message {
                doc.leaf("Message", message);
            }
            doc.close("Error");
            doc.leaf("RequestId", request_id);
            doc.close("ErrorResponse");
            ("text/xml", doc.finish())
        }
        Protocol::AwsJson10 | Protocol::AwsJson11 => {
            let namespace = match (service.protocol, error.namespace, error.framework) {
                (Protocol::AwsJson10, Some(namespace), _) => Some(namespace),
                (Protocol::AwsJson10, None, true) => Some("com.amazon.coral.service#"),
                (Protocol::AwsJson10, None, false) => service.error_namespace,
                _ => None,
            };
            let mut body = serde_json::Map::new();
            body.insert(
                "__type".into(),
                format!("{}{}", namespace.unwrap_or(""), error.code).into(),
            );
            if let Some(message) = &error.message {
                body.insert(error.message_key.into(), message.clone().into());
            }
            body.extend(error.fields.clone());
            let body = serde_json::Value::Object(body);
            let content_type = if service.protocol == Protocol::AwsJson10 {
                "application/x-amz-json-1.0"
            } else {
                "application/x-amz-json-1.1"
            };
            (content_type, body.to_string())
        }
        Protocol::RestJson1 => {
            let mut body = serde_json::Map::new();
            if let Some(message) = &error.message {
                body.insert(error.message_key.into(), message.clone().into());
            }
            body.extend(error.fields.clone());
            (
                "application/json",
                serde_json::Value::Object(body).to_string(),
            )
        }
        Protocol::RestXml => {
            let mut doc = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
            xml::push_leaf(&mut doc, "Code", &error.code);
            if let Some(message) = &error.message {
                xml::push_leaf(&mut doc, "Message", message);
            }
            xml::push_leaf(&mut doc, "RequestId", request_id);
            xml::push_leaf(&mut doc, "HostId", request_id);
            doc.push_str("</Error>");
            ("application/xml", doc)
        }
    };
    let mut response = respond(service, request_id, error.status, content_type, body.into());
    let json = matches!(
        service.protocol,
        Protocol::AwsJson10 | Protocol::AwsJson11 | Protocol::RestJson1
    );
    if let (true, Ok(value)) = (json, HeaderValue::from_str(&error.code)) {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    response
}

// Header names made once, not parsed on every response.
const X_AMZ_REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-amz-request-id");
const X_AMZ_ID_2: http::HeaderName = http::HeaderName::from_static("x-amz-id-2");
const X_AMZN_REQUESTID: http::HeaderName = http::HeaderName::from_static("x-amzn-requestid");
const X_AMZ_CRC32: http::HeaderName = http::HeaderName::from_static("x-amz-crc32");

/// A response with the headers every response of `service` carries: the request id (and,
/// for DynamoDB, the body's CRC32).
pub fn respond(
    service: &ServiceInfo,
    request_id: &str,
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
) -> Response {
    let mut response = http::Response::new(());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        if service.protocol == Protocol::RestXml {
            headers.insert(X_AMZ_REQUEST_ID, id.clone());
            headers.insert(X_AMZ_ID_2, id);
        } else {
            headers.insert(X_AMZN_REQUESTID, id);
        }
    }
    if matches!(service.protocol, Protocol::AwsJson10 | Protocol::AwsJson11) {
        // What DynamoDB and the other awsJson services send, errors included.
        headers.insert(http::header::SERVER, HeaderValue::from_static("Server"));
    }
    if service.crc32 {
        headers.insert(X_AMZ_CRC32, HeaderValue::from(crc32fast::hash(&body)));
    }
    response.map(|()| full(body))
}

#[cfg(test)]
mod tests;
