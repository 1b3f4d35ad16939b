//! Projections: ProjectionExpression, and the legacy `AttributesToGet` converted to the same
//! form.
//!
//! A projection keeps the structure of the item: `a.b[2].c` yields `{a: {b: [{c: …}]}}`
//! (the list keeps only the projected elements, in index order). Paths that lead nowhere (a
//! missing attribute, an index past the end, a map key on a list…) contribute nothing, and
//! containers left empty are dropped. Paths may not overlap (`a, a.b`) or conflict
//! (`a.b, a[1]`), and have at most 32 elements.

use super::ast::{Path, PathElement};
use super::parser;
use super::resolve::{PathTree, Resolver};
use super::{Context, ExprKind, check_text};
use crate::Error;
use crate::item::{Item, Value};

/// A parsed, validated projection.
#[derive(Clone, Debug)]
pub struct Projection {
    pub(crate) tree: PathTree,
    pub(crate) paths: Vec<Path>,
}

/// Parses and validates a ProjectionExpression, resolving its placeholders from `ctx`.
pub fn parse_projection(text: &str, ctx: &Context<'_>) -> Result<Projection, Error> {
    let kind = ExprKind::Projection;
    ctx.validate()?;
    check_text(text, kind)?;
    let raw = parser::parse_projection(text).map_err(|message| kind.invalid(message))?;
    let mut resolver = Resolver::new(ctx);
    let mut tree = PathTree::default();
    let mut paths = vec![None; raw.len()];
    // DynamoDB resolves and places the paths from the last to the first.
    for (i, raw_path) in raw.iter().enumerate().rev() {
        let path = resolver
            .path(raw_path)
            .map_err(|message| kind.invalid(message))?;
        tree.insert(&path)
            .map_err(|message| kind.invalid(message))?;
        paths[i] = Some(path);
    }
    Ok(Projection {
        tree,
        paths: paths.into_iter().flatten().collect(),
    })
}

impl Projection {
    /// A projection of whole top-level attributes (`names` must be distinct).
    pub(crate) fn of_attributes(names: &[String]) -> Projection {
        let paths: Vec<Path> = names.iter().map(|name| Path::attribute(name)).collect();
        let tree = PathTree {
            children: paths
                .iter()
                .flat_map(|path| path.0.first().cloned())
                .map(|element| (element, None))
                .collect(),
        };
        Projection { tree, paths }
    }

    /// The projected paths, in text order.
    pub fn paths(&self) -> &[Path] {
        &self.paths
    }

    /// The top-level attributes the projection reads below (`a.b`, `a[1]`).
    pub fn nested_attributes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for path in &self.paths {
            if path.is_nested() && !names.contains(&path.top()) {
                names.push(path.top());
            }
        }
        names
    }

    /// The part of `item` the projection selects.
    pub fn apply(&self, item: &Item) -> Item {
        project_map(&self.tree, item)
    }
}

fn project_map(tree: &PathTree, map: &Item) -> Item {
    let mut out = Item::new();
    for (element, child) in &tree.children {
        let PathElement::Name(name) = element else {
            continue;
        };
        let Some(value) = map.get(name) else {
            continue;
        };
        let projected = match child {
            None => Some(value.clone()),
            Some(child) => project_value(child, value),
        };
        if let Some(projected) = projected {
            out.insert(name.clone(), projected);
        }
    }
    out
}

fn project_value(tree: &PathTree, value: &Value) -> Option<Value> {
    match value {
        Value::M(map) => {
            let projected = project_map(tree, map);
            (!projected.is_empty()).then_some(Value::M(projected))
        }
        Value::L(list) => {
            let mut elements: Vec<(usize, Value)> = Vec::new();
            for (element, child) in &tree.children {
                let PathElement::Index(index) = element else {
                    continue;
                };
                let Some(value) = list.get(*index) else {
                    continue;
                };
                let projected = match child {
                    None => Some(value.clone()),
                    Some(child) => project_value(child, value),
                };
                if let Some(projected) = projected {
                    elements.push((*index, projected));
                }
            }
            elements.sort_by_key(|(index, _)| *index);
            (!elements.is_empty()).then(|| Value::L(elements.into_iter().map(|(_, v)| v).collect()))
        }
        _ => None,
    }
}
