//! Conversations and participants: list, read, create, add participants, list participants.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{has_feature, talk_error, token_arg};
use crate::nextcloud::talk::{Conversation, NewConversation, Participant, conversation_from};
use crate::tools::{NextcloudMcp, ToolError};

const SOURCES: &[&str] = &[
    "users",
    "groups",
    "circles",
    "teams",
    "emails",
    "federated_users",
    "phones",
];

fn default_room_type() -> i64 {
    2
}

fn default_source() -> String {
    "users".into()
}

fn default_list_limit() -> u32 {
    100
}

/// Arguments of talk_list_conversations.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListConversationsArgs {
    /// Only conversations changed since this Unix time (pass `modified_before` of an earlier answer). Removed conversations are not reported this way.
    #[serde(default)]
    pub modified_since: Option<i64>,
    /// Include the user status of one-to-one partners.
    #[serde(default)]
    pub include_status: bool,
    /// Only conversations with unread messages.
    #[serde(default)]
    pub unread_only: bool,
    /// Most conversations returned, newest activity first (1-500, default 100).
    #[serde(default = "default_list_limit")]
    pub limit: u32,
}

/// Arguments naming one conversation.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TokenArgs {
    /// Conversation token (from talk_list_conversations), e.g. `k4x9qj2m`.
    pub token: String,
}

/// Arguments of talk_list_participants.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListParticipantsArgs {
    /// Conversation token.
    pub token: String,
    /// Include each user's status (online, away, dnd) and status message.
    #[serde(default)]
    pub include_status: bool,
}

/// Arguments of talk_create_conversation.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateConversationArgs {
    /// Name of a group or public conversation (required for those; ignored for one-to-one).
    #[serde(default)]
    pub room_name: Option<String>,
    /// 1 one-to-one, 2 group (default), 3 public (joinable by link).
    #[serde(default = "default_room_type")]
    pub room_type: i64,
    /// A user id: the other person of a one-to-one conversation, or a first user to add to a group/public one.
    #[serde(default)]
    pub invite: Option<String>,
    /// More user ids to add (group/public conversations).
    #[serde(default)]
    pub users: Vec<String>,
    /// Group ids whose members are added (group/public conversations).
    #[serde(default)]
    pub groups: Vec<String>,
    /// E-mail addresses to invite as guests (makes the conversation public).
    #[serde(default)]
    pub emails: Vec<String>,
    /// Description of the conversation.
    #[serde(default)]
    pub description: Option<String>,
}

/// Arguments of talk_add_participant.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AddParticipantArgs {
    /// Conversation token.
    pub token: String,
    /// User id, group id, team id, e-mail address, federated cloud id or phone number (per `source`).
    pub participant: String,
    /// What `participant` is: users (default), groups, circles (teams), emails, federated_users or phones.
    #[serde(default = "default_source")]
    pub source: String,
}

/// Result of talk_list_conversations.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ConversationList {
    /// Conversations, most recent activity first.
    pub conversations: Vec<Conversation>,
    /// Number returned.
    pub count: usize,
    /// Conversations matching before `limit` was applied.
    pub total: usize,
    /// Pass as `modified_since` next time to get only changes.
    pub modified_before: Option<i64>,
}

/// Result of talk_get_conversation.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ConversationDetail {
    /// The conversation.
    #[serde(flatten)]
    pub conversation: Conversation,
    /// False when the user can see the conversation (public or listable) without being a participant.
    pub is_participant: bool,
}

/// Result of talk_list_participants.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ParticipantList {
    /// Conversation token.
    pub token: String,
    /// Participants (groups and teams appear as their own entries besides their members).
    pub participants: Vec<Participant>,
    /// Number of participants.
    pub count: usize,
}

/// Result of talk_create_conversation.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreatedConversation {
    /// The conversation; use its `token` with the other Talk tools.
    pub conversation: Conversation,
    /// False when a one-to-one conversation with that user already existed and is returned instead.
    pub created: bool,
    /// Participants added, as `source:id`.
    pub added: Vec<String>,
    /// Participants that could not be added, as `source:id` with the reason.
    pub failed: Vec<String>,
}

/// Result of talk_add_participant.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AddedParticipant {
    /// Conversation token.
    pub token: String,
    /// Who was added (adding someone already there changes nothing).
    pub participant: String,
    /// Their kind.
    pub source: String,
    /// Set when inviting an e-mail guest turned the conversation public (type 3).
    pub conversation_type: Option<i64>,
}

fn clean(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[tool_router(router = talk_conversations_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the user's Talk conversations, most recent activity first: token (for the other Talk tools), type, name, unread counts and mention flag, and the last message rendered as text.
    #[tool(
        name = "talk_list_conversations",
        input_schema = crate::tools::catalogue::input::<ListConversationsArgs>(),
        output_schema = crate::tools::catalogue::output::<ConversationList>(),
        annotations(
            title = "List Talk conversations",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_list_conversations(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListConversationsArgs>,
    ) -> Result<Json<ConversationList>, ToolError> {
        if !(1..=500).contains(&args.limit) {
            return Err(ToolError::invalid("limit", "must be between 1 and 500"));
        }
        let (client, _) = self.talk_client(&ctx).await?;
        let (mut rooms, modified_before) = client
            .talk_rooms(args.modified_since, args.include_status)
            .await
            .map_err(talk_error)?;
        if args.unread_only {
            rooms.retain(|r| r.unread_messages > 0);
        }
        // Talk does not sort; ISO times of one offset sort like the instants they name.
        rooms.sort_by(|a, b| b.last_activity.cmp(&a.last_activity));
        let total = rooms.len();
        rooms.truncate(args.limit as usize);
        self.hide_talk_files(
            &client,
            rooms.iter_mut().filter_map(|r| r.last_message.as_mut()),
        )
        .await?;
        Ok(Json(ConversationList {
            count: rooms.len(),
            conversations: rooms,
            total,
            modified_before,
        }))
    }

    /// Read one conversation by token: type, name, description, unread counts, the user's role and permissions, and the last message.
    #[tool(
        name = "talk_get_conversation",
        input_schema = crate::tools::catalogue::input::<TokenArgs>(),
        output_schema = crate::tools::catalogue::output::<ConversationDetail>(),
        annotations(
            title = "Get Talk conversation",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_get_conversation(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<TokenArgs>,
    ) -> Result<Json<ConversationDetail>, ToolError> {
        let token = token_arg(&args.token)?;
        let (client, _) = self.talk_client(&ctx).await?;
        let raw = client.talk_room_raw(&token).await.map_err(talk_error)?;
        let mut conversation = conversation_from(&raw)
            .ok_or_else(|| ToolError::new("Talk answered without a conversation"))?;
        self.hide_talk_files(&client, conversation.last_message.as_mut())
            .await?;
        let is_participant = raw
            .get("participantType")
            .and_then(Value::as_i64)
            .is_some_and(|t| t > 0)
            && raw
                .get("attendeeId")
                .and_then(Value::as_i64)
                .is_some_and(|a| a > 0);
        Ok(Json(ConversationDetail {
            conversation,
            is_participant,
        }))
    }

    /// List the participants of a conversation: users, groups, e-mail guests..., with their role, whether they are online or in the call, and optionally their status.
    #[tool(
        name = "talk_list_participants",
        input_schema = crate::tools::catalogue::input::<ListParticipantsArgs>(),
        output_schema = crate::tools::catalogue::output::<ParticipantList>(),
        annotations(
            title = "List Talk participants",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_list_participants(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListParticipantsArgs>,
    ) -> Result<Json<ParticipantList>, ToolError> {
        let token = token_arg(&args.token)?;
        let (client, _) = self.talk_client(&ctx).await?;
        let participants = client
            .talk_participants(&token, args.include_status)
            .await
            .map_err(talk_error)?;
        Ok(Json(ParticipantList {
            token,
            count: participants.len(),
            participants,
        }))
    }

    /// Create a Talk conversation: one-to-one with a user (`room_type` 1, `invite` = their user id; returns the existing one if there is one), or a group/public conversation with a name, adding users, groups and e-mail guests.
    #[tool(
        name = "talk_create_conversation",
        input_schema = crate::tools::catalogue::input::<CreateConversationArgs>(),
        output_schema = crate::tools::catalogue::output::<CreatedConversation>(),
        annotations(
            title = "Create Talk conversation",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn talk_create_conversation(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateConversationArgs>,
    ) -> Result<Json<CreatedConversation>, ToolError> {
        let invite = args
            .invite
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let mut users = clean(&args.users);
        let groups = clean(&args.groups);
        let emails = clean(&args.emails);
        let mut new = NewConversation {
            room_type: args.room_type,
            description: args.description.clone().filter(|d| !d.trim().is_empty()),
            ..Default::default()
        };
        match args.room_type {
            1 => {
                let other = invite
                    .map(str::to_string)
                    .or_else(|| users.first().cloned());
                if other.is_none() || users.len() > 1 || !groups.is_empty() || !emails.is_empty() {
                    return Err(ToolError::invalid(
                        "invite",
                        "a one-to-one conversation needs exactly one user id in `invite` (and no groups or e-mails)",
                    ));
                }
                new.one_to_one_user = other;
            }
            2 | 3 => {
                let name = args.room_name.as_deref().map(str::trim).unwrap_or("");
                if name.is_empty() {
                    return Err(ToolError::invalid(
                        "room_name",
                        "a group or public conversation needs a name",
                    ));
                }
                new.name = Some(name.to_string());
                // Talk's legacy `invite` is a GROUP id for these types; a user given there is
                // added as a user, which is what the caller means.
                if let Some(user) = invite
                    && !users.iter().any(|u| u == user)
                {
                    users.insert(0, user.to_string());
                }
                if !emails.is_empty() && args.room_type == 2 {
                    new.room_type = 3;
                }
            }
            other => {
                return Err(ToolError::invalid(
                    "room_type",
                    format!("{other} is not 1 (one-to-one), 2 (group) or 3 (public)"),
                ));
            }
        }
        let (client, caps) = self.talk_client(&ctx).await?;
        let in_one_call = has_feature(&caps, "conversation-creation-all");
        let mut requested: Vec<(&str, String)> = Vec::new();
        if new.room_type != 1 {
            for (source, list) in [("users", &users), ("groups", &groups), ("emails", &emails)] {
                requested.extend(list.iter().map(|id| (source, id.clone())));
            }
            if in_one_call {
                new.users = users.clone();
                new.groups = groups.clone();
                new.emails = emails.clone();
            }
        }
        let created = client.talk_create_room(&new).await.map_err(talk_error)?;
        let mut conversation = conversation_from(&created.room)
            .ok_or_else(|| ToolError::new("Talk answered without the new conversation"))?;
        self.hide_talk_files_after_write(&client, &mut conversation.last_message)
            .await;
        let mut added = Vec::new();
        let mut failed = Vec::new();
        if new.room_type == 1 {
            added.extend(new.one_to_one_user.iter().map(|u| format!("users:{u}")));
        } else if in_one_call {
            let invalid = created.room.get("invalidParticipants");
            for (source, id) in &requested {
                let bad = invalid
                    .and_then(|m| m.get(*source))
                    .and_then(Value::as_array)
                    .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(id)));
                if bad {
                    failed.push(format!("{source}:{id} (not found or not allowed)"));
                } else {
                    added.push(format!("{source}:{id}"));
                }
            }
        } else {
            // Older Talk: create first, then add one by one, reporting each result.
            for (source, id) in &requested {
                match client
                    .talk_add_participant(&conversation.token, id, source)
                    .await
                {
                    Ok(_) => added.push(format!("{source}:{id}")),
                    Err(err) => failed.push(format!("{source}:{id} ({})", err.kind)),
                }
            }
        }
        Ok(Json(CreatedConversation {
            conversation,
            created: created.status != 200,
            added,
            failed,
        }))
    }

    /// Add a participant to a group or public conversation: a user (default), a group, a team, an e-mail guest, a federated user or a phone number. Needs moderator rights; adding someone already there changes nothing.
    #[tool(
        name = "talk_add_participant",
        input_schema = crate::tools::catalogue::input::<AddParticipantArgs>(),
        output_schema = crate::tools::catalogue::output::<AddedParticipant>(),
        annotations(
            title = "Add Talk participant",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_add_participant(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<AddParticipantArgs>,
    ) -> Result<Json<AddedParticipant>, ToolError> {
        let token = token_arg(&args.token)?;
        let participant = args.participant.trim().to_string();
        if participant.is_empty() {
            return Err(ToolError::invalid("participant", "must not be empty"));
        }
        let source = args.source.trim().to_lowercase();
        if !SOURCES.contains(&source.as_str()) {
            return Err(ToolError::invalid(
                "source",
                format!("`{source}` is not one of {}", SOURCES.join(", ")),
            ));
        }
        let (client, _) = self.talk_client(&ctx).await?;
        let data = client
            .talk_add_participant(&token, &participant, &source)
            .await
            .map_err(talk_error)?;
        Ok(Json(AddedParticipant {
            token,
            participant,
            source,
            conversation_type: data.get("type").and_then(Value::as_i64),
        }))
    }
}
