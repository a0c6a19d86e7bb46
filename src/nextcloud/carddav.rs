//! CardDAV (RFC 6352): address books in the `addressbook-home-set` found through principal
//! discovery, and vCard objects with ETag preconditions.

use schemars::JsonSchema;
use serde::Serialize;

use super::caldav::NS_CS;
use super::caldav::objects::CalObject;
use super::caldav::{check_slug, method, slug};
use super::client::NextcloudClient;
use super::dav::{encode_path, find_by_name};
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::unquote_etag;
use super::xml::{NS_CARDDAV, NS_DAV, NS_OC, escape};

/// An address book.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AddressBook {
    /// URI slug: the `addressbook` / `name` other tools take.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Owner principal, when reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Collection path on the server.
    pub href: String,
    /// Collection tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctag: Option<String>,
}

impl NextcloudClient {
    /// The address book home, from principal discovery.
    pub async fn addressbook_home(&self) -> NcResult<String> {
        self.dav_homes().await?.addressbook_home.clone().ok_or_else(|| {
            NextcloudError::new("PROPFIND principal", ErrorKind::Decode("the principal has no addressbook-home-set: is the Contacts (CardDAV) app enabled?".into()))
        })
    }

    /// Every address book of the user.
    pub async fn addressbooks(&self) -> NcResult<Vec<AddressBook>> {
        let home = self.addressbook_home().await?;
        let responses = self
            .propfind(
                &self.href_path(&home),
                "1",
                &[
                    (NS_DAV, "resourcetype"),
                    (NS_DAV, "displayname"),
                    (NS_CARDDAV, "addressbook-description"),
                    (NS_DAV, "owner"),
                    (NS_OC, "owner-principal"),
                    (NS_CS, "getctag"),
                ],
            )
            .await?;
        Ok(responses
            .iter()
            .filter(|r| r.has_resourcetype(NS_CARDDAV, "addressbook"))
            .map(|r| {
                let name = slug(&r.href);
                AddressBook {
                    display_name: r
                        .text(NS_DAV, "displayname")
                        .map(str::to_string)
                        .unwrap_or_else(|| name.clone()),
                    description: r
                        .text(NS_CARDDAV, "addressbook-description")
                        .map(str::to_string),
                    owner: r
                        .href_prop(NS_DAV, "owner")
                        .or_else(|| r.text(NS_OC, "owner-principal").map(str::to_string)),
                    href: r.href.clone(),
                    ctag: r.text(NS_CS, "getctag").map(str::to_string),
                    name,
                }
            })
            .collect())
    }

    /// The address book with slug (or display name) `name`.
    pub async fn addressbook(&self, name: &str) -> NcResult<AddressBook> {
        let all = self.addressbooks().await?;
        find_by_name(&all, name, "address book", |a| {
            (a.name.as_str(), a.display_name.as_str())
        })
    }

    /// Extended MKCOL of an address book with a display name.
    pub async fn addressbook_create(
        &self,
        name: &str,
        display_name: &str,
    ) -> NcResult<AddressBook> {
        check_slug(name).map_err(|e| NextcloudError::invalid("MKCOL", e))?;
        let home = self.addressbook_home().await?;
        let path = format!("{}{}/", self.href_path(&home), encode_path(name));
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><d:mkcol xmlns:d=\"DAV:\" xmlns:card=\"{NS_CARDDAV}\"><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype><d:displayname>{}</d:displayname></d:prop></d:set></d:mkcol>",
            escape(display_name)
        );
        self.create_collection("MKCOL", &path, body, "an address book", name)
            .await?;
        self.addressbook(name).await
    }

    /// Every vCard of an address book (addressbook-query with address-data).
    pub async fn cards(&self, book: &AddressBook) -> NcResult<Vec<CalObject>> {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><card:addressbook-query xmlns:d=\"DAV:\" xmlns:card=\"{NS_CARDDAV}\"><d:prop><d:getetag/><card:address-data/></d:prop><card:filter/></card:addressbook-query>"
        );
        let path = self.href_path(&book.href);
        let responses = self.dav_request(method("REPORT"), &path, "1", body).await?;
        Ok(responses
            .into_iter()
            .filter_map(|r| {
                let data = r.prop(NS_CARDDAV, "address-data")?.text.clone();
                (!data.trim().is_empty()).then(|| CalObject {
                    etag: r
                        .text(NS_DAV, "getetag")
                        .map(unquote_etag)
                        .unwrap_or_default(),
                    href: r.href,
                    data,
                })
            })
            .collect())
    }

    /// The card with `uid`: `GET <uid>.vcf`, else a scan of the address book. The text is
    /// the server's default answer (sabre: vCard 3.0, converted when stored as 4.0); use
    /// [`NextcloudClient::card_as_stored`] before editing it.
    pub async fn card(&self, book: &AddressBook, uid: &str) -> NcResult<CalObject> {
        let name = card_name(uid);
        if name.starts_with(uid)
            && let Some(found) = self.dav_get(&format!("{}{}", book.href, name)).await?
        {
            return Ok(found);
        }
        self.cards(book)
            .await?
            .into_iter()
            .find(|o| super::vcard::parse(&o.data).is_ok_and(|c| c.uid() == Some(uid)))
            .ok_or_else(|| {
                NextcloudError::new(
                    format!("find contact {uid}"),
                    ErrorKind::Status {
                        status: 404,
                        ocs_status: None,
                        message: Some(format!(
                            "no contact with UID {uid} in address book {}",
                            book.name
                        )),
                    },
                )
            })
    }

    /// The card in the vCard version it is stored in, byte for byte. sabre/dav answers 3.0
    /// unless 4.0 is asked for, converting (and re-writing VERSION, PRODID, KIND, PREF) when the
    /// stored version differs; a converted answer carries sabre's PRODID. So: an answer without
    /// that PRODID is the stored text; else the other version is asked for, and when both carry
    /// it the stored size (`getcontentlength`) decides.
    pub async fn card_as_stored(&self, read: CalObject) -> NcResult<CalObject> {
        if !converted_by_sabre(&read.data) {
            return Ok(read);
        }
        let version = vcard_version(&read.data);
        let other_accept = if version.as_deref() == Some("4.0") {
            "text/vcard; version=3.0"
        } else {
            "text/vcard; version=4.0"
        };
        let Some(other) = self.dav_get_as(&read.href, Some(other_accept)).await? else {
            return Ok(read);
        };
        if vcard_version(&other.data) == version {
            // The server does not convert: its answer is the stored text.
            return Ok(read);
        }
        if !converted_by_sabre(&other.data) {
            return Ok(other);
        }
        match self.dav_stored_length(&read.href).await? {
            Some(n) if other.data.len() == n && read.data.len() != n => Ok(other),
            _ => Ok(read),
        }
    }

    /// The href for a new card.
    pub fn new_card_href(&self, book: &AddressBook, uid: &str) -> String {
        format!("{}{}", book.href, card_name(uid))
    }

    /// Deletes a card by href (404 counts as done).
    pub async fn card_delete(&self, href: &str, etag: Option<&str>) -> NcResult<u16> {
        self.dav_delete(href, etag, "the contact").await
    }
}

/// PRODID sabre/vobject writes into every vCard it converts between 3.0 and 4.0.
const SABRE_PRODID: &str = "PRODID:-//Sabre//Sabre VObject";

fn converted_by_sabre(text: &str) -> bool {
    text.lines().any(|l| {
        l.trim_start()
            .to_ascii_uppercase()
            .starts_with(&SABRE_PRODID.to_ascii_uppercase())
    })
}

/// The VERSION of a vCard's text.
fn vcard_version(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("VERSION")
            .then(|| value.trim().to_string())
    })
}

fn card_name(uid: &str) -> String {
    let ics = super::caldav::objects::object_name(uid);
    format!("{}.vcf", ics.trim_end_matches(".ics"))
}
