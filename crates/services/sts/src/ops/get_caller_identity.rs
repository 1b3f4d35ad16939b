//! [GetCallerIdentity](https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html):
//! the account, ARN and unique id of the key that signed the request.

use unkai_edge::Context;
use unkai_types::Caller;

/// Who signed the request.
pub(crate) fn get_caller_identity(context: &Context) -> &Caller {
    &context.caller
}
