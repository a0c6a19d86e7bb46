//! The Shopping List app's OCS API (otherworld-dev/Shopping-List,
//! `/ocs/v2.php/apps/shopping_list/api/v1/...`): lists, items, shop areas.
//!
//! Quirks handled here, once: `ocs.data` is a bare array/object or `null`; delete answers 204
//! with no body; errors keep their text in `ocs.data.message` (read by the shared error
//! mapper); the app has no capability, so presence is probed with `GET /lists`.

use reqwest::Method;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::fields::{flag, int, text};

const API: &str = "/ocs/v2.php/apps/shopping_list/api/v1";
/// Path Shopping List's presence is probed with (per user, cheap; OCS 998/404 = absent).
pub const PROBE_PATH: &str = "/ocs/v2.php/apps/shopping_list/api/v1/lists";

/// A shopping list as the caller sees it.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct ShoppingList {
    /// List id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Owner's user id.
    pub owner: Option<String>,
    /// The caller owns it (only the owner may delete it).
    pub is_owner: bool,
    /// The caller may change it and its items.
    pub writable: bool,
    /// Last change (ISO 8601).
    pub updated_at: Option<String>,
}

/// An item on a list.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Item {
    /// Item id.
    pub id: i64,
    /// The list it is on.
    pub list_id: i64,
    /// Name.
    pub name: String,
    /// Quantity (free text).
    pub quantity: Option<String>,
    /// Unit (free text).
    pub unit: Option<String>,
    /// Shop area id.
    pub shop_area_id: Option<i64>,
    /// Ticked off.
    pub checked: bool,
    /// Who ticked it off.
    pub checked_by: Option<String>,
}

/// A shop area of a list (areas are per list).
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Area {
    /// Area id.
    pub id: i64,
    /// Name ("Produce", "Dairy"...).
    pub name: String,
    /// Keywords the web UI matches item names against.
    #[serde(skip)]
    pub keywords: Vec<String>,
}

impl Area {
    /// Whether an item name falls into this area (the web UI's rule: a keyword is a
    /// substring of the lower-cased name).
    pub fn matches(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        self.keywords
            .iter()
            .any(|k| !k.is_empty() && name.contains(&k.to_lowercase()))
    }
}

fn decode_list(raw: &Value) -> Option<ShoppingList> {
    Some(ShoppingList {
        id: int(raw, "id")?,
        title: text(raw, "title").unwrap_or_default(),
        owner: text(raw, "userId"),
        is_owner: flag(raw, "isOwner"),
        writable: int(raw, "permission").unwrap_or(0) >= 1 || flag(raw, "isOwner"),
        updated_at: text(raw, "updatedAt"),
    })
}

fn decode_item(raw: &Value) -> Option<Item> {
    Some(Item {
        id: int(raw, "id")?,
        list_id: int(raw, "listId").unwrap_or_default(),
        name: text(raw, "name").unwrap_or_default(),
        quantity: text(raw, "quantity"),
        unit: text(raw, "unit"),
        shop_area_id: int(raw, "shopAreaId"),
        checked: flag(raw, "checked"),
        checked_by: text(raw, "checkedBy"),
    })
}

fn decode_area(raw: &Value) -> Option<Area> {
    Some(Area {
        id: int(raw, "id")?,
        name: text(raw, "name").unwrap_or_default(),
        keywords: raw
            .get("keywords")
            .and_then(Value::as_array)
            .map(|k| {
                k.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn one<T>(call: &str, raw: &Value, f: impl Fn(&Value) -> Option<T>) -> NcResult<T> {
    f(raw).ok_or_else(|| {
        NextcloudError::new(
            call,
            ErrorKind::Decode("Shopping List answered without an object id".into()),
        )
    })
}

fn many<T>(raw: &Value, f: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    raw.as_array()
        .map(|l| l.iter().filter_map(f).collect())
        .unwrap_or_default()
}

/// The fields of a new item or of an item update (`None` = not sent; `Some(None)` = sent as
/// `null`, which clears quantity, unit or area on update).
#[derive(Debug, Clone, Default)]
pub struct ItemFields {
    /// Name.
    pub name: Option<String>,
    /// Quantity.
    pub quantity: Option<Option<String>>,
    /// Unit.
    pub unit: Option<Option<String>>,
    /// Shop area id.
    pub shop_area_id: Option<Option<i64>>,
}

impl ItemFields {
    fn body(&self) -> Value {
        let mut body = Map::new();
        if let Some(name) = &self.name {
            body.insert("name".into(), json!(name));
        }
        if let Some(q) = &self.quantity {
            body.insert("quantity".into(), json!(q));
        }
        if let Some(u) = &self.unit {
            body.insert("unit".into(), json!(u));
        }
        if let Some(a) = &self.shop_area_id {
            body.insert("shopAreaId".into(), json!(a));
        }
        Value::Object(body)
    }
}

impl NextcloudClient {
    async fn shopping(&self, method: Method, path: &str, body: Option<Value>) -> NcResult<Value> {
        self.ocs_value(method, &format!("{API}{path}"), body.as_ref())
            .await
    }

    /// `GET /lists`: owned lists first, then shared ones.
    pub async fn shopping_lists(&self) -> NcResult<Vec<ShoppingList>> {
        let raw = self.shopping(Method::GET, "/lists", None).await?;
        Ok(many(&raw, decode_list))
    }

    /// `GET /lists/{id}` (404 "List not found" also for lists not shared with the caller).
    pub async fn shopping_list(&self, id: i64) -> NcResult<ShoppingList> {
        let raw = self
            .shopping(Method::GET, &format!("/lists/{id}"), None)
            .await?;
        one(&format!("GET {API}/lists/{id}"), &raw, decode_list)
    }

    /// `POST /lists` (the app seeds default shop areas).
    pub async fn shopping_create_list(&self, title: &str) -> NcResult<ShoppingList> {
        let raw = self
            .shopping(Method::POST, "/lists", Some(json!({"title": title})))
            .await?;
        one(&format!("POST {API}/lists"), &raw, decode_list)
    }

    /// `PUT /lists/{id}`: rename.
    pub async fn shopping_update_list(&self, id: i64, title: &str) -> NcResult<ShoppingList> {
        let raw = self
            .shopping(
                Method::PUT,
                &format!("/lists/{id}"),
                Some(json!({"title": title})),
            )
            .await?;
        one(&format!("PUT {API}/lists/{id}"), &raw, decode_list)
    }

    /// `DELETE /lists/{id}` (owner only; hard delete of the list and its items; 204).
    pub async fn shopping_delete_list(&self, id: i64) -> NcResult<()> {
        self.shopping(Method::DELETE, &format!("/lists/{id}"), None)
            .await?;
        Ok(())
    }

    /// `GET /lists/{id}/items`: unchecked first.
    pub async fn shopping_items(&self, list_id: i64) -> NcResult<Vec<Item>> {
        let raw = self
            .shopping(Method::GET, &format!("/lists/{list_id}/items"), None)
            .await?;
        Ok(many(&raw, decode_item))
    }

    /// `GET /lists/{id}/areas`, in the list's order.
    pub async fn shopping_areas(&self, list_id: i64) -> NcResult<Vec<Area>> {
        let raw = self
            .shopping(Method::GET, &format!("/lists/{list_id}/areas"), None)
            .await?;
        Ok(many(&raw, decode_area))
    }

    /// `POST /lists/{id}/items`: one item (the app has no bulk route and no `checked` field).
    pub async fn shopping_add_item(&self, list_id: i64, fields: &ItemFields) -> NcResult<Item> {
        let path = format!("/lists/{list_id}/items");
        let raw = self
            .shopping(Method::POST, &path, Some(fields.body()))
            .await?;
        one(&format!("POST {API}{path}"), &raw, decode_item)
    }

    /// `PUT /lists/{l}/items/{id}`: partial update; explicit nulls clear. The app does not
    /// check that the item is on `list_id`: callers check it first ([`Self::shopping_item`]).
    pub async fn shopping_update_item(
        &self,
        list_id: i64,
        item_id: i64,
        fields: &ItemFields,
    ) -> NcResult<Item> {
        let path = format!("/lists/{list_id}/items/{item_id}");
        let raw = self
            .shopping(Method::PUT, &path, Some(fields.body()))
            .await?;
        one(&format!("PUT {API}{path}"), &raw, decode_item)
    }

    /// `PUT /lists/{l}/items/{id}/check`.
    pub async fn shopping_check_item(
        &self,
        list_id: i64,
        item_id: i64,
        checked: bool,
    ) -> NcResult<Item> {
        let path = format!("/lists/{list_id}/items/{item_id}/check");
        let raw = self
            .shopping(Method::PUT, &path, Some(json!({"checked": checked})))
            .await?;
        one(&format!("PUT {API}{path}"), &raw, decode_item)
    }

    /// `DELETE /lists/{l}/items/{id}` (204; a second delete is 404).
    pub async fn shopping_delete_item(&self, list_id: i64, item_id: i64) -> NcResult<()> {
        self.shopping(
            Method::DELETE,
            &format!("/lists/{list_id}/items/{item_id}"),
            None,
        )
        .await?;
        Ok(())
    }

    /// `DELETE /lists/{id}/items/checked` (200 `null`, no count).
    pub async fn shopping_clear_checked(&self, list_id: i64) -> NcResult<()> {
        self.shopping(
            Method::DELETE,
            &format!("/lists/{list_id}/items/checked"),
            None,
        )
        .await?;
        Ok(())
    }

    /// `POST /lists/{id}/items/uncheck-all` (200 `null`, no count).
    pub async fn shopping_uncheck_all(&self, list_id: i64) -> NcResult<()> {
        self.shopping(
            Method::POST,
            &format!("/lists/{list_id}/items/uncheck-all"),
            None,
        )
        .await?;
        Ok(())
    }

    /// One item of a list, or `None` when it is not on that list (the app looks items up by
    /// id alone, so `PUT /lists/999/items/31` would change item 31 of another list).
    pub async fn shopping_item(&self, list_id: i64, item_id: i64) -> NcResult<Option<Item>> {
        Ok(self
            .shopping_items(list_id)
            .await?
            .into_iter()
            .find(|i| i.id == item_id))
    }
}
