//! Cookbook toolset: recipes, categories, keywords, search, import, config and reindex, with
//! the reference server's `nc_cookbook_*` names. Updates read the stored recipe, merge the
//! given fields and write it back with its id; imports are checked here before the Nextcloud
//! server fetches the page; moving the recipe folder onto a folder with other JSON files needs
//! confirmation.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use serde_json::{Map, Value, json};

use super::support::require_probed_app;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::cookbook::{Facet, RecipeStub, VERSION_PATH};

mod exclusion;
mod views;

use exclusion::RecipeFilter;

pub use views::*;

const MAX_LIST: usize = 500;

impl NextcloudMcp {
    /// A client for Cookbook: present when the `cookbook` capability exists (0.11.5+), else
    /// when its version route answers (older versions are not hidden).
    pub(crate) async fn cookbook_client(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<NextcloudClient> {
        let client = self.client(ctx)?;
        if !matches!(client.app_capability("cookbook").await, Ok(Some(_))) {
            require_probed_app(&client, "cookbook", "Cookbook", VERSION_PATH).await?;
        }
        Ok(client)
    }
}

/// The recipe, or "not found" (the app's 404 body is the bare id).
pub(crate) async fn read_recipe(
    client: &NextcloudClient,
    id: i64,
) -> ToolResult<Map<String, Value>> {
    match client.cookbook_recipe(id).await {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ToolError::new(format!(
            "Cookbook answered recipe {id} with {other} instead of a recipe"
        ))),
        Err(err) if err.status() == Some(404) => Err(ToolError::new(format!(
            "recipe {id} not found in your cookbook; find ids with nc_cookbook_list_recipes or nc_cookbook_search_recipes"
        ))),
        Err(err) => Err(err.into()),
    }
}

fn view(id: i64, mut recipe: Map<String, Value>, message: Option<String>) -> RecipeView {
    // Web-UI routes, not API routes.
    recipe.remove("imageUrl");
    recipe.remove("imagePlaceholderUrl");
    RecipeView {
        recipe_id: id,
        recipe,
        message,
    }
}

fn check_duration(arg: &str, value: &Option<String>) -> ToolResult<()> {
    if let Some(v) = value {
        let ok = v.starts_with('P')
            && v.len() > 1
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_digit() || "YMWDTHS.".contains(c));
        if !ok {
            return Err(ToolError::invalid(
                arg,
                format!("{v:?} is not an ISO 8601 duration such as PT15M or PT1H30M"),
            ));
        }
    }
    Ok(())
}

/// Writes the given fields into a schema.org recipe.
fn merge(recipe: &mut Map<String, Value>, name: Option<String>, f: RecipeFields) -> ToolResult<()> {
    check_duration("prep_time", &f.prep_time)?;
    check_duration("cook_time", &f.cook_time)?;
    check_duration("total_time", &f.total_time)?;
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            recipe.insert(key.into(), v);
        }
    };
    set("name", name.map(Value::from));
    set("description", f.description.map(Value::from));
    set("recipeIngredient", f.ingredients.map(|v| json!(v)));
    set("recipeInstructions", f.instructions.map(|v| json!(v)));
    set("url", f.url.map(Value::from));
    set("prepTime", f.prep_time.map(Value::from));
    set("cookTime", f.cook_time.map(Value::from));
    set("totalTime", f.total_time.map(Value::from));
    set("recipeYield", f.recipe_yield.map(Value::from));
    set("recipeCategory", f.category.map(Value::from));
    set("keywords", f.keywords.map(Value::from));
    Ok(())
}

fn stub_list(all: Vec<RecipeStub>) -> StubList {
    StubList {
        count: all.len(),
        total: all.len(),
        recipes: all,
    }
}

fn facet_list(mut entries: Vec<Facet>) -> FacetList {
    entries.sort_by(|a, b| {
        b.recipe_count
            .cmp(&a.recipe_count)
            .then(a.name.cmp(&b.name))
    });
    FacetList {
        count: entries.len(),
        entries,
    }
}

/// Refuses addresses the Nextcloud server should not be asked to fetch: not http(s), with a
/// user name, `localhost`/`.local`/`.internal` hosts and IP literals (private or not: a recipe
/// site has a name).
fn check_import_url(raw: &str) -> ToolResult<String> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| ToolError::invalid("url", format!("not an address: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ToolError::invalid("url", "only http and https addresses"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ToolError::invalid(
            "url",
            "no user name or password in the address",
        ));
    }
    match url.host() {
        Some(url::Host::Domain(host)) => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            if host == "localhost"
                || !host.contains('.')
                || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                    .iter()
                    .any(|s| host.ends_with(s))
            {
                return Err(ToolError::invalid(
                    "url",
                    format!(
                        "{host} is a local name; the Nextcloud server fetches imports, so only public web sites are allowed"
                    ),
                ));
            }
        }
        Some(_) => {
            return Err(ToolError::invalid(
                "url",
                "IP addresses are not allowed; the Nextcloud server fetches imports, so give the recipe site's public name",
            ));
        }
        None => return Err(ToolError::invalid("url", "no host")),
    }
    Ok(url.to_string())
}

#[tool_router(router = cookbook_router, vis = "pub")]
impl NextcloudMcp {
    /// Import a recipe from a public web page into Cookbook. The Nextcloud server (not this one) downloads the page; local and IP addresses are refused. Returns the stored recipe.
    #[tool(
        name = "nc_cookbook_import_recipe",
        input_schema = crate::tools::catalogue::input::<ImportArgs>(),
        output_schema = crate::tools::catalogue::output::<RecipeView>(),
        annotations(
            title = "Import a recipe from a web page",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_import_recipe(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ImportArgs>,
    ) -> Result<Json<RecipeView>, ToolError> {
        let url = check_import_url(&args.url)?;
        let client = self.cookbook_client(&ctx).await?;
        let recipe = match client.cookbook_import(&url).await? {
            Value::Object(map) => map,
            other => return Err(ToolError::new(format!("Cookbook answered {other}"))),
        };
        let id = recipe
            .get("id")
            .and_then(|v| v.as_str().and_then(|s| s.parse().ok()).or(v.as_i64()))
            .unwrap_or_default();
        Ok(Json(view(id, recipe, Some(format!("imported from {url}")))))
    }

    /// List recipes (id, name, category, keywords), paged with limit/offset. For a word search use nc_cookbook_search_recipes.
    #[tool(
        name = "nc_cookbook_list_recipes",
        input_schema = crate::tools::catalogue::input::<ListArgs>(),
        output_schema = crate::tools::catalogue::output::<StubList>(),
        annotations(
            title = "List recipes",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_list_recipes(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListArgs>,
    ) -> Result<Json<StubList>, ToolError> {
        if !(1..=MAX_LIST).contains(&args.limit) {
            return Err(ToolError::invalid(
                "limit",
                format!("must be 1 to {MAX_LIST}"),
            ));
        }
        let client = self.cookbook_client(&ctx).await?;
        let filter = RecipeFilter::load(self, &client).await?;
        let mut all = filter.visible(client.cookbook_recipes().await?);
        all.sort_by_key(|r| r.name.to_lowercase());
        let total = all.len();
        let recipes: Vec<RecipeStub> = all.into_iter().skip(args.offset).take(args.limit).collect();
        Ok(Json(StubList {
            count: recipes.len(),
            total,
            recipes,
        }))
    }

    /// Read one recipe in full: ingredients, instructions, times, yield, category, keywords, nutrition.
    #[tool(
        name = "nc_cookbook_get_recipe",
        input_schema = crate::tools::catalogue::input::<RecipeIdArgs>(),
        output_schema = crate::tools::catalogue::output::<RecipeView>(),
        annotations(
            title = "Get a recipe",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_get_recipe(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<RecipeIdArgs>,
    ) -> Result<Json<RecipeView>, ToolError> {
        let client = self.cookbook_client(&ctx).await?;
        RecipeFilter::load(self, &client)
            .await?
            .check(args.recipe_id)?;
        let recipe = read_recipe(&client, args.recipe_id).await?;
        Ok(Json(view(args.recipe_id, recipe, None)))
    }

    /// Create a recipe; returns it as stored.
    #[tool(
        name = "nc_cookbook_create_recipe",
        input_schema = crate::tools::catalogue::input::<CreateArgs>(),
        output_schema = crate::tools::catalogue::output::<RecipeView>(),
        annotations(
            title = "Create a recipe",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_create_recipe(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateArgs>,
    ) -> Result<Json<RecipeView>, ToolError> {
        let name = args.name.trim().to_string();
        if name.is_empty() {
            return Err(ToolError::invalid("name", "must not be empty"));
        }
        let mut recipe = Map::new();
        merge(&mut recipe, Some(name), args.fields)?;
        let client = self.cookbook_client(&ctx).await?;
        let id = client.cookbook_create(&Value::Object(recipe)).await?;
        let stored = read_recipe(&client, id).await?;
        Ok(Json(view(id, stored, Some(format!("recipe {id} created")))))
    }

    /// Change fields of a recipe; the others are kept (the stored recipe is read, merged and written back). A new name renames it.
    #[tool(
        name = "nc_cookbook_update_recipe",
        input_schema = crate::tools::catalogue::input::<UpdateArgs>(),
        output_schema = crate::tools::catalogue::output::<RecipeView>(),
        annotations(
            title = "Update a recipe",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_update_recipe(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateArgs>,
    ) -> Result<Json<RecipeView>, ToolError> {
        let name = args.name.map(|n| n.trim().to_string());
        if name.as_deref() == Some("") {
            return Err(ToolError::invalid("name", "must not be empty"));
        }
        let client = self.cookbook_client(&ctx).await?;
        RecipeFilter::load(self, &client)
            .await?
            .check(args.recipe_id)?;
        let mut recipe = read_recipe(&client, args.recipe_id).await?;
        merge(&mut recipe, name, args.fields)?;
        recipe.remove("imageUrl");
        recipe.remove("printImage");
        let id = client
            .cookbook_update(args.recipe_id, &Value::Object(recipe))
            .await?;
        let stored = read_recipe(&client, id).await?;
        Ok(Json(view(id, stored, Some(format!("recipe {id} updated")))))
    }

    /// Delete a recipe (its folder goes to the Nextcloud trash bin when that is enabled).
    #[tool(
        name = "nc_cookbook_delete_recipe",
        input_schema = crate::tools::catalogue::input::<RecipeIdArgs>(),
        output_schema = crate::tools::catalogue::output::<Message>(),
        annotations(
            title = "Delete a recipe",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_delete_recipe(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<RecipeIdArgs>,
    ) -> Result<Json<Message>, ToolError> {
        let client = self.cookbook_client(&ctx).await?;
        // Deleting it would delete its folder with the hidden items in it.
        RecipeFilter::load(self, &client)
            .await?
            .check(args.recipe_id)?;
        // The app answers 200 for unknown ids: check first.
        let recipe = read_recipe(&client, args.recipe_id).await?;
        let said = client.cookbook_delete(args.recipe_id).await?;
        let name = recipe.get("name").and_then(Value::as_str).unwrap_or("");
        Ok(Json(Message {
            message: format!(
                "{said} ({name}); the recipe folder is in the Nextcloud trash bin if it is enabled"
            ),
            config: None,
        }))
    }

    /// Search recipes by words in their name, keywords or category (not ingredients or instructions).
    #[tool(
        name = "nc_cookbook_search_recipes",
        input_schema = crate::tools::catalogue::input::<SearchArgs>(),
        output_schema = crate::tools::catalogue::output::<StubList>(),
        annotations(
            title = "Search recipes",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_search_recipes(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<Json<StubList>, ToolError> {
        let query = args.query.trim();
        if query.is_empty() {
            return Err(ToolError::invalid(
                "query",
                "must not be empty (nc_cookbook_list_recipes lists everything)",
            ));
        }
        let client = self.cookbook_client(&ctx).await?;
        let filter = RecipeFilter::load(self, &client).await?;
        Ok(Json(stub_list(
            filter.visible(client.cookbook_search(query).await?),
        )))
    }

    /// List recipe categories with recipe counts (`uncategorized` counts recipes without one).
    #[tool(
        name = "nc_cookbook_list_categories",
        output_schema = crate::tools::catalogue::output::<FacetList>(),
        annotations(
            title = "List recipe categories",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_list_categories(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<FacetList>, ToolError> {
        let client = self.cookbook_client(&ctx).await?;
        let categories = client.cookbook_categories().await?;
        let filter = RecipeFilter::load(self, &client).await?;
        if !filter.is_active() {
            return Ok(Json(facet_list(categories)));
        }
        let recipes = client.cookbook_recipes().await?;
        Ok(Json(facet_list(filter.recount(
            categories,
            &recipes,
            |r| {
                vec![match r.category.as_deref().map(str::trim) {
                    Some(c) if !c.is_empty() => c.to_string(),
                    _ => "uncategorized".to_string(),
                }]
            },
        ))))
    }

    /// List the recipes of one category (`uncategorized` for those without one).
    #[tool(
        name = "nc_cookbook_get_recipes_in_category",
        input_schema = crate::tools::catalogue::input::<CategoryArgs>(),
        output_schema = crate::tools::catalogue::output::<StubList>(),
        annotations(
            title = "Recipes in a category",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_get_recipes_in_category(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CategoryArgs>,
    ) -> Result<Json<StubList>, ToolError> {
        let category = args.category.trim();
        if category.is_empty() {
            return Err(ToolError::invalid("category", "must not be empty"));
        }
        let client = self.cookbook_client(&ctx).await?;
        let filter = RecipeFilter::load(self, &client).await?;
        Ok(Json(stub_list(
            filter.visible(client.cookbook_category(category).await?),
        )))
    }

    /// List recipe keywords with recipe counts.
    #[tool(
        name = "nc_cookbook_list_keywords",
        output_schema = crate::tools::catalogue::output::<FacetList>(),
        annotations(
            title = "List recipe keywords",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_list_keywords(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<FacetList>, ToolError> {
        let client = self.cookbook_client(&ctx).await?;
        let keywords = client.cookbook_keywords().await?;
        let filter = RecipeFilter::load(self, &client).await?;
        if !filter.is_active() {
            return Ok(Json(facet_list(keywords)));
        }
        let recipes = client.cookbook_recipes().await?;
        Ok(Json(facet_list(
            filter.recount(keywords, &recipes, |r| r.keywords.clone()),
        )))
    }

    /// List the recipes that carry all the given keywords (exact names, see nc_cookbook_list_keywords).
    #[tool(
        name = "nc_cookbook_get_recipes_with_keywords",
        input_schema = crate::tools::catalogue::input::<KeywordsArgs>(),
        output_schema = crate::tools::catalogue::output::<StubList>(),
        annotations(
            title = "Recipes with keywords",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_get_recipes_with_keywords(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<KeywordsArgs>,
    ) -> Result<Json<StubList>, ToolError> {
        let keywords: Vec<String> = args
            .keywords
            .iter()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect();
        if keywords.is_empty() || keywords.iter().any(|k| k.contains(',')) {
            return Err(ToolError::invalid(
                "keywords",
                "give one or more keywords, each without commas",
            ));
        }
        let client = self.cookbook_client(&ctx).await?;
        let filter = RecipeFilter::load(self, &client).await?;
        Ok(Json(stub_list(
            filter.visible(client.cookbook_with_keywords(&keywords).await?),
        )))
    }

    /// Change Cookbook settings: recipe folder, rescan interval (minutes), print images. A folder holding other .json files is refused unless confirm_folder. Returns the settings.
    #[tool(
        name = "nc_cookbook_set_config",
        input_schema = crate::tools::catalogue::input::<ConfigArgs>(),
        output_schema = crate::tools::catalogue::output::<Message>(),
        annotations(
            title = "Change Cookbook settings",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_set_config(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ConfigArgs>,
    ) -> Result<Json<Message>, ToolError> {
        let mut changes = Map::new();
        if let Some(interval) = args.update_interval {
            if interval < 1 {
                return Err(ToolError::invalid("update_interval", "at least 1 minute"));
            }
            changes.insert("update_interval".into(), json!(interval));
        }
        if let Some(print) = args.print_image {
            changes.insert("print_image".into(), json!(print));
        }
        let client = self.cookbook_client(&ctx).await?;
        if let Some(folder) = &args.folder {
            // The same path rules as every file tool: no `..`, no URLs, no encoded separators.
            let folder = crate::nextcloud::dav::normalize_path(folder)
                .map(|p| format!("/{p}"))
                .map_err(|e| ToolError::invalid("folder", e))?;
            // Cookbook's rescan moves JSON files there into folders of their own: never hidden ones.
            super::files::hidden::Hidden::load(self, &client)
                .await?
                .check_tree("folder", &folder)?;
            if !args.confirm_folder {
                let json_files = match client.files_list(&folder).await {
                    Ok((_, children)) => children
                        .into_iter()
                        .filter(|c| !c.is_directory() && c.name.to_lowercase().ends_with(".json"))
                        .map(|c| c.name)
                        .collect::<Vec<_>>(),
                    Err(err) if err.status() == Some(404) => Vec::new(),
                    Err(err) => return Err(err.into()),
                };
                if !json_files.is_empty() {
                    return Err(ToolError::new(format!(
                        "{folder} holds other JSON files ({}); Cookbook's periodic rescan would move each into a sub-folder of its own. Choose a new or empty folder, or call again with confirm_folder=true",
                        json_files.join(", ")
                    )));
                }
            }
            changes.insert("folder".into(), json!(folder));
        }
        if changes.is_empty() {
            return Err(ToolError::new(
                "nothing to change: give folder, update_interval and/or print_image",
            ));
        }
        client.cookbook_set_config(&Value::Object(changes)).await?;
        let config = match client.cookbook_config().await? {
            Value::Object(map) => Some(map),
            _ => None,
        };
        Ok(Json(Message {
            message: "Cookbook settings changed".into(),
            config,
        }))
    }

    /// Rebuild Cookbook's search index from the recipe files (only needed after editing them directly in Files).
    #[tool(
        name = "nc_cookbook_reindex",
        output_schema = crate::tools::catalogue::output::<Message>(),
        annotations(
            title = "Reindex recipes",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_reindex(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<Message>, ToolError> {
        let client = self.cookbook_client(&ctx).await?;
        Ok(Json(Message {
            message: client.cookbook_reindex().await?,
            config: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_addresses_the_nextcloud_server_should_not_fetch_are_refused() {
        for bad in [
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://localhost/x",
            "http://router/x",
            "http://nas.local/x",
            "https://a:b@example.org/x",
            "ftp://example.org/x",
        ] {
            assert!(check_import_url(bad).is_err(), "{bad}");
        }
        assert!(check_import_url("https://www.example.org/recipe").is_ok());
    }
}
