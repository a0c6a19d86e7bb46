//! Contacts toolset (CardDAV): tool names and arguments match the reference server.

use std::collections::BTreeMap;

use crate::tools::answer::Json;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{NextcloudMcp, ToolError};
use crate::nextcloud::caldav::objects::Precondition;
use crate::nextcloud::carddav::AddressBook;
use crate::nextcloud::vcard::{self, Contact, ContactChanges};

/// The user's address books.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AddressBookList {
    /// Address books in the addressbook home (found by principal discovery).
    pub addressbooks: Vec<AddressBook>,
    /// Number of address books.
    pub total: usize,
}

fn d_limit() -> usize {
    100
}

/// Arguments of `nc_contacts_list_contacts`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListContactsArgs {
    /// Address book slug (from nc_contacts_list_addressbooks), e.g. `contacts`.
    pub addressbook: String,
    /// Page size (1-500).
    #[serde(default = "d_limit")]
    pub limit: usize,
    /// Contacts to skip (paging).
    #[serde(default)]
    pub offset: usize,
}

/// A contact with its address book and etag.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ContactOut {
    /// Address book slug.
    pub addressbook: String,
    /// ETag; pass it to update to write only this version.
    pub etag: String,
    /// The contact.
    #[serde(flatten)]
    pub contact: Contact,
}

/// A page of contacts.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ContactPage {
    /// Contacts sorted by name.
    pub contacts: Vec<ContactOut>,
    /// Matching contacts (all pages).
    pub total: usize,
    /// Offset of this page.
    pub offset: usize,
    /// True when more pages follow.
    pub has_more: bool,
    /// Offset of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
}

/// Arguments of `nc_contacts_search_contacts`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchContactsArgs {
    /// Text searched (case-insensitive) in name, nickname, e-mails, phones and organisation.
    pub query: String,
    /// Limit to one address book; default all.
    #[serde(default)]
    pub addressbook: Option<String>,
    /// Page size (1-500).
    #[serde(default = "d_limit")]
    pub limit: usize,
    /// Contacts to skip.
    #[serde(default)]
    pub offset: usize,
}

/// Arguments of `nc_contacts_create_addressbook`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateAddressBookArgs {
    /// Slug (letters, digits, '-', '_', '.').
    pub name: String,
    /// Display name.
    pub display_name: String,
}

/// Arguments of `nc_contacts_delete_addressbook`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteAddressBookArgs {
    /// Slug of the address book.
    pub name: String,
}

/// Arguments of `nc_contacts_create_contact`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateContactArgs {
    /// Address book slug.
    pub addressbook: String,
    /// UID of the new contact (also its file name when it is file-safe).
    pub uid: String,
    /// Fields: fn, email (string or list), tel/phone (string or list), org/organization, title, note, nickname, bday (YYYY-MM-DD), categories (list or comma-separated), url.
    pub contact_data: BTreeMap<String, Value>,
}

/// Arguments of `nc_contacts_update_contact`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UpdateContactArgs {
    /// Address book slug.
    pub addressbook: String,
    /// UID of the contact.
    pub uid: String,
    /// Fields to change (same keys as create; "" removes a field). Other properties of the card are kept byte for byte.
    pub contact_data: BTreeMap<String, Value>,
    /// ETag of your read; empty uses this call's read. A conflict means the card changed meanwhile.
    #[serde(default)]
    pub etag: String,
}

/// Arguments of `nc_contacts_delete_contact`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeleteContactArgs {
    /// Address book slug.
    pub addressbook: String,
    /// UID of the contact.
    pub uid: String,
    /// ETag of your read; empty uses this call's read.
    #[serde(default)]
    pub etag: String,
}

/// Result of a write.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ContactWritten {
    /// The stored contact with its new etag.
    pub contact: ContactOut,
}

/// Result of a delete.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Deleted {
    /// True when gone (also when it was already gone).
    pub deleted: bool,
    /// What was deleted.
    pub name: String,
    /// What happened.
    pub message: String,
}

fn list_of(key: &str, v: &Value) -> Result<Vec<String>, ToolError> {
    match v {
        Value::String(s) => Ok(s
            .split(if key == "categories" { ',' } else { '\u{0}' })
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()),
        Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str().map(|s| s.trim().to_string()).ok_or_else(|| {
                    ToolError::invalid("contact_data", format!("`{key}` items must be strings"))
                })
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        _ => Err(ToolError::invalid(
            "contact_data",
            format!("`{key}` must be a string or a list of strings"),
        )),
    }
}

fn text_of(key: &str, v: &Value) -> Result<String, ToolError> {
    match v {
        Value::String(s) => Ok(s.trim().to_string()),
        Value::Null => Ok(String::new()),
        _ => Err(ToolError::invalid(
            "contact_data",
            format!("`{key}` must be a string"),
        )),
    }
}

/// Maps the reference's `contact_data` keys to changes; unknown keys are refused.
fn changes(data: &BTreeMap<String, Value>) -> Result<ContactChanges, ToolError> {
    let mut c = ContactChanges::default();
    for (k, v) in data {
        match k.to_lowercase().as_str() {
            "fn" | "name" | "full_name" => c.full_name = Some(text_of(k, v)?),
            "email" | "emails" => c.emails = Some(list_of(k, v)?),
            "tel" | "phone" | "phones" => c.phones = Some(list_of(k, v)?),
            "org" | "organization" => c.org = Some(text_of(k, v)?),
            "title" => c.title = Some(text_of(k, v)?),
            "note" => c.note = Some(text_of(k, v)?),
            "nickname" => c.nickname = Some(text_of(k, v)?),
            "bday" | "birthday" => {
                let b = text_of(k, v)?;
                if !b.is_empty()
                    && chrono::NaiveDate::parse_from_str(&b, "%Y-%m-%d").is_err()
                    && !(b.starts_with("--") && b.len() == 7)
                {
                    return Err(ToolError::invalid(
                        "contact_data",
                        format!("bday `{b}` must be YYYY-MM-DD (or --MM-DD without a year)"),
                    ));
                }
                c.bday = Some(b);
            }
            "categories" => c.categories = Some(list_of("categories", v)?),
            "url" | "urls" => c.urls = Some(list_of(k, v)?),
            other => {
                return Err(ToolError::invalid(
                    "contact_data",
                    format!(
                        "unknown key `{other}`; use fn, email, tel, org, title, note, nickname, bday, categories, url"
                    ),
                ));
            }
        }
    }
    if let Some(emails) = &c.emails
        && let Some(bad) = emails.iter().find(|e| !e.contains('@'))
    {
        return Err(ToolError::invalid(
            "contact_data",
            format!("`{bad}` is not an e-mail address"),
        ));
    }
    Ok(c)
}

fn out(book: &AddressBook, etag: &str, data: &str) -> Result<ContactOut, ToolError> {
    let card = vcard::parse(data)
        .map_err(|e| ToolError::new(format!("the stored card is not a valid vCard: {e}")))?;
    Ok(ContactOut {
        addressbook: book.name.clone(),
        etag: etag.to_string(),
        contact: vcard::contact(&card),
    })
}

fn page(mut all: Vec<ContactOut>, limit: usize, offset: usize) -> Result<ContactPage, ToolError> {
    if limit == 0 || limit > 500 {
        return Err(ToolError::invalid("limit", "must be between 1 and 500"));
    }
    all.sort_by(|a, b| {
        a.contact
            .full_name
            .to_lowercase()
            .cmp(&b.contact.full_name.to_lowercase())
            .then(a.contact.uid.cmp(&b.contact.uid))
    });
    let total = all.len();
    let contacts: Vec<ContactOut> = all.into_iter().skip(offset).take(limit).collect();
    let has_more = offset + contacts.len() < total;
    Ok(ContactPage {
        has_more,
        next_offset: has_more.then_some(offset + contacts.len()),
        total,
        offset,
        contacts,
    })
}

#[tool_router(router = contacts_router, vis = "pub(crate)")]
impl NextcloudMcp {
    /// List the user's address books (slug, display name, owner).
    #[tool(
        name = "nc_contacts_list_addressbooks",
        output_schema = crate::tools::catalogue::output::<AddressBookList>(),
        annotations(
            title = "List address books",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_contacts_list_addressbooks(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Json<AddressBookList>, ToolError> {
        let client = self.client(&ctx)?;
        let addressbooks = client.addressbooks().await?;
        Ok(Json(AddressBookList {
            total: addressbooks.len(),
            addressbooks,
        }))
    }

    /// List the contacts of an address book, sorted by name; paged with limit/offset.
    #[tool(
        name = "nc_contacts_list_contacts",
        input_schema = crate::tools::catalogue::input::<ListContactsArgs>(),
        output_schema = crate::tools::catalogue::output::<ContactPage>(),
        annotations(
            title = "List contacts",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_contacts_list_contacts(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<ListContactsArgs>,
    ) -> Result<Json<ContactPage>, ToolError> {
        if a.limit == 0 || a.limit > 500 {
            return Err(ToolError::invalid("limit", "must be between 1 and 500"));
        }
        let client = self.client(&ctx)?;
        let book = client.addressbook(&a.addressbook).await?;
        let all = client
            .cards(&book)
            .await?
            .iter()
            .filter_map(|o| out(&book, &o.etag, &o.data).ok())
            .collect();
        Ok(Json(page(all, a.limit, a.offset)?))
    }

    /// Search contacts by name, nickname, e-mail, phone or organisation (case-insensitive substring), in one or all address books.
    #[tool(
        name = "nc_contacts_search_contacts",
        input_schema = crate::tools::catalogue::input::<SearchContactsArgs>(),
        output_schema = crate::tools::catalogue::output::<ContactPage>(),
        annotations(
            title = "Search contacts",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_contacts_search_contacts(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<SearchContactsArgs>,
    ) -> Result<Json<ContactPage>, ToolError> {
        let q = a.query.trim().to_lowercase();
        if q.is_empty() {
            return Err(ToolError::invalid("query", "must not be empty"));
        }
        if a.limit == 0 || a.limit > 500 {
            return Err(ToolError::invalid("limit", "must be between 1 and 500"));
        }
        let client = self.client(&ctx)?;
        let books = match a
            .addressbook
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(n) => vec![client.addressbook(n).await?],
            None => client.addressbooks().await?,
        };
        let digits: String = q.chars().filter(|c| c.is_ascii_digit()).collect();
        let mut all = Vec::new();
        for book in &books {
            for o in client.cards(book).await? {
                let Ok(c) = out(book, &o.etag, &o.data) else {
                    continue;
                };
                let x = &c.contact;
                let hit = x.full_name.to_lowercase().contains(&q)
                    || x.nickname
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains(&q))
                    || x.org
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains(&q))
                    || x.emails.iter().any(|e| e.to_lowercase().contains(&q))
                    || x.phones.iter().any(|p| {
                        p.to_lowercase().contains(&q)
                            || (digits.len() >= 3
                                && p.chars()
                                    .filter(|c| c.is_ascii_digit())
                                    .collect::<String>()
                                    .contains(&digits))
                    });
                if hit {
                    all.push(c);
                }
            }
        }
        Ok(Json(page(all, a.limit, a.offset)?))
    }

    /// Create an address book.
    #[tool(
        name = "nc_contacts_create_addressbook",
        input_schema = crate::tools::catalogue::input::<CreateAddressBookArgs>(),
        output_schema = crate::tools::catalogue::output::<AddressBook>(),
        annotations(
            title = "Create address book",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_contacts_create_addressbook(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<CreateAddressBookArgs>,
    ) -> Result<Json<AddressBook>, ToolError> {
        crate::nextcloud::caldav::check_slug(a.name.trim())
            .map_err(|e| ToolError::invalid("name", e))?;
        let client = self.client(&ctx)?;
        let display = if a.display_name.trim().is_empty() {
            a.name.trim()
        } else {
            a.display_name.trim()
        };
        Ok(Json(
            client.addressbook_create(a.name.trim(), display).await?,
        ))
    }

    /// Delete an address book with all its contacts.
    #[tool(
        name = "nc_contacts_delete_addressbook",
        input_schema = crate::tools::catalogue::input::<DeleteAddressBookArgs>(),
        output_schema = crate::tools::catalogue::output::<Deleted>(),
        annotations(
            title = "Delete address book",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_contacts_delete_addressbook(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<DeleteAddressBookArgs>,
    ) -> Result<Json<Deleted>, ToolError> {
        let client = self.client(&ctx)?;
        let book = client.addressbook(&a.name).await?;
        client.collection_delete(&book.href).await?;
        Ok(Json(Deleted {
            deleted: true,
            name: book.name,
            message: "address book deleted with all its contacts".into(),
        }))
    }

    /// Create a contact (vCard 3.0) with `If-None-Match: *`, so an existing UID is never overwritten.
    #[tool(
        name = "nc_contacts_create_contact",
        input_schema = crate::tools::catalogue::input::<CreateContactArgs>(),
        output_schema = crate::tools::catalogue::output::<ContactWritten>(),
        annotations(
            title = "Create contact",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_contacts_create_contact(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<CreateContactArgs>,
    ) -> Result<Json<ContactWritten>, ToolError> {
        let uid = a.uid.trim();
        if uid.is_empty() || uid.chars().any(|c| c.is_control()) {
            return Err(ToolError::invalid(
                "uid",
                "must be a non-empty string without control characters",
            ));
        }
        let c = changes(&a.contact_data)?;
        if c.full_name.as_deref().is_none_or(str::is_empty) {
            return Err(ToolError::invalid(
                "contact_data",
                "`fn` (the contact's name) is required",
            ));
        }
        let client = self.client(&ctx)?;
        let book = client.addressbook(&a.addressbook).await?;
        let text = vcard::new_card(uid, &c);
        let href = client.new_card_href(&book, uid);
        let etag = client
            .dav_put(
                &href,
                "text/vcard; charset=utf-8",
                text.clone(),
                Precondition::Create,
                &format!("a contact with UID {uid}"),
            )
            .await?;
        Ok(Json(ContactWritten {
            contact: out(&book, &etag, &text)?,
        }))
    }

    /// Change a contact: reads the stored vCard, replaces only the given fields (every other property, e.g. photos, X- and grouped properties, is kept byte for byte) and writes it with If-Match (`etag` or this call's read). Returns the new etag.
    #[tool(
        name = "nc_contacts_update_contact",
        input_schema = crate::tools::catalogue::input::<UpdateContactArgs>(),
        output_schema = crate::tools::catalogue::output::<ContactWritten>(),
        annotations(
            title = "Update contact",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_contacts_update_contact(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<UpdateContactArgs>,
    ) -> Result<Json<ContactWritten>, ToolError> {
        let c = changes(&a.contact_data)?;
        if a.contact_data.is_empty() {
            return Err(ToolError::invalid(
                "contact_data",
                "give at least one field to change",
            ));
        }
        let client = self.client(&ctx)?;
        let book = client.addressbook(&a.addressbook).await?;
        let read = client.card(&book, a.uid.trim()).await?;
        let obj = client.card_as_stored(read).await?;
        let text = vcard::apply(&obj.data, &c).map_err(ToolError::new)?;
        let etag = client
            .dav_replace(
                &obj,
                &a.etag,
                "text/vcard; charset=utf-8",
                text.clone(),
                "the contact",
            )
            .await?;
        Ok(Json(ContactWritten {
            contact: out(&book, &etag, &text)?,
        }))
    }

    /// Delete a contact by UID (If-Match with `etag` or this call's read). A UID not in the address book answers `deleted: false` with the reason.
    #[tool(
        name = "nc_contacts_delete_contact",
        input_schema = crate::tools::catalogue::input::<DeleteContactArgs>(),
        output_schema = crate::tools::catalogue::output::<Deleted>(),
        annotations(
            title = "Delete contact",
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_contacts_delete_contact(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(a): Parameters<DeleteContactArgs>,
    ) -> Result<Json<Deleted>, ToolError> {
        let client = self.client(&ctx)?;
        let book = client.addressbook(&a.addressbook).await?;
        let obj = match client.card(&book, a.uid.trim()).await {
            Ok(o) => o,
            Err(e) if e.status() == Some(404) => {
                return Ok(Json(Deleted {
                    deleted: false,
                    name: a.uid.clone(),
                    message: format!(
                        "not found: no contact with UID {} in address book `{}` (deleted earlier, or never there); nothing was deleted. nc_contacts_list_contacts lists the UIDs",
                        a.uid.trim(),
                        book.name
                    ),
                }));
            }
            Err(e) => return Err(e.into()),
        };
        let etag = crate::nextcloud::dav_object::etag_to_match(&obj, &a.etag);
        client.card_delete(&obj.href, Some(&etag)).await?;
        Ok(Json(Deleted {
            deleted: true,
            name: a.uid,
            message: "contact deleted".into(),
        }))
    }
}
