//! The Cookbook app's REST API (`/index.php/apps/cookbook/api/v1/...`): recipes (schema.org
//! objects), categories, keywords, search, import, config, reindex.
//!
//! Quirks handled here, once: answers are bare JSON (arrays, objects, a bare integer id on
//! create/update, bare strings on delete/config/reindex); errors are `{msg,file,line}` or a
//! bare string (the shared error mapper keeps `msg` or the string, never `file`/`line`); the
//! 404 of a recipe has the bare id as body; `PUT /recipes/{id}` ignores the path id and uses
//! the body's `id` (without it a new recipe is created), so [`NextcloudClient::cookbook_update`]
//! always sets it; path segments (search query, category, keywords) are percent-encoded.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::fields::{int, text};

const API: &str = "/apps/cookbook/api/v1";
/// Deprecated version route, still routed: the presence probe for Cookbook < 0.11.5, which
/// publishes no `cookbook` capability.
pub const VERSION_PATH: &str = "/index.php/apps/cookbook/api/version";

/// A recipe as listed (stub).
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct RecipeStub {
    /// Recipe id (the file id of the recipe's folder).
    pub id: String,
    /// Name.
    pub name: String,
    /// Category (none = uncategorized).
    pub category: Option<String>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Last change.
    pub date_modified: Option<String>,
}

/// A category or keyword with its recipe count.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Facet {
    /// Name (`uncategorized` for recipes without a category).
    pub name: String,
    /// Number of recipes.
    pub recipe_count: i64,
}

/// Splits Cookbook's comma-separated keyword string.
pub fn split_keywords(raw: Option<&Value>) -> Vec<String> {
    match raw {
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn decode_stub(raw: &Value) -> Option<RecipeStub> {
    Some(RecipeStub {
        id: text(raw, "id").or_else(|| text(raw, "recipe_id"))?,
        name: text(raw, "name").unwrap_or_default(),
        category: text(raw, "category"),
        keywords: split_keywords(raw.get("keywords")),
        date_modified: text(raw, "dateModified"),
    })
}

fn stubs(raw: &Value) -> Vec<RecipeStub> {
    let mut out: Vec<RecipeStub> = raw
        .as_array()
        .map(|l| l.iter().filter_map(decode_stub).collect())
        .unwrap_or_default();
    // Search answers can repeat a recipe once per keyword row.
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| seen.insert(s.id.clone()));
    out
}

fn facets(raw: &Value) -> Vec<Facet> {
    raw.as_array()
        .map(|l| {
            l.iter()
                .filter_map(|f| {
                    let name = text(f, "name")?;
                    Some(Facet {
                        name: if name == "*" {
                            "uncategorized".into()
                        } else {
                            name
                        },
                        recipe_count: int(f, "recipe_count").unwrap_or(0),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One path segment, fully percent-encoded.
fn segment(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

impl NextcloudClient {
    async fn cookbook(&self, method: Method, path: &str, body: Option<Value>) -> NcResult<Value> {
        self.app_json(method, &format!("{API}{path}"), body).await
    }

    /// `GET /recipes`: the whole library (the app does not page).
    pub async fn cookbook_recipes(&self) -> NcResult<Vec<RecipeStub>> {
        Ok(stubs(&self.cookbook(Method::GET, "/recipes", None).await?))
    }

    /// `GET /recipes/{id}`: the full schema.org object (open: extra keys survive).
    pub async fn cookbook_recipe(&self, id: i64) -> NcResult<Value> {
        self.cookbook(Method::GET, &format!("/recipes/{id}"), None)
            .await
    }

    /// `POST /recipes`: the new recipe's id.
    pub async fn cookbook_create(&self, recipe: &Value) -> NcResult<i64> {
        let raw = self
            .cookbook(Method::POST, "/recipes", Some(recipe.clone()))
            .await?;
        id_answer("POST", "/recipes", &raw)
    }

    /// `PUT /recipes/{id}`: a full replace; the body's `id` is always set to `id` (the app
    /// ignores the path id and would create a new recipe without it).
    pub async fn cookbook_update(&self, id: i64, recipe: &Value) -> NcResult<i64> {
        let mut body = recipe.clone();
        if let Some(map) = body.as_object_mut() {
            map.insert("id".into(), json!(id.to_string()));
        }
        let path = format!("/recipes/{id}");
        let raw = self.cookbook(Method::PUT, &path, Some(body)).await?;
        id_answer("PUT", &path, &raw)
    }

    /// `DELETE /recipes/{id}`: the app's message.
    pub async fn cookbook_delete(&self, id: i64) -> NcResult<String> {
        let raw = self
            .cookbook(Method::DELETE, &format!("/recipes/{id}"), None)
            .await?;
        Ok(raw.as_str().unwrap_or("deleted").to_string())
    }

    /// `GET /search/{query}`: name, keyword or category contains any of the words.
    pub async fn cookbook_search(&self, query: &str) -> NcResult<Vec<RecipeStub>> {
        let raw = self
            .cookbook(Method::GET, &format!("/search/{}", segment(query)), None)
            .await?;
        Ok(stubs(&raw))
    }

    /// `GET /categories` (`*` renamed `uncategorized`).
    pub async fn cookbook_categories(&self) -> NcResult<Vec<Facet>> {
        Ok(facets(
            &self.cookbook(Method::GET, "/categories", None).await?,
        ))
    }

    /// `GET /category/{name}`; `uncategorized` reads the recipes without a category (`_`).
    pub async fn cookbook_category(&self, name: &str) -> NcResult<Vec<RecipeStub>> {
        let name = if name == "uncategorized" { "_" } else { name };
        let raw = self
            .cookbook(Method::GET, &format!("/category/{}", segment(name)), None)
            .await?;
        Ok(stubs(&raw))
    }

    /// `GET /keywords`.
    pub async fn cookbook_keywords(&self) -> NcResult<Vec<Facet>> {
        Ok(facets(
            &self.cookbook(Method::GET, "/keywords", None).await?,
        ))
    }

    /// `GET /tags/{a,b}`: recipes carrying ALL the keywords (exact names).
    pub async fn cookbook_with_keywords(&self, keywords: &[String]) -> NcResult<Vec<RecipeStub>> {
        let raw = self
            .cookbook(
                Method::GET,
                &format!("/tags/{}", segment(&keywords.join(","))),
                None,
            )
            .await?;
        Ok(stubs(&raw))
    }

    /// `GET /config`.
    pub async fn cookbook_config(&self) -> NcResult<Value> {
        self.cookbook(Method::GET, "/config", None).await
    }

    /// `POST /config` with any subset of folder, update_interval, print_image.
    pub async fn cookbook_set_config(&self, changes: &Value) -> NcResult<()> {
        self.cookbook(Method::POST, "/config", Some(changes.clone()))
            .await?;
        Ok(())
    }

    /// `POST /reindex`: synchronous rescan; the app's message.
    pub async fn cookbook_reindex(&self) -> NcResult<String> {
        let raw = self.cookbook(Method::POST, "/reindex", None).await?;
        Ok(raw.as_str().unwrap_or("reindexed").to_string())
    }

    /// `POST /import {url}`: the NEXTCLOUD SERVER downloads the page and stores the recipe.
    pub async fn cookbook_import(&self, url: &str) -> NcResult<Value> {
        self.cookbook(Method::POST, "/import", Some(json!({"url": url})))
            .await
    }
}

fn id_answer(method: &str, path: &str, raw: &Value) -> NcResult<i64> {
    raw.as_i64()
        .or_else(|| raw.as_str().and_then(|s| s.trim().parse().ok()))
        .ok_or_else(|| {
            NextcloudError::new(
                format!("{method} /index.php{API}{path}"),
                ErrorKind::Decode(format!("expected a recipe id, got {raw}")),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nextcloud::client::error_message;

    #[test]
    fn cookbook_errors_keep_msg_or_the_bare_string_never_file_and_line() {
        let conflict = br#"{"msg":"Another recipe with that name already exists","file":"/var/www/x.php","line":252}"#;
        assert_eq!(
            error_message(conflict).1.as_deref(),
            Some("Another recipe with that name already exists")
        );
        assert_eq!(
            error_message(br#""The provided URL is not allowed.""#)
                .1
                .as_deref(),
            Some("The provided URL is not allowed.")
        );
    }

    #[test]
    fn keywords_and_uncategorized() {
        assert_eq!(
            split_keywords(Some(&json!("a, b,,c"))),
            vec!["a".to_string(), "b".into(), "c".into()]
        );
        let f = facets(&json!([{"name": "*", "recipe_count": 3}]));
        assert_eq!(f[0].name, "uncategorized");
    }
}
