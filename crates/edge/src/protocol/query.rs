//! awsQuery: form-encoded parameters in, XML documents out.

use std::collections::HashMap;

use bytes::Bytes;
use http::StatusCode;
use percent_encoding::percent_decode;

use super::xml::Writer;
use crate::{Request, Response, ServiceInfo};

/// The parameters of an awsQuery request: the URL query and the form body together.
#[derive(Clone, Debug, Default)]
pub struct Params(HashMap<String, String>);

fn form_decode(text: &[u8]) -> String {
    let spaced: Vec<u8> = text
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&spaced).decode_utf8_lossy().into_owned()
}

impl Params {
    /// Parses `query` and a form-encoded `body`.
    pub fn parse(query: Option<&str>, body: &[u8]) -> Self {
        let mut params = HashMap::new();
        for source in [query.unwrap_or("").as_bytes(), body] {
            for pair in source.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
                let mut split = pair.splitn(2, |&b| b == b'=');
                let name = form_decode(split.next().unwrap_or_default());
                let value = form_decode(split.next().unwrap_or_default());
                params.insert(name, value);
            }
        }
        Self(params)
    }

    /// The parameters of an authenticated request.
    pub fn of(request: &Request) -> Self {
        Self::parse(request.parts.uri.query(), &request.body)
    }

    /// A parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The operation.
    pub fn action(&self) -> Option<&str> {
        self.get("Action")
    }
}

/// Renders a successful awsQuery response: `<{op}Response><{op}Result>…</{op}Result>
/// <ResponseMetadata>…</ResponseMetadata></{op}Response>`. `result` writes the result members;
/// `None` leaves the result element out (operations without output).
pub fn respond(
    service: &ServiceInfo,
    operation: &str,
    request_id: &str,
    result: Option<&dyn Fn(&mut Writer)>,
) -> Response {
    let mut doc = Writer::new();
    let root = format!("{operation}Response");
    doc.open_ns(&root, service.xml_namespace);
    if let Some(result) = result {
        let wrapper = format!("{operation}Result");
        doc.open(&wrapper);
        result(&mut doc);
        doc.close(&wrapper);
    }
    doc.open("ResponseMetadata");
    doc.leaf("RequestId", request_id);
    doc.close("ResponseMetadata");
    doc.close(&root);
    super::respond(
        service,
        request_id,
        StatusCode::OK,
        "text/xml",
        Bytes::from(doc.finish()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_body_parameters_merge_and_decode() {
        let params = Params::parse(
            Some("Action=GetUser&Version=2010-05-08"),
            b"UserName=a%2Bb+c&Empty=&Flag",
        );
        assert_eq!(params.action(), Some("GetUser"));
        assert_eq!(params.get("UserName"), Some("a+b c"));
        assert_eq!(params.get("Empty"), Some(""));
        assert_eq!(params.get("Flag"), Some(""));
        assert_eq!(params.get("Missing"), None);
    }
}
