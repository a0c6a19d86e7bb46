//! The Deck app: REST API v1.0 (`/index.php/apps/deck/api/v1.0/...`) for boards, stacks,
//! cards, labels, assignments and attachments, and the OCS API
//! (`/ocs/v2.php/apps/deck/api/v1.0/...`) for card comments.

pub mod types;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub use types::{Assignment, Attachment, Board, Card, Comment, DeckUser, Label, Stack};

use super::client::NextcloudClient;
use super::error::NcResult;

/// Base of the Deck REST API (an app route; `/index.php` is added by `app_request`).
const API: &str = "/apps/deck/api/v1.0";
/// Base of Deck's OCS API (comments).
const OCS: &str = "/ocs/v2.php/apps/deck/api/v1.0";

/// Fields of a card a caller may change; `None` keeps the current value.
#[derive(Debug, Default, Clone)]
pub struct CardChanges {
    /// New title.
    pub title: Option<String>,
    /// New description (Markdown); empty clears it.
    pub description: Option<String>,
    /// New type (`plain`).
    pub card_type: Option<String>,
    /// New owner (user id).
    pub owner: Option<String>,
    /// New position in the stack.
    pub order: Option<i64>,
    /// New due date (ISO 8601); empty clears it.
    pub duedate: Option<String>,
    /// Archive (true) or unarchive (false).
    pub archived: Option<bool>,
    /// Mark done (true) or not done (false).
    pub done: Option<bool>,
}

/// The full PUT payload Deck expects for a card: every field, taken from `card` unless
/// `changes` sets it (Deck resets fields missing from the payload).
pub fn card_update_payload(card: &Card, changes: &CardChanges, now_iso: &str) -> Value {
    let description = changes
        .description
        .clone()
        .or_else(|| card.description.clone())
        .unwrap_or_default();
    let duedate = match &changes.duedate {
        Some(d) if d.trim().is_empty() => Value::Null,
        Some(d) => Value::String(d.clone()),
        None => card
            .duedate
            .clone()
            .map(Value::String)
            .unwrap_or(Value::Null),
    };
    let done = match changes.done {
        Some(true) => Value::String(card.done.clone().unwrap_or_else(|| now_iso.to_string())),
        Some(false) => Value::Null,
        None => card.done.clone().map(Value::String).unwrap_or(Value::Null),
    };
    let owner = changes
        .owner
        .clone()
        .unwrap_or_else(|| card.owner.uid.clone());
    json!({
        "title": changes.title.clone().unwrap_or_else(|| card.title.clone()),
        "description": description,
        "type": changes.card_type.clone().unwrap_or_else(|| {
            if card.card_type.is_empty() { "plain".to_string() } else { card.card_type.clone() }
        }),
        "owner": owner,
        "order": changes.order.unwrap_or(card.order),
        "duedate": duedate,
        "archived": changes.archived.unwrap_or(card.archived),
        "done": done,
    })
}

fn card_path(board: i64, stack: i64, card: i64) -> String {
    format!("{API}/boards/{board}/stacks/{stack}/cards/{card}")
}

impl NextcloudClient {
    async fn deck<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> NcResult<T> {
        self.app_json(method, path, body).await
    }

    /// `GET /boards`: boards the user can see.
    pub async fn deck_boards(&self) -> NcResult<Vec<Board>> {
        self.deck(Method::GET, &format!("{API}/boards"), None).await
    }

    /// `GET /boards/{id}`.
    pub async fn deck_board(&self, board: i64) -> NcResult<Board> {
        self.deck(Method::GET, &format!("{API}/boards/{board}"), None)
            .await
    }

    /// `POST /boards`.
    pub async fn deck_create_board(&self, title: &str, color: &str) -> NcResult<Board> {
        let body = json!({"title": title, "color": color});
        self.deck(Method::POST, &format!("{API}/boards"), Some(body))
            .await
    }

    /// `GET /boards/{id}/stacks`: stacks with their cards that are not archived.
    pub async fn deck_stacks(&self, board: i64) -> NcResult<Vec<Stack>> {
        self.deck(Method::GET, &format!("{API}/boards/{board}/stacks"), None)
            .await
    }

    /// `GET /boards/{id}/stacks/archived`: stacks with their archived cards.
    pub async fn deck_archived_stacks(&self, board: i64) -> NcResult<Vec<Stack>> {
        self.deck(
            Method::GET,
            &format!("{API}/boards/{board}/stacks/archived"),
            None,
        )
        .await
    }

    /// `GET /boards/{b}/stacks/{s}`.
    pub async fn deck_stack(&self, board: i64, stack: i64) -> NcResult<Stack> {
        self.deck(
            Method::GET,
            &format!("{API}/boards/{board}/stacks/{stack}"),
            None,
        )
        .await
    }

    /// `POST /boards/{b}/stacks`.
    pub async fn deck_create_stack(&self, board: i64, title: &str, order: i64) -> NcResult<Stack> {
        let body = json!({"title": title, "order": order});
        self.deck(
            Method::POST,
            &format!("{API}/boards/{board}/stacks"),
            Some(body),
        )
        .await
    }

    /// `PUT /boards/{b}/stacks/{s}` (Deck wants both title and order).
    pub async fn deck_update_stack(
        &self,
        board: i64,
        stack: i64,
        title: &str,
        order: i64,
    ) -> NcResult<Stack> {
        let body = json!({"title": title, "order": order});
        self.deck(
            Method::PUT,
            &format!("{API}/boards/{board}/stacks/{stack}"),
            Some(body),
        )
        .await
    }

    /// `DELETE /boards/{b}/stacks/{s}`.
    pub async fn deck_delete_stack(&self, board: i64, stack: i64) -> NcResult<Value> {
        self.deck(
            Method::DELETE,
            &format!("{API}/boards/{board}/stacks/{stack}"),
            None,
        )
        .await
    }

    /// `GET .../cards/{c}`.
    pub async fn deck_card(&self, board: i64, stack: i64, card: i64) -> NcResult<Card> {
        self.deck(Method::GET, &card_path(board, stack, card), None)
            .await
    }

    /// `POST /boards/{b}/stacks/{s}/cards`.
    pub async fn deck_create_card(&self, board: i64, stack: i64, body: Value) -> NcResult<Card> {
        self.deck(
            Method::POST,
            &format!("{API}/boards/{board}/stacks/{stack}/cards"),
            Some(body),
        )
        .await
    }

    /// `PUT .../cards/{c}` with a full payload (see [`card_update_payload`]). The stack in the
    /// path is where the card ends up, so this also moves a card.
    pub async fn deck_put_card(
        &self,
        board: i64,
        stack: i64,
        card: i64,
        payload: Value,
    ) -> NcResult<Card> {
        self.deck(Method::PUT, &card_path(board, stack, card), Some(payload))
            .await
    }

    /// Reads the card, merges `changes` and writes the full payload back.
    pub async fn deck_update_card(
        &self,
        board: i64,
        stack: i64,
        card: i64,
        changes: &CardChanges,
    ) -> NcResult<Card> {
        let current = self.deck_card(board, stack, card).await?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let payload = card_update_payload(&current, changes, &now);
        self.deck_put_card(board, stack, card, payload).await
    }

    /// `DELETE .../cards/{c}`.
    pub async fn deck_delete_card(&self, board: i64, stack: i64, card: i64) -> NcResult<Value> {
        self.deck(Method::DELETE, &card_path(board, stack, card), None)
            .await
    }

    /// `PUT .../cards/{c}/archive` or `/unarchive`.
    pub async fn deck_archive_card(
        &self,
        board: i64,
        stack: i64,
        card: i64,
        archive: bool,
    ) -> NcResult<Card> {
        let verb = if archive { "archive" } else { "unarchive" };
        let path = format!("{}/{verb}", card_path(board, stack, card));
        self.deck(Method::PUT, &path, None).await
    }

    /// `PUT .../cards/{c}/reorder {order, stackId}`: moves the card to `target_stack` at `order`.
    pub async fn deck_reorder_card(
        &self,
        board: i64,
        stack: i64,
        card: i64,
        order: i64,
        target_stack: i64,
    ) -> NcResult<Value> {
        let path = format!("{}/reorder", card_path(board, stack, card));
        let body = json!({"order": order, "stackId": target_stack});
        self.deck(Method::PUT, &path, Some(body)).await
    }

    /// `PUT .../cards/{c}/assignLabel` or `/removeLabel`.
    pub async fn deck_card_label(
        &self,
        board: i64,
        stack: i64,
        card: i64,
        label: i64,
        assign: bool,
    ) -> NcResult<Value> {
        let verb = if assign { "assignLabel" } else { "removeLabel" };
        let path = format!("{}/{verb}", card_path(board, stack, card));
        self.deck(Method::PUT, &path, Some(json!({"labelId": label})))
            .await
    }

    /// `PUT .../cards/{c}/assignUser` or `/unassignUser`.
    pub async fn deck_card_user(
        &self,
        board: i64,
        stack: i64,
        card: i64,
        user: &str,
        assign: bool,
    ) -> NcResult<Value> {
        let verb = if assign { "assignUser" } else { "unassignUser" };
        let path = format!("{}/{verb}", card_path(board, stack, card));
        self.deck(Method::PUT, &path, Some(json!({"userId": user})))
            .await
    }

    /// `POST` / `DELETE .../cards/{c}/dependentCards/{d}` (Deck versions with dependent cards).
    pub async fn deck_dependent_card(
        &self,
        board: i64,
        stack: i64,
        card: i64,
        dependent: i64,
        add: bool,
    ) -> NcResult<Value> {
        let method = if add { Method::POST } else { Method::DELETE };
        let path = format!(
            "{}/dependentCards/{dependent}",
            card_path(board, stack, card)
        );
        self.deck(method, &path, None).await
    }

    /// `GET /boards/{b}/labels/{l}`.
    pub async fn deck_label(&self, board: i64, label: i64) -> NcResult<Label> {
        self.deck(
            Method::GET,
            &format!("{API}/boards/{board}/labels/{label}"),
            None,
        )
        .await
    }

    /// `POST /boards/{b}/labels`.
    pub async fn deck_create_label(&self, board: i64, title: &str, color: &str) -> NcResult<Label> {
        let body = json!({"title": title, "color": color});
        self.deck(
            Method::POST,
            &format!("{API}/boards/{board}/labels"),
            Some(body),
        )
        .await
    }

    /// `PUT /boards/{b}/labels/{l}` (Deck wants title and color).
    pub async fn deck_update_label(
        &self,
        board: i64,
        label: i64,
        title: &str,
        color: &str,
    ) -> NcResult<Label> {
        let body = json!({"title": title, "color": color});
        self.deck(
            Method::PUT,
            &format!("{API}/boards/{board}/labels/{label}"),
            Some(body),
        )
        .await
    }

    /// `DELETE /boards/{b}/labels/{l}`.
    pub async fn deck_delete_label(&self, board: i64, label: i64) -> NcResult<Value> {
        self.deck(
            Method::DELETE,
            &format!("{API}/boards/{board}/labels/{label}"),
            None,
        )
        .await
    }

    /// `GET .../cards/{c}/attachments`.
    pub async fn deck_attachments(
        &self,
        board: i64,
        stack: i64,
        card: i64,
    ) -> NcResult<Vec<Attachment>> {
        let path = format!("{}/attachments", card_path(board, stack, card));
        self.deck(Method::GET, &path, None).await
    }

    /// `DELETE .../cards/{c}/attachments/{a}?type=...` (`file` or `deck_file`).
    pub async fn deck_delete_attachment(
        &self,
        board: i64,
        stack: i64,
        card: i64,
        attachment: i64,
        kind: &str,
    ) -> NcResult<Value> {
        let path = format!(
            "{}/attachments/{attachment}?type={}",
            card_path(board, stack, card),
            percent_encoding::utf8_percent_encode(kind, percent_encoding::NON_ALPHANUMERIC)
        );
        self.deck(Method::DELETE, &path, None).await
    }

    /// `GET` OCS `cards/{c}/comments?limit=&offset=` (newest first).
    pub async fn deck_comments(
        &self,
        card: i64,
        limit: u32,
        offset: u32,
    ) -> NcResult<Vec<Comment>> {
        let path = format!("{OCS}/cards/{card}/comments?limit={limit}&offset={offset}");
        self.ocs(Method::GET, &path, None).await
    }

    /// `POST` OCS `cards/{c}/comments {message, parentId}`.
    pub async fn deck_create_comment(
        &self,
        card: i64,
        message: &str,
        parent: Option<i64>,
    ) -> NcResult<Comment> {
        let path = format!("{OCS}/cards/{card}/comments");
        let body = json!({"message": message, "parentId": parent});
        self.ocs(Method::POST, &path, Some(&body)).await
    }

    /// `PUT` OCS `cards/{c}/comments/{id} {message}`.
    pub async fn deck_update_comment(
        &self,
        card: i64,
        comment: i64,
        message: &str,
    ) -> NcResult<Comment> {
        let path = format!("{OCS}/cards/{card}/comments/{comment}");
        self.ocs(Method::PUT, &path, Some(&json!({"message": message})))
            .await
    }

    /// `DELETE` OCS `cards/{c}/comments/{id}`.
    pub async fn deck_delete_comment(&self, card: i64, comment: i64) -> NcResult<Value> {
        let path = format!("{OCS}/cards/{card}/comments/{comment}");
        self.ocs_value(Method::DELETE, &path, None).await
    }

    /// Shares a file of the user with a Deck card (files_sharing OCS, `shareType=12`), which
    /// makes it a card attachment.
    pub async fn deck_share_file_with_card(&self, path: &str, card: i64) -> NcResult<Value> {
        let body = json!({"path": path, "shareType": 12, "shareWith": card.to_string()});
        self.ocs_value(
            Method::POST,
            "/ocs/v2.php/apps/files_sharing/api/v1/shares",
            Some(&body),
        )
        .await
    }

    /// Notes settings (`notesPath`, `fileSuffix`), to find a note's file for a card attachment.
    pub async fn deck_notes_settings(&self) -> NcResult<Value> {
        let path = "/apps/notes/api/v1/settings";
        self.json(
            &format!("GET {}", super::client::app_url(path)),
            self.app_request(Method::GET, path),
        )
        .await
    }
}

/// True when `version` (e.g. `1.18.2`) is at least `minimum` (e.g. `1.18.0`).
pub fn version_at_least(version: &str, minimum: &str) -> bool {
    fn parts(v: &str) -> Vec<u64> {
        v.split(['.', '-', '+'])
            .take(3)
            .map(|p| {
                p.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0)
            })
            .collect()
    }
    let (a, b) = (parts(version), parts(minimum));
    for i in 0..3 {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x > y;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> Card {
        serde_json::from_value(json!({
            "id": 10, "title": "Test", "description": "keep me", "stackId": 6, "type": "plain",
            "owner": {"primaryKey": "admin", "uid": "admin", "displayname": "Administrator"},
            "order": 3, "archived": false, "done": "2024-01-01T00:00:00+00:00",
            "duedate": "2019-12-24T19:29:30+00:00", "labels": null, "assignedUsers": null
        }))
        .unwrap()
    }

    #[test]
    fn payload_keeps_untouched_fields() {
        let changes = CardChanges {
            title: Some("New".into()),
            ..Default::default()
        };
        let p = card_update_payload(&card(), &changes, "now");
        assert_eq!(p["title"], "New");
        assert_eq!(p["description"], "keep me");
        assert_eq!(p["owner"], "admin");
        assert_eq!(p["order"], 3);
        assert_eq!(p["duedate"], "2019-12-24T19:29:30+00:00");
        assert_eq!(p["done"], "2024-01-01T00:00:00+00:00");
        assert_eq!(p["type"], "plain");
    }

    #[test]
    fn payload_clears_and_sets_done() {
        let mut c = card();
        let p = card_update_payload(
            &c,
            &CardChanges {
                done: Some(false),
                duedate: Some(String::new()),
                ..Default::default()
            },
            "now",
        );
        assert!(p["done"].is_null() && p["duedate"].is_null());
        c.done = None;
        let p = card_update_payload(
            &c,
            &CardChanges {
                done: Some(true),
                ..Default::default()
            },
            "now",
        );
        assert_eq!(p["done"], "now");
    }

    #[test]
    fn versions() {
        assert!(version_at_least("1.18.0", "1.18.0"));
        assert!(version_at_least("1.19.1", "1.18.0"));
        assert!(version_at_least("2.0", "1.18.0"));
        assert!(!version_at_least("1.14.3", "1.18.0"));
        assert!(!version_at_least("0.8.0", "1.18.0"));
    }
}
