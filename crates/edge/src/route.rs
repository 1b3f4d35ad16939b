//! Which service a request is for: the SigV4 credential scope, then `X-Amz-Target`, then the
//! query `Action` (awsQuery), then the path.

use http::HeaderMap;

use crate::{SERVICES, ServiceId};

/// The service a signed request is for, from its signing name; `None` for a signing name
/// unkai does not serve. Services that share a signing name are told apart by target or path.
pub fn by_scope(signing_name: &str, headers: &HeaderMap, path: &str) -> Option<ServiceId> {
    match signing_name {
        "dynamodb" if target(headers).is_some_and(|t| t.starts_with("DynamoDBStreams_")) => {
            Some(ServiceId::DynamoDbStreams)
        }
        "apigateway" if path.starts_with("/v2/") => Some(ServiceId::ApiGatewayV2),
        name => SERVICES
            .iter()
            .find(|info| info.signing_name == name)
            .map(|info| info.id),
    }
}

fn target(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(&crate::protocol::X_AMZ_TARGET)
        .and_then(|v| v.to_str().ok())
}

/// The service an `X-Amz-Target` header names, and the operation.
pub fn by_target(headers: &HeaderMap) -> Option<(ServiceId, &str)> {
    let (prefix, operation) = target(headers)?.split_once('.')?;
    let service = SERVICES
        .iter()
        .find(|info| info.target_prefix == Some(prefix))?;
    Some((service.id, operation))
}

/// Whether the request looks like awsQuery: a form body or an `Action` in the URL.
pub fn is_query(headers: &HeaderMap, query: Option<&str>) -> bool {
    let form = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    form || query.is_some_and(|q| q.split('&').any(|pair| pair.starts_with("Action=")))
}

/// The REST service a path belongs to; S3 serves every other path.
pub fn by_path(path: &str) -> ServiceId {
    const PREFIXES: &[(&str, ServiceId)] = &[
        ("/2015-03-31/", ServiceId::Lambda),
        ("/2016-08-19/", ServiceId::Lambda),
        ("/2017-03-31/", ServiceId::Lambda),
        ("/2017-10-31/", ServiceId::Lambda),
        ("/2018-10-31/", ServiceId::Lambda),
        ("/2019-09-25/", ServiceId::Lambda),
        ("/2019-09-30/", ServiceId::Lambda),
        ("/2020-04-22/", ServiceId::Lambda),
        ("/2020-06-30/", ServiceId::Lambda),
        ("/2021-10-31/", ServiceId::Lambda),
        ("/restapis", ServiceId::ApiGateway),
        ("/apikeys", ServiceId::ApiGateway),
        ("/usageplans", ServiceId::ApiGateway),
        ("/domainnames", ServiceId::ApiGateway),
        ("/account", ServiceId::ApiGateway),
        ("/v2/", ServiceId::ApiGatewayV2),
        ("/@connections", ServiceId::ApiGatewayManagement),
        ("/schedules", ServiceId::Scheduler),
        ("/schedule-groups", ServiceId::Scheduler),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map_or(ServiceId::S3, |(_, service)| *service)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn signing_names_pick_services_and_targets_split_shared_ones() {
        let none = HeaderMap::new();
        assert_eq!(by_scope("sts", &none, "/"), Some(ServiceId::Sts));
        assert_eq!(
            by_scope("states", &none, "/"),
            Some(ServiceId::StepFunctions)
        );
        assert_eq!(
            by_scope("monitoring", &none, "/"),
            Some(ServiceId::CloudWatch)
        );
        assert_eq!(by_scope("ec2", &none, "/"), None);
        let streams = headers(&[("x-amz-target", "DynamoDBStreams_20120810.GetRecords")]);
        assert_eq!(
            by_scope("dynamodb", &streams, "/"),
            Some(ServiceId::DynamoDbStreams)
        );
        let table = headers(&[("x-amz-target", "DynamoDB_20120810.GetItem")]);
        assert_eq!(by_scope("dynamodb", &table, "/"), Some(ServiceId::DynamoDb));
        assert_eq!(
            by_scope("apigateway", &none, "/v2/apis"),
            Some(ServiceId::ApiGatewayV2)
        );
        assert_eq!(
            by_scope("apigateway", &none, "/restapis"),
            Some(ServiceId::ApiGateway)
        );
        assert_eq!(by_target(&table), Some((ServiceId::DynamoDb, "GetItem")));
        assert_eq!(by_target(&headers(&[("x-amz-target", "Nope.X")])), None);
    }

    #[test]
    fn unsigned_requests_route_by_form_or_path() {
        let form = headers(&[(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )]);
        assert!(is_query(&form, None));
        assert!(is_query(
            &HeaderMap::new(),
            Some("Version=1&Action=GetCallerIdentity")
        ));
        assert!(!is_query(&HeaderMap::new(), Some("list-type=2")));
        assert_eq!(by_path("/2015-03-31/functions/"), ServiceId::Lambda);
        assert_eq!(by_path("/v2/apis"), ServiceId::ApiGatewayV2);
        assert_eq!(by_path("/my-bucket/key"), ServiceId::S3);
    }
}
