//! Filtering and compact projections of Deck boards, so a board overview fits in a model's
//! context: status/label/assignee filters, summary vs full cards, description previews, and
//! a note whenever something was left out or shortened.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::nextcloud::deck::{Card, Stack};

/// Which cards to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not archived and not done (default).
    #[default]
    Open,
    /// Marked done, not archived.
    Done,
    /// Archived cards only.
    Archived,
    /// Everything, archived included.
    All,
}

impl Status {
    /// Whether archived cards must be read too (a second call).
    pub fn wants_archived(self) -> bool {
        matches!(self, Status::Archived | Status::All)
    }

    fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Done => "done",
            Status::Archived => "archived",
            Status::All => "all",
        }
    }
}

/// How much of each card to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// Title, labels, assignees, dates and a description preview (default).
    #[default]
    Summary,
    /// Every field, with the description (shortened only if description_max_length says so).
    Full,
}

/// Filter and projection options shared by the board, stack and card listings.
#[derive(Debug, Clone)]
pub struct Projection {
    /// Cards to show by status.
    pub status: Status,
    /// Label title or id the card must carry.
    pub label: Option<String>,
    /// User id or display name the card must be assigned to.
    pub assigned_to: Option<String>,
    /// Summary or full cards.
    pub detail: Detail,
    /// Full detail: cut descriptions to this many characters.
    pub description_max_length: Option<usize>,
    /// Summary detail: length of the description preview (0 = none).
    pub description_preview_length: usize,
    /// Whether cards are listed at all.
    pub include_cards: bool,
    /// Full detail: leave out Deck's attachment count of cards that have attachments, because
    /// it also counts files this server hides (`toolsets.files.excluded_tags` configured).
    pub withhold_attachment_counts: bool,
}

/// A card as listed: always the essentials, the rest with `detail='full'`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CardView {
    /// Card id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Stack id.
    pub stack_id: i64,
    /// Position in the stack.
    pub order: i64,
    /// Label titles.
    pub labels: Vec<String>,
    /// Assigned user ids.
    pub assignees: Vec<String>,
    /// Due date (ISO 8601) or null.
    pub duedate: Option<String>,
    /// When the card was marked done, or null.
    pub done: Option<String>,
    /// Whether the card is archived.
    pub archived: bool,
    /// Start of the description, whitespace collapsed (summary detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_preview: Option<String>,
    /// Description (full detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// True when the description shown was shortened; read the card for all of it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub description_truncated: bool,
    /// Owner's user id (full detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Card type (full detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_type: Option<String>,
    /// Number of attachments (full detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment_count: Option<i64>,
    /// Unread comments (full detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments_unread: Option<i64>,
    /// Creation time, epoch seconds (full detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    /// Last change, epoch seconds (full detail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<i64>,
}

/// A stack as listed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StackView {
    /// Stack id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Position on the board.
    pub order: i64,
    /// Cards matching the filters.
    pub card_count: usize,
    /// The matching cards (absent when include_cards is false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cards: Option<Vec<CardView>>,
}

/// What a projection produced besides the stacks: counts and notes on what was left out.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Cards matching the filters.
    pub shown: usize,
    /// Cards hidden by the filters.
    pub hidden: usize,
    /// Descriptions shortened.
    pub shortened: usize,
    /// Attachment counts left out (see [`Projection::withhold_attachment_counts`]).
    pub counts_withheld: usize,
}

impl Outcome {
    /// Human-readable notes on what was cut, for the `notes` field of results.
    pub fn notes(&self, p: &Projection) -> Vec<String> {
        let mut notes = Vec::new();
        if self.hidden > 0 {
            let mut filters = vec![format!("status={}", p.status.as_str())];
            if let Some(l) = &p.label {
                filters.push(format!("label={l}"));
            }
            if let Some(a) = &p.assigned_to {
                filters.push(format!("assigned_to={a}"));
            }
            notes.push(format!(
                "{} card(s) hidden by the filters ({}); use status='all' and no label/assigned_to to see every card",
                self.hidden,
                filters.join(", ")
            ));
        }
        if !p.include_cards && self.shown > 0 {
            notes.push(format!(
                "cards not listed (include_cards=false); {} card(s) match",
                self.shown
            ));
        }
        if self.shortened > 0 {
            notes.push(format!(
                "{} description(s) shortened; call deck_get_card for the full text",
                self.shortened
            ));
        }
        if self.counts_withheld > 0 {
            notes.push(format!(
                "attachment_count left out for {} card(s) with attachments: Deck's count includes files this server hides (toolsets.files.excluded_tags); deck_get_card counts the visible ones, deck_list_attachments lists them",
                self.counts_withheld
            ));
        }
        notes
    }
}

/// Merges the archived cards (from `/stacks/archived`) into the stacks they belong to.
pub fn merge_archived(stacks: &mut Vec<Stack>, archived: Vec<Stack>) {
    for a in archived {
        match stacks.iter_mut().find(|s| s.id == a.id) {
            Some(s) => s.cards.extend(a.cards),
            None => stacks.push(a),
        }
    }
}

/// Whether a card passes the filters.
pub fn matches(card: &Card, p: &Projection) -> bool {
    let status_ok = match p.status {
        Status::Open => !card.archived && card.done.is_none(),
        Status::Done => !card.archived && card.done.is_some(),
        Status::Archived => card.archived,
        Status::All => true,
    };
    let label_ok = p.label.as_deref().is_none_or(|wanted| {
        let wanted = wanted.trim();
        card.labels.iter().any(|l| {
            l.title.eq_ignore_ascii_case(wanted) || wanted.parse::<i64>().is_ok_and(|id| id == l.id)
        })
    });
    let user_ok = p.assigned_to.as_deref().is_none_or(|wanted| {
        let wanted = wanted.trim();
        card.assigned_users.iter().any(|a| {
            a.participant.uid.eq_ignore_ascii_case(wanted)
                || a.participant.displayname.eq_ignore_ascii_case(wanted)
        })
    });
    status_ok && label_ok && user_ok
}

/// Cuts `text` to `max` characters; returns the text and whether it was cut.
pub fn cut(text: &str, max: usize) -> (String, bool) {
    if text.chars().count() <= max {
        return (text.to_string(), false);
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    (out, true)
}

/// The listed form of one card.
pub fn card_view(card: &Card, p: &Projection, outcome: &mut Outcome) -> CardView {
    let description = card.description.clone().unwrap_or_default();
    let mut view = CardView {
        id: card.id,
        title: card.title.clone(),
        stack_id: card.stack_id,
        order: card.order,
        labels: card.labels.iter().map(|l| l.title.clone()).collect(),
        assignees: card
            .assigned_users
            .iter()
            .map(|a| a.participant.uid.clone())
            .collect(),
        duedate: card.duedate.clone(),
        done: card.done.clone(),
        archived: card.archived,
        description_preview: None,
        description: None,
        description_truncated: false,
        owner: None,
        card_type: None,
        attachment_count: None,
        comments_unread: None,
        created_at: None,
        last_modified: None,
    };
    match p.detail {
        Detail::Summary => {
            if p.description_preview_length > 0 && !description.trim().is_empty() {
                let collapsed = description.split_whitespace().collect::<Vec<_>>().join(" ");
                let (text, was_cut) = cut(&collapsed, p.description_preview_length);
                view.description_preview = Some(text);
                view.description_truncated = was_cut;
                if was_cut {
                    outcome.shortened += 1;
                }
            }
        }
        Detail::Full => {
            let (text, was_cut) = match p.description_max_length {
                Some(max) => cut(&description, max),
                None => (description, false),
            };
            view.description = Some(text);
            view.description_truncated = was_cut;
            if was_cut {
                outcome.shortened += 1;
            }
            view.owner = Some(card.owner.uid.clone());
            view.card_type = Some(card.card_type.clone());
            if p.withhold_attachment_counts && card.attachment_count > 0 {
                outcome.counts_withheld += 1;
            } else {
                view.attachment_count = Some(card.attachment_count);
            }
            view.comments_unread = Some(card.comments_unread);
            view.created_at = Some(card.created_at);
            view.last_modified = Some(card.last_modified);
        }
    }
    view
}

/// Filters and projects the cards of one list.
pub fn cards_view(cards: &[Card], p: &Projection, outcome: &mut Outcome) -> Vec<CardView> {
    let mut sorted: Vec<&Card> = cards.iter().collect();
    sorted.sort_by_key(|c| (c.order, c.id));
    let mut out = Vec::new();
    for card in sorted {
        if matches(card, p) {
            outcome.shown += 1;
            out.push(card_view(card, p, outcome));
        } else {
            outcome.hidden += 1;
        }
    }
    out
}

/// Filters and projects stacks (sorted by order).
pub fn stacks_view(stacks: &[Stack], p: &Projection, outcome: &mut Outcome) -> Vec<StackView> {
    let mut sorted: Vec<&Stack> = stacks.iter().collect();
    sorted.sort_by_key(|s| (s.order, s.id));
    sorted
        .into_iter()
        .map(|s| {
            let cards = cards_view(&s.cards, p, outcome);
            StackView {
                id: s.id,
                title: s.title.clone(),
                order: s.order,
                card_count: cards.len(),
                cards: p.include_cards.then_some(cards),
            }
        })
        .collect()
}

/// Whether a card is overdue at `now` (due date passed, not done, not archived).
pub fn overdue(card: &Card, now: chrono::DateTime<chrono::Utc>) -> bool {
    if card.done.is_some() || card.archived {
        return false;
    }
    card.duedate
        .as_deref()
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .is_some_and(|d| d < now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn card(id: i64, done: bool, archived: bool, label: &str, user: &str, desc: &str) -> Card {
        serde_json::from_value(json!({
            "id": id, "title": format!("c{id}"), "stackId": 1, "order": id, "archived": archived,
            "done": if done { json!("2024-01-01T00:00:00+00:00") } else { json!(null) },
            "description": desc,
            "labels": [{"id": 7, "title": label, "color": "ff0000"}],
            "assignedUsers": [{"id": 1, "participant": {"uid": user, "displayname": user.to_uppercase()}, "cardId": id}],
        }))
        .unwrap()
    }

    fn projection(status: Status) -> Projection {
        Projection {
            status,
            label: None,
            assigned_to: None,
            detail: Detail::Summary,
            description_max_length: None,
            description_preview_length: 5,
            include_cards: true,
            withhold_attachment_counts: false,
        }
    }

    #[test]
    fn status_label_and_assignee_filters() {
        let cards = [
            card(1, false, false, "Bug", "alice", ""),
            card(2, true, false, "Bug", "bob", ""),
            card(3, false, true, "Later", "alice", ""),
        ];
        let count = |p: &Projection| cards.iter().filter(|c| matches(c, p)).count();
        assert_eq!(count(&projection(Status::Open)), 1);
        assert_eq!(count(&projection(Status::Done)), 1);
        assert_eq!(count(&projection(Status::Archived)), 1);
        let mut p = projection(Status::All);
        assert_eq!(count(&p), 3);
        p.label = Some("bug".into());
        assert_eq!(count(&p), 2);
        p.assigned_to = Some("ALICE".into());
        assert_eq!(count(&p), 1);
        p.label = Some("7".into());
        assert_eq!(count(&p), 2);
    }

    #[test]
    fn previews_are_cut_and_noted() {
        let cards = vec![
            card(1, false, false, "Bug", "alice", "hello   world"),
            card(2, false, false, "x", "y", "hi"),
        ];
        let p = projection(Status::Open);
        let mut outcome = Outcome::default();
        let views = cards_view(&cards, &p, &mut outcome);
        assert_eq!(views[0].description_preview.as_deref(), Some("hello…"));
        assert!(views[0].description_truncated);
        assert_eq!(views[1].description_preview.as_deref(), Some("hi"));
        assert_eq!(outcome.shortened, 1);
        assert!(outcome.notes(&p)[0].contains("1 description(s) shortened"));
    }

    #[test]
    fn attachment_counts_are_withheld_only_where_files_may_be_hidden() {
        let mut with_files = card(1, false, false, "Bug", "alice", "");
        with_files.attachment_count = 2;
        let cards = vec![with_files, card(2, false, false, "x", "y", "")];
        let mut p = projection(Status::Open);
        p.detail = Detail::Full;
        let mut outcome = Outcome::default();
        let counts =
            |views: Vec<CardView>| views.iter().map(|v| v.attachment_count).collect::<Vec<_>>();
        assert_eq!(
            counts(cards_view(&cards, &p, &mut outcome)),
            [Some(2), Some(0)]
        );
        assert!(outcome.notes(&p).is_empty());
        p.withhold_attachment_counts = true;
        assert_eq!(
            counts(cards_view(&cards, &p, &mut outcome)),
            [None, Some(0)]
        );
        assert_eq!(outcome.counts_withheld, 1);
        assert!(outcome.notes(&p)[0].starts_with("attachment_count left out for 1 card(s)"));
    }

    #[test]
    fn hidden_cards_are_noted() {
        let cards = vec![card(1, true, false, "Bug", "alice", "")];
        let p = projection(Status::Open);
        let mut outcome = Outcome::default();
        assert!(cards_view(&cards, &p, &mut outcome).is_empty());
        assert!(outcome.notes(&p)[0].starts_with("1 card(s) hidden"));
    }
}
