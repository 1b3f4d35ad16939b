//! Tests of the expression engine, mostly mirroring cases DynamoDB is known to handle a
//! particular way.

mod condition;
mod key_condition;
mod legacy;
mod projection;
mod request;
mod support;
mod update;
