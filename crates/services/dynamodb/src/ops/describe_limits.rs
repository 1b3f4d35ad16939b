//! [DescribeLimits](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeLimits.html):
//! the default quotas of a region.

use serde_json::{Value as Json, json};

use crate::{DynamoDb, Error};

impl DynamoDb {
    pub(crate) async fn describe_limits(&self) -> Result<Json, Error> {
        Ok(json!({
            "AccountMaxReadCapacityUnits": 80000,
            "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000,
            "TableMaxWriteCapacityUnits": 40000,
        }))
    }
}
