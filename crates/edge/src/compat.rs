//! Operation enums and the compatibility tables generated from them.
//!
//! Each service lists every one of its AWS operations with [`operations!`](crate::operations),
//! implemented or not, and `docs/compat/<service>.md` is rendered from that list by
//! [`table`]; a test in each service keeps the file current.

use std::fmt::Write as _;

use crate::ServiceInfo;

/// How far unkai supports an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Implemented as AWS documents it.
    Full,
    /// Implemented, with the stated differences.
    Partial(&'static str),
    /// Not implemented yet; the note says when or why.
    Planned(&'static str),
    /// Not planned; the note says why.
    No(&'static str),
}

/// Declares a service's operation enum: every AWS operation with its [`Support`].
#[macro_export]
macro_rules! operations {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($op:ident => $support:expr),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $(
                #[doc = concat!("`", stringify!($op), "`")]
                $op
            ),*
        }

        impl $name {
            /// Every operation of the service.
            pub const ALL: &'static [$name] = &[$($name::$op),*];

            /// The AWS name of the operation.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$op => stringify!($op)),*
                }
            }

            /// The operation with this AWS name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($op) => Some($name::$op),)*
                    _ => None,
                }
            }

            /// How far unkai supports it.
            pub fn support(self) -> $crate::compat::Support {
                use $crate::compat::Support::*;
                match self {
                    $($name::$op => $support),*
                }
            }
        }
    };
}

/// Renders the compatibility table of a service.
pub fn table(
    service: &ServiceInfo,
    operations: impl IntoIterator<Item = (&'static str, Support)>,
) -> String {
    let operations: Vec<_> = operations.into_iter().collect();
    let implemented = operations
        .iter()
        .filter(|(_, support)| matches!(support, Support::Full | Support::Partial(_)))
        .count();
    let mut out = format!(
        "# {} compatibility\n\n\
         Generated from the operation enum of the `{}` service (API version {}); do not edit.\n\
         {implemented} of {} operations are implemented.\n\n\
         | operation | status | notes |\n|---|---|---|\n",
        service.name,
        service.name,
        service.api_version,
        operations.len()
    );
    for (name, support) in operations {
        let (status, note) = match support {
            Support::Full => ("✅ implemented", ""),
            Support::Partial(note) => ("🟡 partial", note),
            Support::Planned(note) => ("⏳ planned", note),
            Support::No(note) => ("— not planned", note),
        };
        let _ = writeln!(out, "| {name} | {status} | {note} |");
    }
    out
}

/// Checks that `path` (relative to the repository root) holds `expected`; with
/// `UNKAI_UPDATE_COMPAT=1` in the environment it writes the file instead.
pub fn check_file(repository_root: &std::path::Path, path: &str, expected: &str) {
    let file = repository_root.join(path);
    if std::env::var_os("UNKAI_UPDATE_COMPAT").is_some() {
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).expect("create docs/compat");
        }
        std::fs::write(&file, expected).expect("write the compatibility table");
        return;
    }
    let current = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        current == expected,
        "{path} is out of date; run the tests with UNKAI_UPDATE_COMPAT=1 to regenerate it"
    );
}
