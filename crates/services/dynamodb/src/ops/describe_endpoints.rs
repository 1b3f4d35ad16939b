//! [DescribeEndpoints](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeEndpoints.html):
//! the endpoint the request came to.

use serde_json::{Value as Json, json};

use crate::{DynamoDb, Error};

impl DynamoDb {
    pub(crate) async fn describe_endpoints(&self, host: Option<&str>) -> Result<Json, Error> {
        Ok(json!({
            "Endpoints": [{
                "Address": host.unwrap_or("localhost:4566"),
                "CachePeriodInMinutes": 1440,
            }]
        }))
    }
}
