//! Sharing toolset (OCS files_sharing): tool names and arguments match the reference server.

use crate::tools::answer::Json;
use chrono::{Duration, Utc};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::files::hidden::{Hidden, norm_item};
use super::{NextcloudMcp, ToolError, ToolResult};
use crate::nextcloud::sharing::{NewShare, Share, validate_recipient};

/// Longest public link lifetime accepted (10 years).
const MAX_LINK_MINUTES: i64 = 10 * 366 * 24 * 60;

/// Arguments of `nc_share_create`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateShareArgs {
    /// File or folder to share, relative to the user's files.
    pub path: String,
    /// Recipient: user id (type 0), group id (1), email (4), federated id user@cloud (6), circle id (7), Talk room token (10), Deck card id (12); empty for a public link (3).
    #[serde(default)]
    pub share_with: Option<String>,
    /// 0 user, 1 group, 3 public link, 4 email, 6 federated, 7 circle, 10 Talk room, 12 Deck card.
    #[serde(default)]
    pub share_type: i64,
    /// Bitmask: 1 read, 2 update, 4 create, 8 delete, 16 share; 31 = all. Default 1 (read only).
    #[serde(default = "default_permissions")]
    pub permissions: i64,
}

fn default_permissions() -> i64 {
    1
}

/// Arguments of `nc_share_create_public_link`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PublicLinkArgs {
    /// File or folder to share, relative to the user's files.
    pub path: String,
    /// How long the link must work, in minutes (default 30). Nextcloud expires links per day, so the link may work up to a day longer; the result gives the exact expiry.
    #[serde(default = "default_minutes")]
    pub expires_in_minutes: i64,
}

fn default_minutes() -> i64 {
    30
}

/// Arguments taking a share id.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ShareIdArgs {
    /// Share id (from nc_share_list or nc_share_create).
    pub share_id: i64,
}

/// Arguments of `nc_share_list`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListSharesArgs {
    /// Only shares of this file or folder; omit for all of the user's shares.
    #[serde(default)]
    pub path: Option<String>,
    /// List what others shared with the user instead of the user's own shares.
    #[serde(default)]
    pub shared_with_me: bool,
}

/// Arguments of `nc_share_update`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateShareArgs {
    /// Share id.
    pub share_id: i64,
    /// New bitmask: 1 read, 2 update, 4 create, 8 delete, 16 share; 31 = all.
    pub permissions: i64,
}

/// Result of `nc_share_create_public_link`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PublicLinkResponse {
    /// Share id (to delete the link with nc_share_delete).
    pub share_id: i64,
    /// The public link.
    pub url: String,
    /// Direct download link.
    pub download_url: String,
    /// Expiry exactly as Nextcloud stored it (server time, day granularity): the link stops working at this moment.
    pub expires_at: Option<String>,
    /// The moment the link had to work until (UTC, ISO 8601).
    pub requested_until: String,
    /// The date sent to Nextcloud (`expireDate`).
    pub expire_date_sent: String,
    /// Explanation of the expiry and how to revoke the link.
    pub message: String,
}

/// Result of `nc_share_list`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ShareList {
    /// Shares.
    pub shares: Vec<Share>,
    /// Number of shares.
    pub total: usize,
}

/// Result of `nc_share_delete`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeleteShareResponse {
    /// The deleted share id.
    pub share_id: i64,
    /// Always true (failures are error results).
    pub deleted: bool,
    /// What happened and how to undo it.
    pub message: String,
}

fn check_permissions(permissions: i64) -> ToolResult<()> {
    if !(1..=31).contains(&permissions) {
        return Err(ToolError::invalid(
            "permissions",
            "must be a bitmask between 1 and 31 (1 read, 2 update, 4 create, 8 delete, 16 share); read (1) is needed for any share",
        ));
    }
    if permissions & 1 == 0 {
        return Err(ToolError::invalid(
            "permissions",
            "must include read (1), e.g. 3 for read+update",
        ));
    }
    Ok(())
}

/// The `expireDate` keeping a link valid for `minutes`: the day after the moment it must still work
/// (Nextcloud ends a link at 00:00 of its expiry date).
pub fn expire_date_for(
    now: chrono::DateTime<Utc>,
    minutes: i64,
) -> (String, chrono::DateTime<Utc>) {
    let until = now + Duration::minutes(minutes);
    let date = until.date_naive() + Duration::days(1);
    (date.format("%Y-%m-%d").to_string(), until)
}

fn share_path(path: &str) -> String {
    format!("/{path}")
}

impl NextcloudMcp {
    async fn visible_share(
        &self,
        client: &crate::nextcloud::NextcloudClient,
        id: i64,
    ) -> ToolResult<Share> {
        let hidden = Hidden::load(self, client).await?;
        let share = client.share_get(id).await?;
        if share.path.as_deref().is_some_and(|p| hidden.is_hidden(p)) {
            return Err(ToolError::new(format!(
                "share {id} is not available: its file is hidden by this server's configuration"
            )));
        }
        Ok(share)
    }
}

#[tool_router(router = sharing_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// Share a file or folder with a user, group, email address, federated cloud id, circle, Talk room or Deck card (or as a public link with share_type 3).
    #[tool(
        name = "nc_share_create",
        input_schema = crate::tools::catalogue::input::<CreateShareArgs>(),
        output_schema = crate::tools::catalogue::output::<Share>(),
        annotations(
            title = "Create share",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_share_create(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateShareArgs>,
    ) -> Result<Json<Share>, ToolError> {
        validate_recipient(args.share_type, args.share_with.as_deref())
            .map_err(|e| ToolError::invalid("share_with/share_type", e))?;
        check_permissions(args.permissions)?;
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check_tree("path", &path)?;
        let share = client
            .share_create(&NewShare {
                path: share_path(&path),
                share_type: args.share_type,
                share_with: args
                    .share_with
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
                permissions: args.permissions,
                expire_date: None,
            })
            .await?;
        Ok(Json(share))
    }

    /// Create a read-only public link that works for at least expires_in_minutes. Returns the link, a download link and the exact expiry Nextcloud stored.
    #[tool(
        name = "nc_share_create_public_link",
        input_schema = crate::tools::catalogue::input::<PublicLinkArgs>(),
        output_schema = crate::tools::catalogue::output::<PublicLinkResponse>(),
        annotations(
            title = "Create public link",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_share_create_public_link(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PublicLinkArgs>,
    ) -> Result<Json<PublicLinkResponse>, ToolError> {
        if !(1..=MAX_LINK_MINUTES).contains(&args.expires_in_minutes) {
            return Err(ToolError::invalid(
                "expires_in_minutes",
                format!("must be between 1 and {MAX_LINK_MINUTES}"),
            ));
        }
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        hidden.check_tree("path", &path)?;
        let (date, until) = expire_date_for(Utc::now(), args.expires_in_minutes);
        let share = client
            .share_create(&NewShare {
                path: share_path(&path),
                share_type: 3,
                share_with: None,
                permissions: 1,
                expire_date: Some(date.clone()),
            })
            .await?;
        let url = share.url.clone().ok_or_else(|| {
            ToolError::new(format!(
                "Nextcloud created share {} but returned no link URL; check it with nc_share_get",
                share.id
            ))
        })?;
        let expires = share.expiration.clone();
        Ok(Json(PublicLinkResponse {
            share_id: share.id,
            download_url: format!("{}/download", url.trim_end_matches('/')),
            url,
            message: format!(
                "public link to `{path}` created; Nextcloud expires links per day, so it works until {} (server time) rather than exactly {} minutes; revoke it earlier with nc_share_delete(share_id={})",
                expires.as_deref().unwrap_or("no expiry was stored"),
                args.expires_in_minutes,
                share.id
            ),
            expires_at: expires,
            requested_until: until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            expire_date_sent: date,
        }))
    }

    /// Read one share: path, type, recipient, permissions, expiry and link.
    #[tool(
        name = "nc_share_get",
        input_schema = crate::tools::catalogue::input::<ShareIdArgs>(),
        output_schema = crate::tools::catalogue::output::<Share>(),
        annotations(
            title = "Get share",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_share_get(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ShareIdArgs>,
    ) -> Result<Json<Share>, ToolError> {
        let client = self.client(&ctx)?;
        Ok(Json(self.visible_share(&client, args.share_id).await?))
    }

    /// List the user's shares (optionally of one path), or the shares others made with the user.
    #[tool(
        name = "nc_share_list",
        input_schema = crate::tools::catalogue::input::<ListSharesArgs>(),
        output_schema = crate::tools::catalogue::output::<ShareList>(),
        annotations(
            title = "List shares",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_share_list(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListSharesArgs>,
    ) -> Result<Json<ShareList>, ToolError> {
        let path = match args.path.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(p) => Some(norm_item("path", p)?),
            None => None,
        };
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        if let Some(path) = &path {
            hidden.check("path", path)?;
        }
        let shares: Vec<Share> = client
            .share_list(
                path.as_deref().map(share_path).as_deref(),
                args.shared_with_me,
            )
            .await?
            .into_iter()
            .filter(|s| {
                args.shared_with_me || !s.path.as_deref().is_some_and(|p| hidden.is_hidden(p))
            })
            .collect();
        Ok(Json(ShareList {
            total: shares.len(),
            shares,
        }))
    }

    /// Change the permissions of a share.
    #[tool(
        name = "nc_share_update",
        input_schema = crate::tools::catalogue::input::<UpdateShareArgs>(),
        output_schema = crate::tools::catalogue::output::<Share>(),
        annotations(
            title = "Update share",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_share_update(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<UpdateShareArgs>,
    ) -> Result<Json<Share>, ToolError> {
        check_permissions(args.permissions)?;
        let client = self.client(&ctx)?;
        self.visible_share(&client, args.share_id).await?;
        Ok(Json(
            client
                .share_update_permissions(args.share_id, args.permissions)
                .await?,
        ))
    }

    /// Delete a share: the recipient (or everyone with the link) loses access. The file itself stays.
    #[tool(
        name = "nc_share_delete",
        input_schema = crate::tools::catalogue::input::<ShareIdArgs>(),
        output_schema = crate::tools::catalogue::output::<DeleteShareResponse>(),
        annotations(
            title = "Delete share",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_share_delete(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ShareIdArgs>,
    ) -> Result<Json<DeleteShareResponse>, ToolError> {
        let client = self.client(&ctx)?;
        let share = self.visible_share(&client, args.share_id).await?;
        client.share_delete(args.share_id).await?;
        let undo = match (&share.share_with, &share.path) {
            (_, None) => "it cannot be restored; create a new share".to_string(),
            (Some(with), Some(path)) => format!(
                "to undo, share `{path}` again with nc_share_create(share_with=\"{with}\", share_type={}, permissions={})",
                share.share_type, share.permissions
            ),
            (None, Some(path)) => format!(
                "a deleted link cannot come back; create a new one for `{path}` with nc_share_create_public_link (it gets a new URL)"
            ),
        };
        Ok(Json(DeleteShareResponse {
            share_id: args.share_id,
            deleted: true,
            message: format!("deleted share {}; {undo}", args.share_id),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn expiry_rounds_up_to_the_next_day_boundary() {
        let now = Utc.with_ymd_and_hms(2026, 3, 10, 23, 50, 0).unwrap();
        let (date, until) = expire_date_for(now, 30);
        assert_eq!(date, "2026-03-12");
        assert_eq!(until, Utc.with_ymd_and_hms(2026, 3, 11, 0, 20, 0).unwrap());
        let (date, _) = expire_date_for(Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap(), 30);
        assert_eq!(date, "2026-03-11");
    }

    #[test]
    fn permissions_need_read() {
        assert!(check_permissions(31).is_ok());
        assert!(check_permissions(2).is_err());
        assert!(check_permissions(0).is_err());
        assert!(check_permissions(32).is_err());
    }
}
