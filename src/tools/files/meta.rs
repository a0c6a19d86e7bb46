//! Comments and system tags of files.

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::super::{NextcloudMcp, ToolError, ToolResult};
use super::hidden::{Hidden, norm_item};
use super::write::PathArgs;
use super::{FileList, visible, visible_with_id};
use crate::nextcloud::comments::{Comment, MAX_COMMENT_CHARS};
use crate::nextcloud::systemtags::SystemTag;

/// Arguments of `nc_webdav_list_comments`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListCommentsArgs {
    /// File or folder path relative to the user's files.
    pub path: String,
    /// Most comments returned (1-200).
    #[serde(default = "default_comment_limit")]
    pub limit: u32,
    /// Comments to skip (newest first), for paging.
    #[serde(default)]
    pub offset: u32,
}

fn default_comment_limit() -> u32 {
    20
}

/// Result of `nc_webdav_list_comments`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CommentList {
    /// The commented file.
    pub path: String,
    /// Its file id.
    pub file_id: i64,
    /// Comments, newest first.
    pub comments: Vec<Comment>,
    /// Number returned.
    pub total: usize,
}

/// Arguments of `nc_webdav_create_comment`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateCommentArgs {
    /// File or folder path relative to the user's files.
    pub path: String,
    /// Comment text, at most 1000 characters; mention users as `@uid`.
    pub message: String,
}

/// Result of `nc_webdav_create_comment`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreateCommentResponse {
    /// The commented file.
    pub path: String,
    /// Its file id.
    pub file_id: i64,
    /// Id of the new comment, when Nextcloud reported it.
    pub comment_id: Option<i64>,
    /// The text posted.
    pub message: String,
}

/// Result of `nc_webdav_list_tags`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TagList {
    /// System tags.
    pub tags: Vec<SystemTag>,
    /// Number of tags.
    pub total: usize,
}

/// Result of `nc_webdav_get_file_tags`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FileTags {
    /// The file.
    pub path: String,
    /// Its file id.
    pub file_id: i64,
    /// Its tags.
    pub tags: Vec<SystemTag>,
}

/// Arguments of `nc_webdav_find_by_tag_name`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct FindByTagArgs {
    /// Tag name (case-insensitive).
    pub tag: String,
}

/// Arguments of `nc_webdav_tag_file` and `nc_webdav_untag_file`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TagFileArgs {
    /// File or folder path relative to the user's files.
    pub path: String,
    /// Tag name (case-insensitive).
    pub tag: String,
}

/// Result of tagging or untagging.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TagChange {
    /// The file.
    pub path: String,
    /// The tag name.
    pub tag: String,
    /// The tag id.
    pub tag_id: i64,
    /// True when something changed (false: it already was in the wanted state).
    pub changed: bool,
    /// True when the tag was created for this call.
    pub tag_created: bool,
    /// What happened and how to undo it.
    pub message: String,
}

impl NextcloudMcp {
    fn refuse_excluded_tag(&self, tag: &str) -> ToolResult<()> {
        let wanted = tag.trim().to_lowercase();
        if self
            .settings
            .files
            .excluded_tags
            .iter()
            .any(|t| t.trim().to_lowercase() == wanted)
        {
            return Err(ToolError::invalid(
                "tag",
                "this tag is managed by the server's configuration and cannot be changed here",
            ));
        }
        if wanted.is_empty() {
            return Err(ToolError::invalid("tag", "give a tag name"));
        }
        Ok(())
    }
}

#[tool_router(router = files_meta_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the comments on a file, newest first.
    #[tool(
        name = "nc_webdav_list_comments",
        input_schema = crate::tools::catalogue::input::<ListCommentsArgs>(),
        output_schema = crate::tools::catalogue::output::<CommentList>(),
        annotations(
            title = "List file comments",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_list_comments(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ListCommentsArgs>,
    ) -> Result<Json<CommentList>, ToolError> {
        if !(1..=200).contains(&args.limit) {
            return Err(ToolError::invalid("limit", "must be between 1 and 200"));
        }
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        let (_, file_id) = visible_with_id(&client, &hidden, "path", &path).await?;
        let comments = client
            .comments_list(file_id, args.limit, args.offset)
            .await?;
        Ok(Json(CommentList {
            path,
            file_id,
            total: comments.len(),
            comments,
        }))
    }

    /// Add a comment to a file (at most 1000 characters; `@uid` mentions a user).
    #[tool(
        name = "nc_webdav_create_comment",
        input_schema = crate::tools::catalogue::input::<CreateCommentArgs>(),
        output_schema = crate::tools::catalogue::output::<CreateCommentResponse>(),
        annotations(
            title = "Comment on file",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_create_comment(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<CreateCommentArgs>,
    ) -> Result<Json<CreateCommentResponse>, ToolError> {
        let message = args.message.trim().to_string();
        if message.is_empty() {
            return Err(ToolError::invalid("message", "the comment is empty"));
        }
        let chars = message.chars().count();
        if chars > MAX_COMMENT_CHARS {
            return Err(ToolError::invalid(
                "message",
                format!(
                    "{chars} characters is more than Nextcloud's limit of {MAX_COMMENT_CHARS}; shorten it or split it into several comments"
                ),
            ));
        }
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        let (_, file_id) = visible_with_id(&client, &hidden, "path", &path).await?;
        let comment_id = client.comments_create(file_id, &message).await?;
        Ok(Json(CreateCommentResponse {
            path,
            file_id,
            comment_id,
            message,
        }))
    }

    /// List all system tags visible to the user.
    #[tool(
        name = "nc_webdav_list_tags",
        output_schema = crate::tools::catalogue::output::<TagList>(),
        annotations(
            title = "List tags",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_list_tags(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<TagList>, ToolError> {
        let client = self.client(&ctx)?;
        let tags = client.systemtags_list().await?;
        Ok(Json(TagList {
            total: tags.len(),
            tags,
        }))
    }

    /// List the system tags of one file or folder.
    #[tool(
        name = "nc_webdav_get_file_tags",
        input_schema = crate::tools::catalogue::input::<PathArgs>(),
        output_schema = crate::tools::catalogue::output::<FileTags>(),
        annotations(
            title = "Get file tags",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_get_file_tags(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<PathArgs>,
    ) -> Result<Json<FileTags>, ToolError> {
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        let (_, file_id) = visible_with_id(&client, &hidden, "path", &path).await?;
        let tags = client.systemtags_of_file(file_id).await?;
        Ok(Json(FileTags {
            path,
            file_id,
            tags,
        }))
    }

    /// Find every file and folder carrying a system tag.
    #[tool(
        name = "nc_webdav_find_by_tag_name",
        input_schema = crate::tools::catalogue::input::<FindByTagArgs>(),
        output_schema = crate::tools::catalogue::output::<FileList>(),
        annotations(
            title = "Find files by tag",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_find_by_tag_name(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<FindByTagArgs>,
    ) -> Result<Json<FileList>, ToolError> {
        if args.tag.trim().is_empty() {
            return Err(ToolError::invalid("tag", "give a tag name"));
        }
        let client = self.client(&ctx)?;
        let tag = client.systemtag_by_name(&args.tag).await?.ok_or_else(|| {
            ToolError::invalid(
                "tag",
                format!(
                    "no tag named `{}`; nc_webdav_list_tags lists them",
                    args.tag
                ),
            )
        })?;
        let hidden = Hidden::load(self, &client).await?;
        let results = visible(&hidden, client.files_with_tag(tag.id).await?);
        Ok(Json(FileList {
            total_found: results.len(),
            results,
            truncated: false,
        }))
    }

    /// Tag a file or folder, creating the tag if it does not exist yet.
    #[tool(
        name = "nc_webdav_tag_file",
        input_schema = crate::tools::catalogue::input::<TagFileArgs>(),
        output_schema = crate::tools::catalogue::output::<TagChange>(),
        annotations(
            title = "Tag file",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_tag_file(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<TagFileArgs>,
    ) -> Result<Json<TagChange>, ToolError> {
        self.refuse_excluded_tag(&args.tag)?;
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        let (_, file_id) = visible_with_id(&client, &hidden, "path", &path).await?;
        let name = args.tag.trim().to_string();
        let (tag_id, tag_created) = match client.systemtag_by_name(&name).await? {
            Some(tag) => (tag.id, false),
            None => (client.systemtag_create(&name).await?, true),
        };
        let changed = client.systemtag_assign(file_id, tag_id).await?;
        Ok(Json(TagChange {
            message: if changed {
                format!("tagged `{path}` with `{name}`; to undo, call nc_webdav_untag_file")
            } else {
                format!("`{path}` already had the tag `{name}`")
            },
            path,
            tag: name,
            tag_id,
            changed,
            tag_created,
        }))
    }

    /// Remove a tag from a file or folder (the tag itself stays).
    #[tool(
        name = "nc_webdav_untag_file",
        input_schema = crate::tools::catalogue::input::<TagFileArgs>(),
        output_schema = crate::tools::catalogue::output::<TagChange>(),
        annotations(
            title = "Untag file",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_webdav_untag_file(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<TagFileArgs>,
    ) -> Result<Json<TagChange>, ToolError> {
        self.refuse_excluded_tag(&args.tag)?;
        let path = norm_item("path", &args.path)?;
        let client = self.client(&ctx)?;
        let hidden = Hidden::load(self, &client).await?;
        let (_, file_id) = visible_with_id(&client, &hidden, "path", &path).await?;
        let name = args.tag.trim().to_string();
        let tag = client.systemtag_by_name(&name).await?.ok_or_else(|| {
            ToolError::invalid(
                "tag",
                format!("no tag named `{name}`; nc_webdav_get_file_tags lists the file's tags"),
            )
        })?;
        let changed = client.systemtag_unassign(file_id, tag.id).await?;
        Ok(Json(TagChange {
            message: if changed {
                format!(
                    "removed the tag `{}` from `{path}`; to undo, call nc_webdav_tag_file",
                    tag.name
                )
            } else {
                format!("`{path}` did not have the tag `{}`", tag.name)
            },
            path,
            tag: tag.name,
            tag_id: tag.id,
            changed,
            tag_created: false,
        }))
    }
}
