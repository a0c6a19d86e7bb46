//! Shopping List toolset (otherworld-dev/Shopping-List): lists and their items, with the
//! reference server's `nc_shopping_list_*` names. Items get their shop area like the web UI
//! does (the app itself never detects one), `checked` on add is done with a follow-up call
//! (the create route ignores it), and an item is always checked to be on the given list (the
//! app looks items up by id alone).

use std::collections::HashMap;

use crate::tools::answer::Json;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};

use super::support::require_probed_app;
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::shopping_list::{Area, Item, ItemFields, PROBE_PATH, ShoppingList};

mod add_recipe;
mod ingredients;
mod views;

pub use views::*;

/// Most items one add_items call takes.
const MAX_ITEMS: usize = 100;

/// The area an item goes to: the one given, else the first area whose keyword is in its name.
pub(crate) fn detect_area(areas: &[Area], name: &str) -> Option<i64> {
    areas.iter().find(|a| a.matches(name)).map(|a| a.id)
}

pub(crate) fn item_view(item: Item, areas: &HashMap<i64, String>) -> ItemView {
    let area = item.shop_area_id.and_then(|a| areas.get(&a).cloned());
    ItemView { item, area }
}

pub(crate) fn area_names(areas: &[Area]) -> HashMap<i64, String> {
    areas.iter().map(|a| (a.id, a.name.clone())).collect()
}

impl NextcloudMcp {
    /// The 12 reference tools plus `shopping_list_add_recipe`.
    pub fn shopping_list_router() -> ToolRouter<Self> {
        let mut router = Self::shopping_list_items_router();
        router.merge(Self::shopping_recipe_router());
        router
    }

    pub(crate) async fn shopping_client(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<NextcloudClient> {
        let client = self.client(ctx)?;
        require_probed_app(&client, "shopping_list", "Shopping List", PROBE_PATH).await?;
        Ok(client)
    }
}

/// The item, refused when it is not on `list_id`.
async fn item_on_list(client: &NextcloudClient, list_id: i64, item_id: i64) -> ToolResult<Item> {
    client
        .shopping_item(list_id, item_id)
        .await?
        .ok_or_else(|| {
            ToolError::new(format!(
                "item {item_id} is not on shopping list {list_id}; read the list's items with nc_shopping_list_get_items"
            ))
        })
}

/// How many items of the list are ticked off (the app's list-wide calls return no count).
async fn checked_count(client: &NextcloudClient, list_id: i64) -> ToolResult<usize> {
    let items = client.shopping_items(list_id).await?;
    Ok(items.iter().filter(|i| i.checked).count())
}

/// A list title: trimmed, not empty.
fn title_arg(title: &str) -> ToolResult<&str> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ToolError::invalid("title", "must not be empty"));
    }
    Ok(title)
}

/// What to do with every ticked-off item of a list.
#[derive(Debug, Clone, Copy)]
enum CheckedItems {
    /// Delete them for good.
    Clear,
    /// Untick them.
    Uncheck,
}

/// Applies `action` to the ticked-off items of `list_id`, saying how many there were.
async fn on_checked_items(
    client: &NextcloudClient,
    list_id: i64,
    action: CheckedItems,
) -> ToolResult<Done> {
    let checked = checked_count(client, list_id).await?;
    let message = match action {
        CheckedItems::Clear => {
            client.shopping_clear_checked(list_id).await?;
            format!("{checked} checked item(s) deleted permanently")
        }
        CheckedItems::Uncheck => {
            client.shopping_uncheck_all(list_id).await?;
            format!("{checked} item(s) unchecked")
        }
    };
    Ok(Done {
        list_id,
        count: Some(checked),
        message,
    })
}

#[tool_router(router = shopping_list_items_router, vis = "pub")]
impl NextcloudMcp {
    /// List the caller's shopping lists (owned first, then shared), with whether each is writable.
    #[tool(
        name = "nc_shopping_list_get_lists",
        output_schema = crate::tools::catalogue::output::<ListsView>(),
        annotations(
            title = "List shopping lists",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_get_lists(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<ListsView>, ToolError> {
        let client = self.shopping_client(&ctx).await?;
        let lists = client.shopping_lists().await?;
        Ok(Json(ListsView {
            count: lists.len(),
            lists,
        }))
    }

    /// Read one shopping list (title, owner, writable); nc_shopping_list_get_items reads its items.
    #[tool(
        name = "nc_shopping_list_get_list",
        input_schema = crate::tools::catalogue::input::<ListArgs>(),
        output_schema = crate::tools::catalogue::output::<ShoppingList>(),
        annotations(
            title = "Get a shopping list",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_get_list(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListArgs>,
    ) -> Result<Json<ShoppingList>, ToolError> {
        let client = self.shopping_client(&ctx).await?;
        Ok(Json(client.shopping_list(args.list_id).await?))
    }

    /// Create a shopping list (the app gives it default shop areas).
    #[tool(
        name = "nc_shopping_list_create_list",
        input_schema = crate::tools::catalogue::input::<CreateListArgs>(),
        output_schema = crate::tools::catalogue::output::<ShoppingList>(),
        annotations(
            title = "Create a shopping list",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_create_list(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateListArgs>,
    ) -> Result<Json<ShoppingList>, ToolError> {
        let title = title_arg(&args.title)?;
        let client = self.shopping_client(&ctx).await?;
        Ok(Json(client.shopping_create_list(title).await?))
    }

    /// Rename a shopping list.
    #[tool(
        name = "nc_shopping_list_update_list",
        input_schema = crate::tools::catalogue::input::<UpdateListArgs>(),
        output_schema = crate::tools::catalogue::output::<ShoppingList>(),
        annotations(
            title = "Rename a shopping list",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_update_list(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateListArgs>,
    ) -> Result<Json<ShoppingList>, ToolError> {
        let title = title_arg(&args.title)?;
        let client = self.shopping_client(&ctx).await?;
        Ok(Json(
            client.shopping_update_list(args.list_id, title).await?,
        ))
    }

    /// Delete a shopping list and all its items for everyone it is shared with; permanent (no trash). Owner only.
    #[tool(
        name = "nc_shopping_list_delete_list",
        input_schema = crate::tools::catalogue::input::<ListArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Delete a shopping list",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_delete_list(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.shopping_client(&ctx).await?;
        client.shopping_delete_list(args.list_id).await?;
        Ok(Json(Done {
            list_id: args.list_id,
            count: None,
            message: format!(
                "shopping list {} and its items deleted permanently (cannot be restored)",
                args.list_id
            ),
        }))
    }

    /// List a shopping list's items (unchecked first) with quantity, unit, shop area name and who ticked them off.
    #[tool(
        name = "nc_shopping_list_get_items",
        input_schema = crate::tools::catalogue::input::<GetItemsArgs>(),
        output_schema = crate::tools::catalogue::output::<ItemsView>(),
        annotations(
            title = "List shopping list items",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_get_items(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<GetItemsArgs>,
    ) -> Result<Json<ItemsView>, ToolError> {
        let client = self.shopping_client(&ctx).await?;
        let items = client.shopping_items(args.list_id).await?;
        let areas = area_names(&client.shopping_areas(args.list_id).await?);
        let unchecked = items.iter().filter(|i| !i.checked).count();
        let items: Vec<ItemView> = items
            .into_iter()
            .filter(|i| args.include_checked || !i.checked)
            .map(|i| item_view(i, &areas))
            .collect();
        Ok(Json(ItemsView {
            list_id: args.list_id,
            count: items.len(),
            unchecked,
            items,
        }))
    }

    /// Add items to a shopping list. Without shop_area_id the area is picked from the list's area keywords (as the web UI does). Reports each item; earlier items stay added if a later one fails.
    #[tool(
        name = "nc_shopping_list_add_items",
        input_schema = crate::tools::catalogue::input::<AddItemsArgs>(),
        output_schema = crate::tools::catalogue::output::<AddItemsView>(),
        annotations(
            title = "Add shopping list items",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_add_items(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<AddItemsArgs>,
    ) -> Result<Json<AddItemsView>, ToolError> {
        if args.items.is_empty() || args.items.len() > MAX_ITEMS {
            return Err(ToolError::invalid(
                "items",
                format!("give 1 to {MAX_ITEMS} items"),
            ));
        }
        if let Some(bad) = args.items.iter().find(|i| i.name.trim().is_empty()) {
            return Err(ToolError::invalid(
                "items",
                format!("every item needs a name (got {:?})", bad.name),
            ));
        }
        let client = self.shopping_client(&ctx).await?;
        let areas = client.shopping_areas(args.list_id).await?;
        let names = area_names(&areas);
        let mut results = Vec::with_capacity(args.items.len());
        for new in args.items {
            let name = new.name.trim().to_string();
            let fields = ItemFields {
                shop_area_id: Some(new.shop_area_id.or_else(|| detect_area(&areas, &name))),
                name: Some(name.clone()),
                quantity: new.quantity.map(Some),
                unit: new.unit.map(Some),
            };
            let outcome = async {
                let item = client.shopping_add_item(args.list_id, &fields).await?;
                if new.checked {
                    return client
                        .shopping_check_item(args.list_id, item.id, true)
                        .await;
                }
                Ok(item)
            }
            .await;
            results.push(match outcome {
                Ok(item) => AddedItem {
                    name,
                    item: Some(item_view(item, &names)),
                    error: None,
                },
                Err(err) => AddedItem {
                    name,
                    item: None,
                    error: Some(err.to_string()),
                },
            });
        }
        let added = results.iter().filter(|r| r.item.is_some()).count();
        if added == 0 {
            let first = results.first().and_then(|r| r.error.clone());
            return Err(ToolError::new(first.unwrap_or_default()));
        }
        Ok(Json(AddItemsView {
            failed: results.len() - added,
            added,
            results,
        }))
    }

    /// Change an item's name, quantity, unit or shop area; give null to clear quantity, unit or area. Use nc_shopping_list_check_item to tick it off.
    #[tool(
        name = "nc_shopping_list_update_item",
        input_schema = crate::tools::catalogue::input::<UpdateItemArgs>(),
        output_schema = crate::tools::catalogue::output::<Item>(),
        annotations(
            title = "Update a shopping list item",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_update_item(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateItemArgs>,
    ) -> Result<Json<Item>, ToolError> {
        let name = args.name.map(|n| n.trim().to_string());
        if name.as_deref() == Some("") {
            return Err(ToolError::invalid("name", "must not be empty"));
        }
        let fields = ItemFields {
            name,
            quantity: args.quantity,
            unit: args.unit,
            shop_area_id: args.shop_area_id,
        };
        if fields.name.is_none()
            && fields.quantity.is_none()
            && fields.unit.is_none()
            && fields.shop_area_id.is_none()
        {
            return Err(ToolError::new(
                "nothing to change: give name, quantity, unit and/or shop_area_id",
            ));
        }
        let client = self.shopping_client(&ctx).await?;
        item_on_list(&client, args.list_id, args.item_id).await?;
        Ok(Json(
            client
                .shopping_update_item(args.list_id, args.item_id, &fields)
                .await?,
        ))
    }

    /// Tick an item off (checked=true) or untick it (checked=false).
    #[tool(
        name = "nc_shopping_list_check_item",
        input_schema = crate::tools::catalogue::input::<CheckItemArgs>(),
        output_schema = crate::tools::catalogue::output::<Item>(),
        annotations(
            title = "Check or uncheck a shopping list item",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_check_item(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CheckItemArgs>,
    ) -> Result<Json<Item>, ToolError> {
        let client = self.shopping_client(&ctx).await?;
        item_on_list(&client, args.list_id, args.item_id).await?;
        Ok(Json(
            client
                .shopping_check_item(args.list_id, args.item_id, args.checked)
                .await?,
        ))
    }

    /// Delete one item from a shopping list; permanent.
    #[tool(
        name = "nc_shopping_list_delete_item",
        input_schema = crate::tools::catalogue::input::<ItemArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Delete a shopping list item",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_delete_item(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ItemArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.shopping_client(&ctx).await?;
        let item = item_on_list(&client, args.list_id, args.item_id).await?;
        client
            .shopping_delete_item(args.list_id, args.item_id)
            .await?;
        Ok(Json(Done {
            list_id: args.list_id,
            count: Some(1),
            message: format!("item {} ({}) deleted permanently", item.id, item.name),
        }))
    }

    /// Delete every ticked-off item of a shopping list; permanent. Returns how many were removed.
    #[tool(
        name = "nc_shopping_list_clear_checked_items",
        input_schema = crate::tools::catalogue::input::<ListArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Remove checked shopping list items",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_clear_checked_items(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.shopping_client(&ctx).await?;
        Ok(Json(
            on_checked_items(&client, args.list_id, CheckedItems::Clear).await?,
        ))
    }

    /// Untick every item of a shopping list (to reuse it). Returns how many were unticked.
    #[tool(
        name = "nc_shopping_list_uncheck_all_items",
        input_schema = crate::tools::catalogue::input::<ListArgs>(),
        output_schema = crate::tools::catalogue::output::<Done>(),
        annotations(
            title = "Uncheck all shopping list items",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_shopping_list_uncheck_all_items(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListArgs>,
    ) -> Result<Json<Done>, ToolError> {
        let client = self.shopping_client(&ctx).await?;
        Ok(Json(
            on_checked_items(&client, args.list_id, CheckedItems::Uncheck).await?,
        ))
    }
}
