//! Arguments and results of the Cookbook tools.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::nextcloud::cookbook::{Facet, RecipeStub};

fn default_limit() -> usize {
    100
}

/// A recipe id.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RecipeIdArgs {
    /// Recipe id (from nc_cookbook_list_recipes or a search).
    pub recipe_id: i64,
}

/// Arguments of nc_cookbook_import_recipe.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ImportArgs {
    /// Public http(s) address of a web page with a schema.org recipe.
    pub url: String,
}

/// Arguments of nc_cookbook_list_recipes.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListArgs {
    /// Most recipes returned (1-500, default 100).
    #[serde(default = "default_limit")]
    pub limit: usize,
    /// Recipes skipped (paging).
    #[serde(default)]
    pub offset: usize,
}

/// Recipe fields (schema.org Recipe); omitted = unchanged on update.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct RecipeFields {
    /// Short description.
    #[serde(default)]
    pub description: Option<String>,
    /// Ingredients, one per line, e.g. "2 cups flour".
    #[serde(default)]
    pub ingredients: Option<Vec<String>>,
    /// Steps, one per entry.
    #[serde(default)]
    pub instructions: Option<Vec<String>>,
    /// Source address.
    #[serde(default)]
    pub url: Option<String>,
    /// ISO 8601 duration, e.g. PT15M.
    #[serde(default)]
    pub prep_time: Option<String>,
    /// ISO 8601 duration.
    #[serde(default)]
    pub cook_time: Option<String>,
    /// ISO 8601 duration.
    #[serde(default)]
    pub total_time: Option<String>,
    /// Servings.
    #[serde(default)]
    pub recipe_yield: Option<i64>,
    /// Category.
    #[serde(default)]
    pub category: Option<String>,
    /// Comma-separated keywords.
    #[serde(default)]
    pub keywords: Option<String>,
}

/// Arguments of nc_cookbook_create_recipe.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateArgs {
    /// Recipe name (unique in the cookbook).
    pub name: String,
    /// The other fields.
    #[serde(flatten)]
    pub fields: RecipeFields,
}

/// Arguments of nc_cookbook_update_recipe.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateArgs {
    /// Recipe id.
    pub recipe_id: i64,
    /// New name (renames the recipe folder).
    #[serde(default)]
    pub name: Option<String>,
    /// The other fields.
    #[serde(flatten)]
    pub fields: RecipeFields,
}

/// Arguments of nc_cookbook_search_recipes.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchArgs {
    /// Words; a recipe matches when its name, a keyword or its category contains any of them.
    pub query: String,
}

/// Arguments of nc_cookbook_get_recipes_in_category.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CategoryArgs {
    /// Category name; `uncategorized` for recipes without one.
    pub category: String,
}

/// Arguments of nc_cookbook_get_recipes_with_keywords.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct KeywordsArgs {
    /// Exact keywords; recipes carrying all of them are returned.
    pub keywords: Vec<String>,
}

/// Arguments of nc_cookbook_set_config.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ConfigArgs {
    /// Folder of the user's files holding the recipes.
    #[serde(default)]
    pub folder: Option<String>,
    /// Minutes between rescans of the folder.
    #[serde(default)]
    pub update_interval: Option<i64>,
    /// Print recipe images.
    #[serde(default)]
    pub print_image: Option<bool>,
    /// Confirm a folder that holds other .json files (Cookbook moves each into a sub-folder).
    #[serde(default)]
    pub confirm_folder: bool,
}

/// A full recipe.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RecipeView {
    /// Recipe id.
    pub recipe_id: i64,
    /// The schema.org Recipe as stored (extra keys kept).
    pub recipe: Map<String, Value>,
    /// What happened, on writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Recipes as listed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StubList {
    /// Recipes returned.
    pub count: usize,
    /// Recipes in the library (list_recipes) or matching.
    pub total: usize,
    /// Recipes.
    pub recipes: Vec<RecipeStub>,
}

/// Categories or keywords.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FacetList {
    /// Number of entries.
    pub count: usize,
    /// Entries, most recipes first.
    pub entries: Vec<Facet>,
}

/// A message from Cookbook.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Message {
    /// What happened.
    pub message: String,
    /// The settings after the change (set_config).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Map<String, Value>>,
}
