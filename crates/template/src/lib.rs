//! SAM and CloudFormation templates, from the text a user uploads to the plan a stack is
//! provisioned from. Pure: no clock, no network, no store; the only file it reads is an
//! OpenAPI document [`localize`] inlines.
//!
//! The path through the crate, in the order the CloudFormation service calls it:
//! - [`parse`] reads JSON or YAML, turning YAML short-form tags (`!Ref`, `!Sub`, …) into the
//!   long forms, so everything after works on one JSON [`Value`];
//! - [`localize`] rewrites local code paths to absolute ones (what `sam build` and
//!   `aws cloudformation package` do before a deploy);
//! - [`expand_sam`] is the `AWS::Serverless-2016-10-31` transform, producing the plain
//!   template CloudFormation calls the "processed template";
//! - [`prepare`] validates the structure, resolves parameters, evaluates conditions and orders
//!   resources by their dependencies into a [`Prepared`] plan;
//! - [`resolve`] evaluates the intrinsic functions of one resource's properties (or an output)
//!   against what already exists, through a [`Lookup`].
//!
//! Architecture invariant: every error a user can cause is an [`Error`] whose text is the
//! message CloudFormation (or the SAM transform) prints for the same mistake, because users
//! and tools match on it.
#![deny(missing_docs)]

mod localize;
mod parse;
mod pattern;
mod prepare;
mod resolve;
mod sam;

use std::collections::{BTreeMap, BTreeSet};

pub use localize::localize;
pub use parse::parse;
pub use prepare::prepare;
pub use resolve::resolve;
pub use sam::{expand_sam, is_sam};
pub use serde_json::Value;

/// A template error; Display is CloudFormation's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Error(pub String);

impl Error {
    /// An error with CloudFormation's message `message`.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

/// The stack a template is prepared for.
// PartialEq/Eq beyond the brief's Clone/Debug: Prepared derives PartialEq and holds a Stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stack {
    /// The stack's name (`AWS::StackName`).
    pub name: String,
    /// The stack ARN (`AWS::StackId`).
    pub id: String,
    /// The account the stack lives in (`AWS::AccountId`).
    pub account_id: String,
    /// The region the stack lives in (`AWS::Region`).
    pub region: String,
    /// Parameter values given by the user (overrides); the rest take their Default.
    pub parameters: BTreeMap<String, String>,
}

/// One resource to provision, its properties still holding intrinsics that refer to other resources.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// The resource's name in the template.
    pub logical_id: String,
    /// `AWS::Service::Type`.
    pub resource_type: String,
    /// The resource's `Properties`, `{}` when absent; intrinsics are evaluated by [`resolve`].
    pub properties: Value,
    /// Explicit DependsOn plus every Ref/GetAtt/Sub reference to another resource.
    pub depends_on: BTreeSet<String>,
    /// `DeletionPolicy` (`Delete`, `Retain`, `Snapshot`, …) when the template sets one.
    pub deletion_policy: Option<String>,
    /// The resource's `Metadata`, as written.
    pub metadata: Option<Value>,
}

/// A template checked and evaluated as far as it can be before any resource exists.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// Resolved parameter values (String, or a list for CommaDelimitedList / List<...>), pseudo
    /// parameters not included.
    pub parameters: BTreeMap<String, Value>,
    /// Every condition of the template and whether it holds.
    pub conditions: BTreeMap<String, bool>,
    /// Resources whose Condition holds, in an order where each comes after everything it depends on
    /// (deterministic: ties broken by template order, which is the order of the Resources map,
    /// by logical id). Delete in reverse.
    pub resources: Vec<Planned>,
    /// Outputs whose Condition holds.
    pub outputs: Vec<PlannedOutput>,
    /// The (expanded) template, for GetTemplate/FindInMap etc.
    pub template: Value,
    /// The stack the template was prepared for.
    pub stack: Stack,
}

/// One output whose Condition holds, its value and export name still holding intrinsics.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedOutput {
    /// The output's key in the template.
    pub key: String,
    /// The output's `Value`, with intrinsics.
    pub value: Value,
    /// The output's `Description`.
    pub description: Option<String>,
    /// `Export.Name`, with intrinsics, when the output is exported.
    pub export: Option<Value>,
}

/// What already exists, for resolving references to resources.
pub trait Lookup {
    /// The physical id `Ref` returns for a resource (None when it does not exist yet).
    fn reference(&self, logical_id: &str) -> Option<String>;
    /// A `Fn::GetAtt` attribute (None when unknown).
    fn attribute(&self, logical_id: &str, attribute: &str) -> Option<Value>;
    /// The value of an export of another stack (`Fn::ImportValue`).
    fn import(&self, export: &str) -> Option<String>;
}
