//! DynamoDB expressions (to be written).
