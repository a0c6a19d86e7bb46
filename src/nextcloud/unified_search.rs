//! Nextcloud's unified search (OCS, core, since Nextcloud 20): `GET /ocs/v2.php/search/providers`
//! lists the search providers of the user's apps (files, comments, notes, Deck, Talk, mail,
//! full-text search...), and `GET /ocs/v2.php/search/providers/{id}/search` runs one of them.
//! Shapes as `core/Controller/UnifiedSearchController.php` and `OCP\Search\SearchResult*`
//! serialise them; samples in `tests/fakes/nextcloud/apps/unified_search.py`.

use std::collections::BTreeMap;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{NcResult, NextcloudClient};

/// One search provider (`CoreUnifiedSearchProvider`).
#[derive(Debug, Clone, Deserialize)]
pub struct SearchProvider {
    /// Provider id, e.g. `files`, `notes`, `talk-message`.
    pub id: String,
    /// Translated name, e.g. "Files".
    #[serde(default)]
    pub name: String,
    /// Sort order Nextcloud gives the provider (lower first).
    #[serde(default)]
    pub order: i64,
}

/// One result (`SearchResultEntry::jsonSerialize`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchEntry {
    /// Main line.
    #[serde(default)]
    pub title: String,
    /// Secondary line (e.g. "in Documents" for files).
    #[serde(default)]
    pub subline: String,
    /// Deep link into the app (absolute or server-relative).
    #[serde(default)]
    pub resource_url: String,
    /// Provider-specific attributes (files: `fileId`, `path`). PHP sends `[]` when empty.
    #[serde(default, deserialize_with = "string_map")]
    pub attributes: BTreeMap<String, String>,
}

/// One page of one provider (`SearchResult::jsonSerialize`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    /// Translated section name, e.g. "Files".
    #[serde(default)]
    pub name: String,
    /// Whether more pages can be asked for with `cursor`.
    #[serde(default)]
    pub is_paginated: bool,
    /// The results.
    #[serde(default)]
    pub entries: Vec<SearchEntry>,
    /// Cursor of the next page (int or string), when paginated.
    #[serde(default)]
    pub cursor: Value,
}

impl SearchPage {
    /// The next-page cursor as a string, when the provider pages and gave one.
    pub fn next_cursor(&self) -> Option<String> {
        if !self.is_paginated {
            return None;
        }
        match &self.cursor {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// Attributes: a JSON object of scalars, or `[]` (an empty PHP array).
fn string_map<'de, D: Deserializer<'de>>(de: D) -> Result<BTreeMap<String, String>, D::Error> {
    let value = Value::deserialize(de)?;
    let Value::Object(map) = value else {
        return Ok(BTreeMap::new());
    };
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k, s)),
            Value::Number(n) => Some((k, n.to_string())),
            Value::Bool(b) => Some((k, b.to_string())),
            _ => None,
        })
        .collect())
}

impl NextcloudClient {
    /// The unified search providers available to the user, in Nextcloud's order.
    pub async fn search_providers(&self) -> NcResult<Vec<SearchProvider>> {
        let mut providers: Vec<SearchProvider> = self
            .ocs(Method::GET, "/ocs/v2.php/search/providers", None)
            .await?;
        providers.sort_by_key(|p| p.order);
        Ok(providers)
    }

    /// One page of one provider's results for `term`.
    pub async fn unified_search(
        &self,
        provider: &str,
        term: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> NcResult<SearchPage> {
        let path = format!(
            "/ocs/v2.php/search/providers/{}/search?{}",
            utf8_percent_encode(provider, NON_ALPHANUMERIC),
            search_query(term, limit, cursor)
        );
        self.ocs(Method::GET, &path, None).await
    }
}

/// `term=&limit=&cursor=`, form-encoded.
fn search_query(term: &str, limit: u32, cursor: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("term", term);
    query.append_pair("limit", &limit.to_string());
    if let Some(cursor) = cursor {
        query.append_pair("cursor", cursor);
    }
    query.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_files_page_and_an_empty_attribute_array() {
        let page: SearchPage = serde_json::from_value(serde_json::json!({
            "name": "Files", "isPaginated": true, "cursor": 5,
            "entries": [
                {"thumbnailUrl": "", "title": "report.pdf", "subline": "in Documents",
                 "resourceUrl": "https://cloud.example/index.php/f/12", "icon": "icon-filetype-pdf",
                 "rounded": false, "attributes": {"fileId": "12", "path": "/Documents/report.pdf"}},
                {"thumbnailUrl": "", "title": "x", "subline": "", "resourceUrl": "/x", "icon": "",
                 "rounded": false, "attributes": []}
            ]
        }))
        .unwrap();
        assert_eq!(page.next_cursor().as_deref(), Some("5"));
        assert_eq!(page.entries[0].attributes["path"], "/Documents/report.pdf");
        assert!(page.entries[1].attributes.is_empty());
        let complete: SearchPage = serde_json::from_value(serde_json::json!({
            "name": "Notes", "isPaginated": false, "cursor": null, "entries": []
        }))
        .unwrap();
        assert_eq!(complete.next_cursor(), None);
    }
}
