//! `shopping_list_add_recipe`: a Cookbook recipe's ingredients onto a shopping list in one
//! call, scaled to a number of servings, merged with unchecked items already on the list.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ingredients::{format_quantity, parse, parse_quantity, same_unit};
use super::{ItemView, area_names, detect_area, item_view};
use crate::nextcloud::shopping_list::ItemFields;
use crate::tools::cookbook::read_recipe;
use crate::tools::{NextcloudMcp, ToolError};

fn yes() -> bool {
    true
}

/// Arguments of shopping_list_add_recipe.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AddRecipeArgs {
    /// Cookbook recipe id.
    pub recipe_id: i64,
    /// Shopping list id.
    pub list_id: i64,
    /// Servings to shop for; omitted = the recipe's own yield.
    #[serde(default)]
    pub servings: Option<f64>,
    /// Add to matching unchecked items (same name and unit) instead of new rows (default true).
    #[serde(default = "yes")]
    pub merge: bool,
}

/// One ingredient's outcome.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IngredientOutcome {
    /// The recipe's line.
    pub ingredient: String,
    /// `added`, `merged` or `failed`.
    pub action: String,
    /// The item on the list afterwards.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemView>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Result of shopping_list_add_recipe.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AddRecipeView {
    /// Recipe name.
    pub recipe: String,
    /// List id.
    pub list_id: i64,
    /// Factor the quantities were multiplied by.
    pub scale: f64,
    /// New items.
    pub added: usize,
    /// Items whose quantity grew.
    pub merged: usize,
    /// Ingredients that failed (the others are on the list).
    pub failed: usize,
    /// Per ingredient, in recipe order.
    pub results: Vec<IngredientOutcome>,
}

#[tool_router(router = shopping_recipe_router, vis = "pub")]
impl NextcloudMcp {
    /// Put a Cookbook recipe's ingredients on a shopping list in one call: quantities scaled to `servings`, merged into unchecked items with the same name and unit, shop areas detected.
    #[tool(
        name = "shopping_list_add_recipe",
        input_schema = crate::tools::catalogue::input::<AddRecipeArgs>(),
        output_schema = crate::tools::catalogue::output::<AddRecipeView>(),
        annotations(
            title = "Add a recipe's ingredients to a shopping list",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn shopping_list_add_recipe(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<AddRecipeArgs>,
    ) -> Result<Json<AddRecipeView>, ToolError> {
        if let Some(s) = args.servings
            && !(s > 0.0 && s <= 1000.0)
        {
            return Err(ToolError::invalid(
                "servings",
                "must be more than 0 (at most 1000)",
            ));
        }
        let cookbook = self.cookbook_client(&ctx).await?;
        let client = self.shopping_client(&ctx).await?;
        let recipe = read_recipe(&cookbook, args.recipe_id).await?;
        let name = recipe
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let lines: Vec<String> = recipe
            .get("recipeIngredient")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|s| s.as_str().map(|s| s.trim().to_string()))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if lines.is_empty() {
            return Err(ToolError::new(format!(
                "recipe {} ({name}) has no ingredients",
                args.recipe_id
            )));
        }
        let recipe_yield = recipe
            .get("recipeYield")
            .and_then(Value::as_f64)
            .filter(|y| *y > 0.0);
        let scale = match (args.servings, recipe_yield) {
            (None, _) => 1.0,
            (Some(s), Some(y)) => s / y,
            (Some(_), None) => {
                return Err(ToolError::invalid(
                    "servings",
                    format!(
                        "recipe {} has no yield to scale from; omit servings to add it as written",
                        args.recipe_id
                    ),
                ));
            }
        };
        // Checks the list exists and is readable before anything is written.
        let mut existing = client.shopping_items(args.list_id).await?;
        let areas = client.shopping_areas(args.list_id).await?;
        let names = area_names(&areas);
        let mut results = Vec::with_capacity(lines.len());
        for line in lines {
            let parsed = parse(&line);
            let quantity = parsed.quantity.map(|q| q * scale);
            let target = args.merge.then(|| {
                existing.iter().position(|i| {
                    !i.checked
                        && i.name.eq_ignore_ascii_case(&parsed.name)
                        && same_unit(i.unit.as_deref(), parsed.unit.as_deref())
                        && (quantity.is_none()
                            || i.quantity.as_deref().and_then(parse_quantity).is_some())
                })
            });
            let outcome = match target.flatten() {
                Some(pos) => {
                    let current = &existing[pos];
                    let sum = match (
                        current.quantity.as_deref().and_then(parse_quantity),
                        quantity,
                    ) {
                        (Some(have), Some(add)) => Some(format_quantity(have + add)),
                        _ => None,
                    };
                    match sum {
                        // Same thing without an amount ("salt"): already on the list.
                        None => Ok((current.clone(), "merged")),
                        Some(total) => {
                            let fields = ItemFields {
                                quantity: Some(Some(total)),
                                ..Default::default()
                            };
                            client
                                .shopping_update_item(args.list_id, current.id, &fields)
                                .await
                                .map(|i| (i, "merged"))
                        }
                    }
                }
                None => {
                    let fields = ItemFields {
                        shop_area_id: Some(detect_area(&areas, &parsed.name)),
                        name: Some(parsed.name.clone()),
                        quantity: quantity.map(|q| Some(format_quantity(q))),
                        unit: parsed.unit.clone().map(Some),
                    };
                    client
                        .shopping_add_item(args.list_id, &fields)
                        .await
                        .map(|i| (i, "added"))
                }
            };
            results.push(match outcome {
                Ok((item, action)) => {
                    match existing.iter_mut().find(|i| i.id == item.id) {
                        Some(slot) => *slot = item.clone(),
                        None => existing.push(item.clone()),
                    }
                    IngredientOutcome {
                        ingredient: line,
                        action: action.into(),
                        item: Some(item_view(item, &names)),
                        error: None,
                    }
                }
                Err(err) => IngredientOutcome {
                    ingredient: line,
                    action: "failed".into(),
                    item: None,
                    error: Some(err.to_string()),
                },
            });
        }
        let count = |a: &str| results.iter().filter(|r| r.action == a).count();
        let (added, merged, failed) = (count("added"), count("merged"), count("failed"));
        if added + merged == 0 {
            let first = results
                .first()
                .and_then(|r| r.error.clone())
                .unwrap_or_default();
            return Err(ToolError::new(first));
        }
        Ok(Json(AddRecipeView {
            recipe: name,
            list_id: args.list_id,
            scale,
            added,
            merged,
            failed,
            results,
        }))
    }
}
