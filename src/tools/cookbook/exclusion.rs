//! `toolsets.files.excluded_tags` for Cookbook: a recipe is a folder in the Cookbook folder
//! (its id is the folder's file id) holding `recipe.json` and its images, so a recipe whose
//! folder carries an excluded tag, holds a tagged file, or lies in a hidden folder does not
//! exist for the Cookbook tools.

use std::collections::HashSet;

use serde_json::Value;

use super::super::files::hidden::Hidden;
use super::super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::cookbook::{Facet, RecipeStub};

/// The hidden recipes of one user, resolved once per call.
#[derive(Debug, Default)]
pub(crate) struct RecipeFilter {
    hidden: Hidden,
    /// Every recipe is hidden (the Cookbook folder itself is).
    all: bool,
    /// Recipe folders holding hidden items (by file id = recipe id).
    holding_hidden: HashSet<i64>,
}

impl RecipeFilter {
    /// Resolves the exclusion; asks for the Cookbook folder only when something is hidden,
    /// and lists it only when something hidden lies inside it.
    pub async fn load(host: &NextcloudMcp, client: &NextcloudClient) -> ToolResult<Self> {
        let hidden = Hidden::load(host, client).await?;
        if !hidden.is_active() {
            return Ok(Self::default());
        }
        let config = client.cookbook_config().await?;
        let folder = config
            .get("folder")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_matches('/')
            .to_string();
        let mut filter = Self {
            all: hidden.is_hidden(&folder),
            ..Self::default()
        };
        if !filter.all && hidden.contains_hidden(&folder) {
            let (_, children) = client.files_list(&folder).await.map_err(|e| {
                ToolError::new(format!(
                    "cannot check the excluded tags in the recipe folder, so no recipe is shown: {e}"
                ))
            })?;
            filter.holding_hidden = children
                .iter()
                .filter(|c| c.is_directory())
                .filter(|c| hidden.is_hidden(&c.path) || hidden.contains_hidden(&c.path))
                .filter_map(|c| c.file_id)
                .collect();
        }
        filter.hidden = hidden;
        Ok(filter)
    }

    /// True when recipe `id` is hidden.
    pub fn is_hidden(&self, id: i64) -> bool {
        self.all || self.hidden.is_hidden_id(id) || self.holding_hidden.contains(&id)
    }

    /// Refuses a hidden recipe.
    pub fn check(&self, id: i64) -> ToolResult<()> {
        if self.is_hidden(id) {
            return Err(ToolError::new(format!(
                "recipe {id} is not available: this server hides it by configuration (toolsets.files.excluded_tags)"
            )));
        }
        Ok(())
    }

    /// True when excluded tags are configured for this user (the only case where a recipe can
    /// be hidden).
    pub fn is_active(&self) -> bool {
        self.all || self.hidden.is_active()
    }

    /// Category or keyword counts without the hidden recipes: each hidden recipe (from the
    /// full list `recipes`) is taken off the entries it is counted in (`labels` gives them),
    /// and entries left with no recipe are dropped, so neither a count nor a name tells that
    /// a hidden recipe exists.
    pub fn recount(
        &self,
        facets: Vec<Facet>,
        recipes: &[RecipeStub],
        labels: impl Fn(&RecipeStub) -> Vec<String>,
    ) -> Vec<Facet> {
        let mut hidden_per_label: std::collections::HashMap<String, i64> = Default::default();
        for stub in recipes {
            let hidden = self.all || stub.id.trim().parse().is_ok_and(|id| self.is_hidden(id));
            if hidden {
                for label in labels(stub) {
                    *hidden_per_label.entry(label).or_default() += 1;
                }
            }
        }
        facets
            .into_iter()
            .filter_map(|mut facet| {
                facet.recipe_count -= hidden_per_label.get(&facet.name).copied().unwrap_or(0);
                (facet.recipe_count > 0).then_some(facet)
            })
            .collect()
    }

    /// Drops hidden recipes from a list.
    pub fn visible(&self, stubs: Vec<RecipeStub>) -> Vec<RecipeStub> {
        stubs
            .into_iter()
            .filter(|s| !s.id.trim().parse().is_ok_and(|id| self.is_hidden(id)))
            .collect()
    }
}
