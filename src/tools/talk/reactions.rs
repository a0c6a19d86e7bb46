//! Reactions on chat messages: list, add, remove (removing one that is not there is not an
//! error). Needs Talk's `reactions` feature.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{has_feature, talk_error, token_arg};
use crate::nextcloud::NextcloudClient;
use crate::nextcloud::talk::{ReactionGroup, reactions_from};
use crate::tools::{NextcloudMcp, ToolError, ToolResult};

/// Arguments of talk_list_reactions.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListReactionsArgs {
    /// Conversation token.
    pub token: String,
    /// Message id (from talk_get_messages).
    pub message_id: i64,
    /// Only this emoji.
    #[serde(default)]
    pub reaction: Option<String>,
}

/// Arguments of talk_react and talk_remove_reaction.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReactArgs {
    /// Conversation token.
    pub token: String,
    /// Message id (from talk_get_messages).
    pub message_id: i64,
    /// The emoji, e.g. 👍.
    pub reaction: String,
}

/// Reactions of a message.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Reactions {
    /// Conversation token.
    pub token: String,
    /// Message id.
    pub message_id: i64,
    /// Reactions by emoji: who reacted, and whether the user did.
    pub reactions: Vec<ReactionGroup>,
    /// What changed, for talk_react / talk_remove_reaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn reaction_arg(reaction: &str) -> ToolResult<String> {
    let r = reaction.trim();
    if r.is_empty() || r.chars().count() > 8 {
        return Err(ToolError::invalid("reaction", "give one emoji, e.g. 👍"));
    }
    Ok(r.to_string())
}

impl NextcloudMcp {
    async fn reactions_client(
        &self,
        ctx: &RequestContext<RoleServer>,
    ) -> ToolResult<(NextcloudClient, Option<String>)> {
        let (client, caps) = self.talk_client(ctx).await?;
        if !has_feature(&caps, "reactions") {
            return Err(ToolError::new(
                "This Talk version has no chat reactions (the `reactions` feature is missing from its capabilities); ask the administrator to update Talk",
            ));
        }
        let me = self.caller(ctx).ok().map(|c| c.user_id.to_string());
        Ok((client, me))
    }
}

fn sorted(raw: &Value, me: Option<&str>) -> Vec<ReactionGroup> {
    let mut groups = reactions_from(raw, me);
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.reaction.cmp(&b.reaction)));
    groups
}

#[tool_router(router = talk_reactions_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the reactions on a message: each emoji with who reacted and whether the user did.
    #[tool(
        name = "talk_list_reactions",
        input_schema = crate::tools::catalogue::input::<ListReactionsArgs>(),
        output_schema = crate::tools::catalogue::output::<Reactions>(),
        annotations(
            title = "List Talk reactions",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_list_reactions(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListReactionsArgs>,
    ) -> Result<Json<Reactions>, ToolError> {
        let token = token_arg(&args.token)?;
        let filter = args.reaction.as_deref().map(reaction_arg).transpose()?;
        let (client, me) = self.reactions_client(&ctx).await?;
        let raw = client
            .talk_reactions(&token, args.message_id, filter.as_deref())
            .await
            .map_err(talk_error)?;
        Ok(Json(Reactions {
            token,
            message_id: args.message_id,
            reactions: sorted(&raw, me.as_deref()),
            message: None,
        }))
    }

    /// React to a message with an emoji (reacting twice with the same emoji changes nothing).
    #[tool(
        name = "talk_react",
        input_schema = crate::tools::catalogue::input::<ReactArgs>(),
        output_schema = crate::tools::catalogue::output::<Reactions>(),
        annotations(
            title = "React to Talk message",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_react(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ReactArgs>,
    ) -> Result<Json<Reactions>, ToolError> {
        let token = token_arg(&args.token)?;
        let reaction = reaction_arg(&args.reaction)?;
        let (client, me) = self.reactions_client(&ctx).await?;
        let (status, raw) = client
            .talk_set_reaction(&token, args.message_id, &reaction, true)
            .await
            .map_err(talk_error)?;
        let message = if status == 201 {
            format!("reacted with {reaction}")
        } else {
            format!("you had already reacted with {reaction}")
        };
        Ok(Json(Reactions {
            token,
            message_id: args.message_id,
            reactions: sorted(&raw, me.as_deref()),
            message: Some(message),
        }))
    }

    /// Remove the user's own emoji reaction from a message; a reaction that is not there counts as removed.
    #[tool(
        name = "talk_remove_reaction",
        input_schema = crate::tools::catalogue::input::<ReactArgs>(),
        output_schema = crate::tools::catalogue::output::<Reactions>(),
        annotations(
            title = "Remove Talk reaction",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn talk_remove_reaction(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ReactArgs>,
    ) -> Result<Json<Reactions>, ToolError> {
        let token = token_arg(&args.token)?;
        let reaction = reaction_arg(&args.reaction)?;
        let (client, me) = self.reactions_client(&ctx).await?;
        match client
            .talk_set_reaction(&token, args.message_id, &reaction, false)
            .await
        {
            Ok((_, raw)) => Ok(Json(Reactions {
                token,
                message_id: args.message_id,
                reactions: sorted(&raw, me.as_deref()),
                message: Some(format!("removed your {reaction}")),
            })),
            // Talk answers 404 when the user had no such reaction; the wanted state holds.
            Err(err) if err.status() == Some(404) => Ok(Json(Reactions {
                token,
                message_id: args.message_id,
                reactions: Vec::new(),
                message: Some(format!(
                    "you had no {reaction} reaction on message {} (or the message does not exist): nothing to remove",
                    args.message_id
                )),
            })),
            Err(err) => Err(talk_error(err)),
        }
    }
}
