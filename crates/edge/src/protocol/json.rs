//! awsJson 1.0 / 1.1: a JSON body in, a JSON body out, the operation in `X-Amz-Target`.

use bytes::Bytes;
use http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{AwsError, Protocol};
use crate::{Request, Response, ServiceInfo};

/// The operation named by `X-Amz-Target` (`DynamoDB_20120810.GetItem` → `GetItem`), when the
/// prefix is the service's.
pub fn operation<'a>(service: &ServiceInfo, request: &'a Request) -> Option<&'a str> {
    let target = request
        .parts
        .headers
        .get(&super::X_AMZ_TARGET)?
        .to_str()
        .ok()?;
    let (prefix, operation) = target.split_once('.')?;
    (Some(prefix) == service.target_prefix).then_some(operation)
}

/// The error for a body that is not the JSON the operation takes.
pub fn serialization_error(message: Option<String>) -> AwsError {
    AwsError::framework(400, "SerializationException", message)
}

/// Decodes a request body; an empty body is an empty object, as the SDKs send for operations
/// without input.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, AwsError> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|error| {
        let message = match error.classify() {
            serde_json::error::Category::Data => Some(error.to_string()),
            _ => None,
        };
        serialization_error(message)
    })
}

/// A successful response carrying `output`.
pub fn respond<T: Serialize>(service: &ServiceInfo, request_id: &str, output: &T) -> Response {
    let body = serde_json::to_vec(output).expect("output shapes serialize");
    let content_type = match service.protocol {
        Protocol::AwsJson11 => "application/x-amz-json-1.1",
        _ => "application/x-amz-json-1.0",
    };
    super::respond(
        service,
        request_id,
        StatusCode::OK,
        content_type,
        Bytes::from(body),
    )
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;
    use crate::ServiceId;

    #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Input {
        table_name: String,
        #[serde(default)]
        limit: Option<u32>,
    }

    #[test]
    fn bodies_decode_or_fail_as_serialization_exceptions() {
        let input: Input = decode(br#"{"TableName":"t","Limit":5}"#).unwrap();
        assert_eq!(
            input,
            Input {
                table_name: "t".into(),
                limit: Some(5)
            }
        );
        let malformed = decode::<Input>(b"{not json").unwrap_err();
        assert_eq!(malformed.code, "SerializationException");
        assert_eq!(malformed.message, None);
        let wrong_type = decode::<Input>(br#"{"TableName":5}"#).unwrap_err();
        assert!(wrong_type.message.unwrap().contains("invalid type"));
        #[derive(serde::Deserialize)]
        struct Empty {}
        assert!(decode::<Empty>(b"").is_ok());
    }

    #[tokio::test]
    async fn responses_carry_content_type_request_id_and_crc() {
        let dynamodb = ServiceId::DynamoDb.info();
        let response = respond(dynamodb, "id-1", &serde_json::json!({"TableNames": []}));
        assert_eq!(
            response.headers()["content-type"],
            "application/x-amz-json-1.0"
        );
        assert_eq!(response.headers()["x-amzn-requestid"], "id-1");
        let crc = response.headers()["x-amz-crc32"]
            .to_str()
            .unwrap()
            .to_string();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(crc, crc32fast::hash(&body).to_string());
        let error = crate::protocol::error_response(dynamodb, "id", &serialization_error(None));
        assert_eq!(
            error.headers()["x-amz-crc32"],
            "3948637019",
            "the CRC AWS sends for this body"
        );
        let logs = respond(ServiceId::Logs.info(), "id-2", &serde_json::json!({}));
        assert_eq!(logs.headers()["content-type"], "application/x-amz-json-1.1");
        assert!(logs.headers().get("x-amz-crc32").is_none());
    }
}
