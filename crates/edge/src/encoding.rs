//! HTTP content codings: compressed request bodies (`Content-Encoding: gzip | deflate`) and
//! compressed responses (`Accept-Encoding`), as DynamoDB does them: responses of 4 KiB and more
//! are compressed when the client accepts it; a body that does not decompress is a 500.

use std::io::Read;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use http_body_util::BodyExt;

use crate::protocol::{self, AwsError, Protocol};
use crate::{Response, ServiceInfo, full};

/// Responses smaller than this are sent as they are.
const COMPRESSION_THRESHOLD: usize = 4096;

/// A content coding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coding {
    Gzip,
    Deflate,
}

impl Coding {
    fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }
}

/// The request body, decompressed as its `Content-Encoding` says.
pub(crate) fn decode_request(
    headers: &HeaderMap,
    body: Bytes,
    service: &ServiceInfo,
) -> Result<Bytes, AwsError> {
    let Some(coding) = headers.get(http::header::CONTENT_ENCODING) else {
        return Ok(body);
    };
    let coding = coding
        .to_str()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let limit = service.max_body as u64 + 1;
    let mut out = Vec::new();
    let read = match coding.as_str() {
        "" | "identity" => return Ok(body),
        "gzip" if !body.is_empty() => flate2::read::MultiGzDecoder::new(body.as_ref())
            .take(limit)
            .read_to_end(&mut out),
        "deflate" if !body.is_empty() => flate2::read::ZlibDecoder::new(body.as_ref())
            .take(limit)
            .read_to_end(&mut out),
        _ => {
            tracing::debug!(
                coding,
                "request with an unsupported or empty content encoding"
            );
            return Err(protocol::internal(service));
        }
    };
    match read {
        Ok(_) if out.len() as u64 >= limit => Err(protocol::too_large(service)),
        Ok(_) => Ok(Bytes::from(out)),
        Err(error) => {
            tracing::debug!(%error, coding, "request body does not decompress");
            Err(protocol::internal(service))
        }
    }
}

/// The quality an `Accept-Encoding` entry's parameters give it, as DynamoDB reads them: the
/// first parameter holding `q=` counts; a value that is not a number means 1, a negative one
/// 0, and anything above 1 is 1.
fn quality<'a>(mut parameters: impl Iterator<Item = &'a str>) -> f64 {
    let Some(value) = parameters.find_map(|p| p.split_once("q=").map(|(_, value)| value)) else {
        return 1.0;
    };
    match value.trim().parse::<f64>() {
        Ok(q) if q.is_nan() => 1.0,
        Ok(q) => q.clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

/// The coding the client accepts for the response, if any, read from the first
/// `Accept-Encoding` header as DynamoDB reads it: the highest quality wins; on a tie a coding
/// named outright beats one allowed by `*`, the earlier named beats the later, and gzip beats
/// deflate.
pub(crate) fn accepted(headers: &HeaderMap) -> Option<Coding> {
    let header = headers.get(http::header::ACCEPT_ENCODING)?.to_str().ok()?;
    // (quality, named outright, position) per coding.
    let mut gzip: Option<(f64, usize)> = None;
    let mut deflate: Option<(f64, usize)> = None;
    let mut wildcard: Option<f64> = None;
    for (position, entry) in header.split(',').enumerate() {
        let mut parts = entry.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = quality(parts);
        let slot = match name.as_str() {
            "gzip" => &mut gzip,
            "deflate" => &mut deflate,
            "*" => {
                wildcard = Some(wildcard.map_or(q, |w: f64| w.max(q)));
                continue;
            }
            _ => continue,
        };
        *slot = Some(match *slot {
            Some((old, at)) if old >= q => (old, at),
            Some((_, at)) => (q, at),
            None => (q, position),
        });
    }
    let rank = |named: Option<(f64, usize)>| -> Option<(f64, bool, usize)> {
        match (named, wildcard) {
            (Some((q, at)), _) => Some((q, true, at)),
            (None, Some(q)) => Some((q, false, usize::MAX)),
            (None, None) => None,
        }
    };
    let candidates = [(Coding::Gzip, rank(gzip)), (Coding::Deflate, rank(deflate))];
    let mut best: Option<(Coding, (f64, bool, usize))> = None;
    for (coding, rank) in candidates {
        let Some(rank) = rank.filter(|(q, ..)| *q > 0.0) else {
            continue;
        };
        let better = match &best {
            None => true,
            Some((_, current)) => {
                rank.0 > current.0
                    || (rank.0 == current.0 && rank.1 && !current.1)
                    || (rank.0 == current.0 && rank.1 == current.1 && rank.2 < current.2)
            }
        };
        if better {
            best = Some((coding, rank));
        }
    }
    best.map(|(coding, _)| coding)
}

/// Compresses a complete response body of JSON services when it is large enough.
pub(crate) async fn compress_response(
    response: Response,
    coding: Coding,
    service: &ServiceInfo,
) -> Response {
    let json = matches!(
        service.protocol,
        Protocol::AwsJson10 | Protocol::AwsJson11 | Protocol::RestJson1
    );
    let size = http_body::Body::size_hint(response.body()).exact();
    if !json || size.is_none_or(|size| (size as usize) < COMPRESSION_THRESHOLD) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await;
    let plain = collected.to_bytes();
    let mut out = Vec::with_capacity(plain.len() / 4);
    let written = match coding {
        Coding::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
            std::io::Write::write_all(&mut encoder, &plain)
                .and_then(|()| encoder.finish().map(|_| ()))
        }
        Coding::Deflate => {
            let mut encoder =
                flate2::write::ZlibEncoder::new(&mut out, flate2::Compression::fast());
            std::io::Write::write_all(&mut encoder, &plain)
                .and_then(|()| encoder.finish().map(|_| ()))
        }
    };
    if written.is_err() {
        return http::Response::from_parts(parts, full(plain));
    }
    parts.headers.insert(
        http::header::CONTENT_ENCODING,
        HeaderValue::from_static(coding.name()),
    );
    parts.headers.remove(http::header::CONTENT_LENGTH);
    if service.crc32 {
        parts
            .headers
            .insert("x-amz-crc32", HeaderValue::from(crc32fast::hash(&out)));
    }
    http::Response::from_parts(parts, full(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceId;

    fn headers(name: &'static str, value: &'static str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, HeaderValue::from_static(value));
        map
    }

    #[test]
    fn request_bodies_decompress_or_fail_as_dynamodb_fails() {
        let dynamodb = ServiceId::DynamoDb.info();
        let text = b"{\"TableName\":\"x\"}";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, text).unwrap();
        let gz = gz.finish().unwrap();
        let decoded = decode_request(
            &headers("content-encoding", "gzip"),
            Bytes::from(gz.clone()),
            dynamodb,
        );
        assert_eq!(decoded.unwrap(), Bytes::from_static(text));
        let truncated = decode_request(
            &headers("content-encoding", "gzip"),
            Bytes::from(gz[..gz.len() - 1].to_vec()),
            dynamodb,
        );
        assert_eq!(truncated.unwrap_err().status, 500);
        let garbage = decode_request(
            &headers("content-encoding", "garbage"),
            Bytes::from_static(text),
            dynamodb,
        );
        assert_eq!(garbage.unwrap_err().status, 500);
        let plain = decode_request(&HeaderMap::new(), Bytes::from_static(text), dynamodb);
        assert_eq!(plain.unwrap(), Bytes::from_static(text));
    }

    #[test]
    fn accept_encoding_is_read_as_dynamodb_reads_it() {
        use Coding::{Deflate, Gzip};
        let cases: &[(&'static str, Option<Coding>)] = &[
            ("identity", None),
            ("", None),
            ("br", None),
            ("x-gzip", None),
            ("gzip, deflate", Some(Gzip)),
            ("br, identity, deflate, gzip", Some(Deflate)),
            ("GZIP, identity", Some(Gzip)),
            ("dog, gzip ,, cat", Some(Gzip)),
            ("gzip;q=0.8, deflate;q=0.5", Some(Gzip)),
            (
                "br, gzip;q=0, deflate; q = 0.5 , identity;q=0",
                Some(Deflate),
            ),
            ("*", Some(Gzip)),
            ("*, deflate;q=0.5", Some(Gzip)),
            ("*, deflate", Some(Deflate)),
            ("*, identity", Some(Gzip)),
            ("*, gzip;q=0.5", Some(Deflate)),
            ("gzip ;q=0", None),
            ("*;q=0", None),
            ("*;q=0.5,identity", Some(Gzip)),
            ("br;q=0.8,identity;q=0.5,*;q=0", None),
            ("\"gzip\"", None),
            ("gzip br", None),
            ("gzip:q=1", None),
            ("deflate;q=0.5, gzip;q=31", Some(Gzip)),
            ("gzip;q=31,deflate;q=51", Some(Gzip)),
            ("deflate;q=0.5, gzip;q=0.2", Some(Deflate)),
            ("deflate;q=0.5, gzip;q=1;q=0.2", Some(Gzip)),
            ("deflate;q=0.5,gzip;q=0.", Some(Deflate)),
            ("deflate;q=0.5,gzip;q=0.x", Some(Gzip)),
            ("deflate;q=0.5,gzip;q=0. x", Some(Gzip)),
            ("deflate;q=-0.5,gzip;q=0.2", Some(Gzip)),
            ("gzip;q= 0;q=1", None),
            ("gzip;q =0;q=1", Some(Gzip)),
            ("gzip; q=0;q=1", None),
            ("gzip;nq=0;q=1", None),
            ("gzip;q=0, gzip;q=1, gzip;q=0", Some(Gzip)),
            ("br,identity;q=0.5,gzip;q=0.0001", Some(Gzip)),
        ];
        for (header, expected) in cases {
            assert_eq!(
                accepted(&headers("accept-encoding", header)),
                *expected,
                "{header:?}"
            );
        }
    }
}
