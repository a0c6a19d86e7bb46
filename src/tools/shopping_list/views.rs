//! Arguments and results of the Shopping List tools.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use crate::nextcloud::shopping_list::{Item, ShoppingList};

/// Present-but-null stays `Some(None)` (clear the field); absent stays `None` (keep it).
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

fn yes() -> bool {
    true
}

/// A list id.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListArgs {
    /// Shopping list id (from nc_shopping_list_get_lists).
    pub list_id: i64,
}

/// Arguments of nc_shopping_list_create_list.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateListArgs {
    /// Title of the new list.
    pub title: String,
}

/// Arguments of nc_shopping_list_update_list.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateListArgs {
    /// Shopping list id.
    pub list_id: i64,
    /// New title.
    pub title: String,
}

/// Arguments of nc_shopping_list_get_items.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GetItemsArgs {
    /// Shopping list id.
    pub list_id: i64,
    /// Also return ticked-off items (default true).
    #[serde(default = "yes")]
    pub include_checked: bool,
}

/// One item to add.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NewItem {
    /// Item name, e.g. "flour".
    pub name: String,
    /// Quantity as text, e.g. "2".
    #[serde(default)]
    pub quantity: Option<String>,
    /// Unit, e.g. "cups".
    #[serde(default)]
    pub unit: Option<String>,
    /// Shop area id; omitted = detected from the list's area keywords like the web UI.
    #[serde(default)]
    pub shop_area_id: Option<i64>,
    /// Add it already ticked off.
    #[serde(default)]
    pub checked: bool,
}

/// Arguments of nc_shopping_list_add_items.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AddItemsArgs {
    /// Shopping list id.
    pub list_id: i64,
    /// Items to add (1-100).
    pub items: Vec<NewItem>,
}

/// An item id on a list.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ItemArgs {
    /// Shopping list id.
    pub list_id: i64,
    /// Item id (from nc_shopping_list_get_items).
    pub item_id: i64,
}

/// Arguments of nc_shopping_list_update_item.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateItemArgs {
    /// Shopping list id.
    pub list_id: i64,
    /// Item id.
    pub item_id: i64,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New quantity; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub quantity: Option<Option<String>>,
    /// New unit; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub unit: Option<Option<String>>,
    /// New shop area id; null clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub shop_area_id: Option<Option<i64>>,
}

/// Arguments of nc_shopping_list_check_item.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CheckItemArgs {
    /// Shopping list id.
    pub list_id: i64,
    /// Item id.
    pub item_id: i64,
    /// true ticks it off, false unticks it (default true).
    #[serde(default = "yes")]
    pub checked: bool,
}

/// The caller's lists.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListsView {
    /// Number of lists.
    pub count: usize,
    /// Lists, owned first.
    pub lists: Vec<ShoppingList>,
}

/// An item with its area's name.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ItemView {
    /// The item.
    #[serde(flatten)]
    pub item: Item,
    /// Shop area name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
}

/// Items of a list.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ItemsView {
    /// List id.
    pub list_id: i64,
    /// Items returned.
    pub count: usize,
    /// Items not ticked off (on the whole list).
    pub unchecked: usize,
    /// Items, unchecked first.
    pub items: Vec<ItemView>,
}

/// Outcome of one item of nc_shopping_list_add_items.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AddedItem {
    /// The name asked for.
    pub name: String,
    /// The stored item, when added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemView>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Result of nc_shopping_list_add_items.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AddItemsView {
    /// Items added.
    pub added: usize,
    /// Items that failed (the others stay added).
    pub failed: usize,
    /// Per item, in the order given.
    pub results: Vec<AddedItem>,
}

/// Result of a write without an object.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Done {
    /// List id.
    pub list_id: i64,
    /// Items affected, when it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// What happened.
    pub message: String,
}
