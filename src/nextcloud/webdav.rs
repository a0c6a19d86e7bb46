//! The user's files over WebDAV (`/remote.php/dav/files/<uid>/`): listing, reading
//! (streamed, capped), conditional writes, MKCOL, DELETE, MOVE/COPY with the tagged `If:`
//! header, RFC 5323 SEARCH and the favorites REPORT.

use reqwest::{Method, Response};
use schemars::JsonSchema;
use serde::Serialize;

use super::client::{NextcloudClient, error_from_response};
use super::dav::{DavResponse, encode_path, propfind_body};
use super::error::{ErrorKind, NcResult, NextcloudError};
use super::file_multistatus::{FileProps, parse_file_infos, parse_file_page};
use super::xml::{NS_DAV, NS_NC, NS_OC, escape};
use super::{quote_etag, unquote_etag};

/// Properties asked for every file listing.
pub const FILE_PROPS: &[(&str, &str)] = &[
    (NS_DAV, "displayname"),
    (NS_DAV, "getcontentlength"),
    (NS_DAV, "getcontenttype"),
    (NS_DAV, "getlastmodified"),
    (NS_DAV, "getetag"),
    (NS_DAV, "resourcetype"),
    (NS_OC, "fileid"),
    (NS_OC, "size"),
    (NS_OC, "favorite"),
];

/// One file or folder.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileInfo {
    /// Path relative to the user's files root, without a leading slash (folders end without `/`).
    pub path: String,
    /// File or folder name (URL-decoded).
    pub name: String,
    /// `directory` or `file`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Size in bytes (for folders: the size of their content when Nextcloud reports it).
    pub size: Option<u64>,
    /// MIME type (files only).
    pub content_type: Option<String>,
    /// Last modification (HTTP date as Nextcloud reports it).
    pub last_modified: Option<String>,
    /// ETag without quotes; pass it as `if_match` to overwrite this exact version.
    pub etag: Option<String>,
    /// Nextcloud file id (absent on plain WebDAV servers).
    pub file_id: Option<i64>,
    /// True when the user marked it as a favorite.
    pub favorite: bool,
}

impl FileInfo {
    /// True for folders.
    pub fn is_directory(&self) -> bool {
        self.kind == "directory"
    }
}

/// A precondition for a write.
#[derive(Debug, Clone, PartialEq)]
pub enum WritePrecondition {
    /// Create only (`If-None-Match: *`).
    CreateOnly,
    /// Replace exactly this version (`If-Match: "<etag>"`).
    Match(String),
    /// Overwrite whatever is there (`If-Match` omitted, explicit choice of the caller).
    Any,
}

/// Result of a PUT.
#[derive(Debug, Clone)]
pub struct PutOutcome {
    /// True when the file did not exist before (201).
    pub created: bool,
    /// New etag, when Nextcloud returned one.
    pub etag: Option<String>,
    /// New file id, when returned (`OC-FileId`).
    pub file_id: Option<String>,
}

impl PutOutcome {
    /// The file id from `OC-FileId` (`<zero-padded id><instance id>`).
    pub fn numeric_file_id(&self) -> Option<i64> {
        let raw = self.file_id.as_deref()?;
        let digits: String = raw.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }
}

/// A GET body, streamed and capped.
pub struct Download {
    /// Bytes (at most the cap).
    pub bytes: Vec<u8>,
    /// Content type from the response.
    pub content_type: Option<String>,
    /// ETag from the response, unquoted.
    pub etag: Option<String>,
}

/// One byte range of a file, read with an HTTP `Range` request.
pub struct RangeDownload {
    /// The bytes of the range (at most the requested length).
    pub bytes: Vec<u8>,
    /// Offset of the first byte returned.
    pub offset: u64,
    /// Size of the whole file, when the server said.
    pub total_size: Option<u64>,
    /// Content type from the response.
    pub content_type: Option<String>,
    /// ETag from the response, unquoted.
    pub etag: Option<String>,
}

/// Which files a SEARCH looks for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Folder to search in (relative, normalised).
    pub scope: String,
    /// `d:displayname` LIKE pattern (`%` wildcard).
    pub name_like: Option<String>,
    /// `d:getcontenttype` LIKE pattern.
    pub mime_like: Option<String>,
    /// Only favorites.
    pub only_favorites: bool,
    /// Only files carrying this system tag id.
    pub tag_id: Option<i64>,
    /// Most results wanted.
    pub limit: usize,
}

/// Page size of SEARCH requests.
pub const SEARCH_PAGE: usize = 500;

impl NextcloudClient {
    /// The server path of the user's files root, `/remote.php/dav/files/<uid>/` (uid encoded).
    pub async fn files_root(&self) -> NcResult<String> {
        let uid = self.dav_user_id().await?;
        Ok(format!("/remote.php/dav/files/{}/", encode_path(&uid)))
    }

    /// The server path of a normalised relative path (encoded once).
    pub async fn files_path(&self, path: &str) -> NcResult<String> {
        Ok(format!("{}{}", self.files_root().await?, encode_path(path)))
    }

    /// The decoded path of the files root: the hrefs of the user's files begin with it.
    async fn files_prefix(&self) -> NcResult<String> {
        let root = self.files_root().await?;
        Ok(super::dav::decode(&self.server_path(&root)))
    }

    /// Turns a multistatus body into the [`FileInfo`]s of its responses under the files root,
    /// read as a stream (no element tree).
    pub async fn file_infos(&self, call: &str, body: &[u8]) -> NcResult<Vec<FileInfo>> {
        let prefix = self.files_prefix().await?;
        parse_file_infos(body, &prefix).map_err(|e| NextcloudError::new(call, ErrorKind::Decode(e)))
    }

    /// Like [`Self::file_infos`], with the number of `d:response`s in the body (inside the
    /// files root or not).
    async fn file_infos_counted(
        &self,
        call: &str,
        body: &[u8],
    ) -> NcResult<(usize, Vec<FileInfo>)> {
        let prefix = self.files_prefix().await?;
        parse_file_page(body, &prefix).map_err(|e| NextcloudError::new(call, ErrorKind::Decode(e)))
    }

    /// A DAV request below the user's files, its answer read as [`FileInfo`]s.
    async fn files_dav(
        &self,
        method: Method,
        path: &str,
        depth: &str,
        body: String,
    ) -> NcResult<Vec<FileInfo>> {
        let call = format!("{method} {path}");
        let bytes = self.dav_request_bytes(method, path, depth, body).await?;
        self.file_infos(&call, &bytes).await
    }

    /// PROPFIND of a path below the user's files with [`FILE_PROPS`].
    async fn files_propfind(&self, target: &str, depth: &str) -> NcResult<Vec<FileInfo>> {
        let method = Method::from_bytes(b"PROPFIND").unwrap_or(Method::GET);
        self.files_dav(method, target, depth, propfind_body(FILE_PROPS))
            .await
    }

    /// PROPFIND Depth 0 of one path.
    pub async fn files_stat(&self, path: &str) -> NcResult<FileInfo> {
        let target = self.files_path(path).await?;
        self.files_propfind(&target, "0")
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                NextcloudError::new(
                    format!("PROPFIND {target}"),
                    ErrorKind::Decode("no entry for the path in the answer".into()),
                )
            })
    }

    /// PROPFIND Depth 1: the folder itself first, then its children.
    pub async fn files_list(&self, path: &str) -> NcResult<(FileInfo, Vec<FileInfo>)> {
        let mut target = self.files_path(path).await?;
        if !target.ends_with('/') {
            target.push('/');
        }
        let mut infos = self.files_propfind(&target, "1").await?;
        let own = path.trim_matches('/').to_string();
        let position = infos.iter().position(|i| i.path == own).ok_or_else(|| {
            NextcloudError::new(
                format!("PROPFIND {target}"),
                ErrorKind::Decode("the folder itself is missing from the answer".into()),
            )
        })?;
        let me = infos.remove(position);
        Ok((me, infos))
    }

    /// GET a file, refusing it before download when it is larger than `cap` and never
    /// holding more than `cap` bytes.
    pub async fn files_get(&self, path: &str, cap: u64) -> NcResult<Download> {
        let target = self.files_path(path).await?;
        let call = format!("GET {target}");
        let response = self
            .send(&call, self.request(Method::GET, &target))
            .await
            .map_err(|e| get_error(e, path))?;
        if let Some(length) = response.content_length()
            && length > cap
        {
            return Err(too_large(&call, length, cap));
        }
        let content_type = header(&response, "Content-Type");
        let etag = header(&response, "ETag")
            .or_else(|| header(&response, "OC-ETag"))
            .map(|e| unquote_etag(&e));
        let bytes = super::client::read_limited(&call, response, cap as usize)
            .await
            .map_err(|e| match e.kind {
                ErrorKind::Decode(_) => too_large(&call, cap + 1, cap),
                _ => e,
            })?;
        Ok(Download {
            bytes,
            content_type,
            etag,
        })
    }

    /// GET `length` bytes from `offset` with a `Range` request. A server that ignores the range
    /// (200) is read as a stream: the bytes before `offset` are skipped, never held.
    pub async fn files_get_range(
        &self,
        path: &str,
        offset: u64,
        length: u64,
    ) -> NcResult<RangeDownload> {
        let target = self.files_path(path).await?;
        let call = format!("GET {target}");
        let last = offset.saturating_add(length.max(1) - 1);
        let request = self
            .request(Method::GET, &target)
            .header("Range", format!("bytes={offset}-{last}"));
        let response = match self.send(&call, request).await {
            Ok(response) => response,
            Err(err) if err.status() == Some(416) => {
                if offset == 0 {
                    // An empty file has no satisfiable range.
                    return Ok(RangeDownload {
                        bytes: Vec::new(),
                        offset,
                        total_size: Some(0),
                        content_type: None,
                        etag: None,
                    });
                }
                return Err(status_error(
                    &err,
                    format!(
                        "offset {offset} is at or past the end of `{path}`; its size is shown by nc_webdav_list_directory"
                    ),
                ));
            }
            Err(err) => return Err(get_error(err, path)),
        };
        let content_type = header(&response, "Content-Type");
        let etag = header(&response, "ETag")
            .or_else(|| header(&response, "OC-ETag"))
            .map(|e| unquote_etag(&e));
        let partial = response.status().as_u16() == 206;
        let (start, total_size) = if partial {
            let range = header(&response, "Content-Range").unwrap_or_default();
            let (start, total) = parse_content_range(&range);
            (start.unwrap_or(offset), total)
        } else {
            (0, response.content_length())
        };
        let skip = offset.saturating_sub(start);
        let bytes = read_window(&call, response, skip, length).await?;
        Ok(RangeDownload {
            bytes,
            offset: start + skip,
            total_size,
            content_type,
            etag,
        })
    }

    /// PUT with a precondition: 412 and 423 become errors that say what to do.
    pub async fn files_put(
        &self,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
        precondition: &WritePrecondition,
    ) -> NcResult<PutOutcome> {
        let target = self.files_path(path).await?;
        let call = format!("PUT {target}");
        let mut request = self
            .request(Method::PUT, &target)
            .header("Content-Type", content_type)
            .body(body);
        request = match precondition {
            WritePrecondition::CreateOnly => request.header("If-None-Match", "*"),
            WritePrecondition::Match(etag) => request.header("If-Match", quote_etag(etag)),
            WritePrecondition::Any => request,
        };
        let response = match self.send(&call, request).await {
            Ok(response) => response,
            // sabre answers a PUT below a missing folder with 404 (its parent lookup is not
            // caught, unlike MKCOL's), other WebDAV servers with 409.
            Err(err) if err.status() == Some(404) && path.contains('/') => {
                return Err(missing_parent(&err, path));
            }
            Err(err) => return Err(write_conflict(err, path, precondition)),
        };
        Ok(PutOutcome {
            created: response.status().as_u16() == 201,
            etag: header(&response, "OC-ETag")
                .or_else(|| header(&response, "ETag"))
                .map(|e| unquote_etag(&e)),
            file_id: header(&response, "OC-FileId"),
        })
    }

    /// MKCOL. `Ok(true)` when created, `Ok(false)` when it already existed (405).
    pub async fn files_mkcol(&self, path: &str) -> NcResult<bool> {
        let target = self.files_path(path).await?;
        let call = format!("MKCOL {target}");
        let method = Method::from_bytes(b"MKCOL").unwrap_or(Method::PUT);
        match self.send(&call, self.request(method, &target)).await {
            Ok(_) => Ok(true),
            Err(err) if err.status() == Some(405) => Ok(false),
            Err(err) if err.status() == Some(409) => Err(missing_parent(&err, path)),
            Err(err) => Err(err),
        }
    }

    /// DELETE one file or folder.
    pub async fn files_delete(&self, path: &str) -> NcResult<()> {
        let target = self.files_path(path).await?;
        let call = format!("DELETE {target}");
        match self
            .send(&call, self.request(Method::DELETE, &target))
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => Err(write_conflict(err, path, &WritePrecondition::Any)),
        }
    }

    /// MOVE or COPY with `Destination`, `Overwrite` and, when given, the destination
    /// precondition as an RFC 4918 tagged list `If: <dest> (["etag"])`. `Ok(true)` when the
    /// destination was created, `Ok(false)` when it was overwritten.
    pub async fn files_transfer(
        &self,
        copy: bool,
        source: &str,
        destination: &str,
        overwrite: bool,
        destination_etag: Option<&str>,
    ) -> NcResult<bool> {
        let from = self.files_path(source).await?;
        let to = self.files_path(destination).await?;
        let method_name = if copy { "COPY" } else { "MOVE" };
        if let Some(wanted) = destination_etag {
            // Checked here too: some WebDAV servers ignore a tagged `If:` list for the destination.
            let current = match self.files_stat(destination).await {
                Ok(info) => info.etag,
                Err(err) if err.status() == Some(404) => None,
                Err(err) => return Err(err),
            };
            if current.as_deref() != Some(unquote_etag(wanted).as_str()) {
                return Err(NextcloudError::new(
                    format!("{method_name} {from}"),
                    ErrorKind::Invalid(format!(
                        "HTTP 412: `{destination}` changed since its etag was read (or is gone); list it again and retry with the new etag"
                    )),
                ));
            }
        }
        let call = format!("{method_name} {from}");
        let method = Method::from_bytes(method_name.as_bytes()).unwrap_or(Method::POST);
        let dest_url = self.url(&to).to_string();
        let mut request = self
            .request(method, &from)
            .header("Destination", &dest_url)
            .header("Overwrite", if overwrite { "T" } else { "F" });
        if let Some(etag) = destination_etag {
            request = request.header("If", tagged_if(&dest_url, etag));
        }
        match self.send(&call, request).await {
            Ok(response) => Ok(response.status().as_u16() == 201),
            Err(err) => Err(transfer_conflict(err, source, destination, overwrite)),
        }
    }

    /// RFC 5323 SEARCH on `/remote.php/dav/`, paged with `firstresult`/`nresults`.
    pub async fn files_search(&self, query: &SearchQuery) -> NcResult<(Vec<FileInfo>, bool)> {
        let uid = self.dav_user_id().await?;
        let mut scope = format!("/files/{}", encode_path(&uid));
        if !query.scope.is_empty() {
            scope.push('/');
            scope.push_str(&encode_path(&query.scope));
        }
        let mut out: Vec<FileInfo> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut offset = 0usize;
        let mut truncated = false;
        loop {
            let want = (query.limit + 1).saturating_sub(out.len()).min(SEARCH_PAGE);
            let body = search_body(&scope, query, offset, want);
            let method = Method::from_bytes(b"SEARCH").unwrap_or(Method::POST);
            let call = "SEARCH /remote.php/dav/";
            let request = self
                .request(method, "/remote.php/dav/")
                .header("Content-Type", "text/xml; charset=utf-8")
                .body(body);
            let response = self.send(call, request).await.map_err(|err| match err.status() {
                Some(501) | Some(405) => status_error(
                    &err,
                    "this server does not support WebDAV SEARCH; browse with nc_webdav_list_directory instead".into(),
                ),
                _ => err,
            })?;
            let bytes = self.read_body(call, response).await?;
            let (page_len, infos) = self.file_infos_counted(call, &bytes).await?;
            let mut new = 0;
            for info in infos {
                if seen.insert(info.path.clone()) {
                    out.push(info);
                    new += 1;
                }
            }
            if out.len() > query.limit {
                out.truncate(query.limit);
                truncated = true;
                break;
            }
            // Done: a short page, or a server that ignores the offset and repeats itself.
            if page_len < want || new == 0 {
                break;
            }
            offset += page_len;
        }
        Ok((out, truncated))
    }

    /// Favorites below `scope` with the `oc:filter-files` REPORT.
    pub async fn files_favorites(&self, scope: &str) -> NcResult<Vec<FileInfo>> {
        self.files_filter_report(scope, "<oc:favorite>1</oc:favorite>")
            .await
    }

    /// Files carrying a system tag (`oc:filter-files` with `oc:systemtag`).
    pub async fn files_with_tag(&self, tag_id: i64) -> NcResult<Vec<FileInfo>> {
        self.files_filter_report("", &format!("<oc:systemtag>{tag_id}</oc:systemtag>"))
            .await
    }

    async fn files_filter_report(&self, scope: &str, rules: &str) -> NcResult<Vec<FileInfo>> {
        let mut target = self.files_path(scope).await?;
        if !target.ends_with('/') {
            target.push('/');
        }
        let props: String = FILE_PROPS
            .iter()
            .map(|(ns, name)| {
                let prefix = if *ns == NS_OC { "oc" } else { "d" };
                format!("<{prefix}:{name}/>")
            })
            .collect();
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><oc:filter-files xmlns:d=\"DAV:\" xmlns:oc=\"{NS_OC}\" xmlns:nc=\"{NS_NC}\"><d:prop>{props}</d:prop><oc:filter-rules>{rules}</oc:filter-rules></oc:filter-files>"
        );
        let method = Method::from_bytes(b"REPORT").unwrap_or(Method::POST);
        self.files_dav(method, &target, "1", body)
            .await
            .map_err(|err| match err.status() {
                Some(415) | Some(501) | Some(405) => status_error(
                    &err,
                    "this server does not support Nextcloud's file filter REPORT (oc:filter-files: favorites, tags); it is not a Nextcloud Files endpoint or the feature is off".into(),
                ),
                _ => err,
            })
    }
}

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Start and total size from `Content-Range: bytes 0-99/1234` (total `*` is unknown).
pub fn parse_content_range(value: &str) -> (Option<u64>, Option<u64>) {
    let Some(spec) = value.trim().strip_prefix("bytes") else {
        return (None, None);
    };
    let (range, total) = spec.trim().split_once('/').unwrap_or((spec.trim(), "*"));
    let start = range
        .split_once('-')
        .and_then(|(a, _)| a.trim().parse().ok());
    (start, total.trim().parse().ok())
}

/// Streams a body, dropping the first `skip` bytes and keeping at most `take`.
async fn read_window(call: &str, response: Response, skip: u64, take: u64) -> NcResult<Vec<u8>> {
    use futures::StreamExt;
    let mut stream = response.bytes_stream();
    let mut to_skip = skip as usize;
    let want = take as usize;
    let mut out = Vec::with_capacity(want.min(1 << 20));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            NextcloudError::new(
                call,
                ErrorKind::Unreachable(format!("reading the body: {e}")),
            )
        })?;
        let mut piece: &[u8] = &chunk;
        if to_skip > 0 {
            let n = to_skip.min(piece.len());
            piece = &piece[n..];
            to_skip -= n;
        }
        let room = want - out.len();
        out.extend_from_slice(&piece[..room.min(piece.len())]);
        if out.len() >= want {
            break;
        }
    }
    Ok(out)
}

/// A GET failure in the user's words: sabre answers 501 for a GET on a folder.
fn get_error(err: NextcloudError, path: &str) -> NextcloudError {
    match err.status() {
        Some(501) => status_error(
            &err,
            format!(
                "`{path}` is a folder, which cannot be read; list it with nc_webdav_list_directory"
            ),
        ),
        Some(404) => status_error(
            &err,
            format!("`{path}` does not exist; list its folder to find the name"),
        ),
        _ => err,
    }
}

fn too_large(call: &str, size: u64, cap: u64) -> NextcloudError {
    NextcloudError::invalid(
        call,
        format!(
            "the file is {size} bytes, larger than the read limit of {cap} bytes (toolsets.files.max_read_bytes); read a smaller file, or ask the administrator to raise the limit"
        ),
    )
}

/// A conflict with its own advice (the generic hint of the status would contradict it).
fn status_error(err: &NextcloudError, message: String) -> NextcloudError {
    let status = err.status().unwrap_or(0);
    NextcloudError::new(
        err.call.clone(),
        ErrorKind::Invalid(format!("HTTP {status}: {message}")),
    )
}

/// Clear messages for the write preconditions.
fn write_conflict(
    err: NextcloudError,
    path: &str,
    precondition: &WritePrecondition,
) -> NextcloudError {
    match (err.status(), precondition) {
        (Some(412), WritePrecondition::CreateOnly) => status_error(
            &err,
            format!(
                "`{path}` already exists and was not overwritten; read it (nc_webdav_read_file) and pass its etag as if_match to replace it, or if_match=\"*\" to overwrite it on purpose"
            ),
        ),
        (Some(412), WritePrecondition::Match(etag)) => status_error(
            &err,
            format!(
                "`{path}` changed since it was read (etag {etag} no longer matches, or the file is gone); read it again and retry with the new etag"
            ),
        ),
        (Some(423), _) => status_error(
            &err,
            format!("`{path}` is locked (open for editing elsewhere); try again later"),
        ),
        (Some(409), _) => missing_parent(&err, path),
        _ => err,
    }
}

/// sabre answers 409 to a write whose parent folder does not exist.
fn missing_parent(err: &NextcloudError, path: &str) -> NextcloudError {
    match path.rsplit_once('/') {
        Some((parent, _)) => status_error(
            err,
            format!(
                "the folder `{parent}` does not exist; create it with nc_webdav_create_directory first"
            ),
        ),
        None => status_error(
            err,
            format!("`{path}` cannot be created here (conflict with an existing item)"),
        ),
    }
}

fn transfer_conflict(
    err: NextcloudError,
    source: &str,
    destination: &str,
    overwrite: bool,
) -> NextcloudError {
    match err.status() {
        Some(412) if !overwrite => status_error(
            &err,
            format!(
                "`{destination}` already exists; pass overwrite=true (and if_destination_match with its etag to be safe) to replace it"
            ),
        ),
        Some(412) => status_error(
            &err,
            format!(
                "`{destination}` changed since its etag was read; list it again and retry with the new etag"
            ),
        ),
        Some(404) => status_error(&err, format!("`{source}` does not exist")),
        Some(409) => status_error(
            &err,
            format!(
                "the parent folder of `{destination}` does not exist; create it with nc_webdav_create_directory first"
            ),
        ),
        Some(423) => status_error(
            &err,
            format!("`{source}` or `{destination}` is locked; try again later"),
        ),
        _ => err,
    }
}

/// Builds a [`FileInfo`] from a response below `prefix` (the decoded files root path), as
/// read by the tree parser ([`super::dav::parse_multistatus`]).
pub fn file_info(prefix: &str, response: &DavResponse) -> Option<FileInfo> {
    FileProps::from_response(response).file_info(prefix, &response.href)
}

/// The RFC 4918 tagged-list `If:` header making `etag` a precondition on `url` (not on the request URL).
pub fn tagged_if(url: &str, etag: &str) -> String {
    format!("<{url}> ([{}])", quote_etag(etag))
}

/// The SEARCH body: basicsearch with the conditions ANDed, ordered by modification time.
pub fn search_body(scope: &str, query: &SearchQuery, offset: usize, count: usize) -> String {
    let mut conditions: Vec<String> = Vec::new();
    if let Some(name) = &query.name_like {
        conditions.push(format!(
            "<d:like><d:prop><d:displayname/></d:prop><d:literal>{}</d:literal></d:like>",
            escape(name)
        ));
    }
    if let Some(mime) = &query.mime_like {
        conditions.push(format!(
            "<d:like><d:prop><d:getcontenttype/></d:prop><d:literal>{}</d:literal></d:like>",
            escape(mime)
        ));
    }
    if query.only_favorites {
        conditions.push(
            "<d:eq><d:prop><oc:favorite/></d:prop><d:literal>1</d:literal></d:eq>".to_string(),
        );
    }
    if let Some(tag) = query.tag_id {
        conditions.push(format!(
            "<d:eq><d:prop><oc:systemtag/></d:prop><d:literal>{tag}</d:literal></d:eq>"
        ));
    }
    let condition = match conditions.len() {
        0 => "<d:not><d:is-collection/></d:not>".to_string(),
        1 => conditions.remove(0),
        _ => format!("<d:and>{}</d:and>", conditions.join("")),
    };
    let props: String = FILE_PROPS
        .iter()
        .map(|(ns, name)| {
            let prefix = if *ns == NS_OC { "oc" } else { "d" };
            format!("<{prefix}:{name}/>")
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<d:searchrequest xmlns:d=\"DAV:\" xmlns:oc=\"{NS_OC}\" xmlns:nc=\"{NS_NC}\"><d:basicsearch>\
<d:select><d:prop>{props}</d:prop></d:select>\
<d:from><d:scope><d:href>{}</d:href><d:depth>infinity</d:depth></d:scope></d:from>\
<d:where>{condition}</d:where>\
<d:orderby><d:order><d:prop><d:getlastmodified/></d:prop><d:descending/></d:order></d:orderby>\
<d:limit><d:nresults>{count}</d:nresults><d:firstresult>{offset}</d:firstresult></d:limit>\
</d:basicsearch></d:searchrequest>",
        escape(scope)
    )
}

/// Reads the error of a non-success response (for callers that send requests themselves).
pub async fn response_error(call: &str, response: Response) -> NextcloudError {
    error_from_response(call, response).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nextcloud::dav::parse_multistatus;

    #[test]
    fn search_body_escapes_and_pages() {
        let query = SearchQuery {
            scope: String::new(),
            name_like: Some("%a<b&c%".into()),
            mime_like: Some("image/%".into()),
            only_favorites: true,
            tag_id: None,
            limit: 10,
        };
        let body = search_body("/files/alice", &query, 500, 11);
        assert!(body.contains("<d:literal>%a&lt;b&amp;c%</d:literal>"));
        assert!(body.contains("<d:and>"));
        assert!(body.contains("<d:firstresult>500</d:firstresult>"));
        assert!(body.contains("<d:nresults>11</d:nresults>"));
        assert!(crate::nextcloud::xml::parse(body.as_bytes()).is_ok());
    }

    #[test]
    fn tagged_if_quotes_the_etag_once() {
        assert_eq!(
            tagged_if("http://nc/remote.php/dav/files/a/x%20y.md", "abc"),
            "<http://nc/remote.php/dav/files/a/x%20y.md> ([\"abc\"])"
        );
        assert_eq!(
            tagged_if("http://nc/f", "\"abc\""),
            "<http://nc/f> ([\"abc\"])"
        );
    }

    #[test]
    fn file_info_strips_root_and_decodes() {
        let body = br#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
 <d:response><d:href>/remote.php/dav/files/alice/Docs/%C3%BCber%20uns.md</d:href>
  <d:propstat><d:prop><d:resourcetype/><d:getetag>&quot;abc&quot;</d:getetag><d:getcontentlength>12</d:getcontentlength><oc:fileid>42</oc:fileid><d:getcontenttype>text/markdown</d:getcontenttype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
 </d:response>
</d:multistatus>"#;
        let parsed = parse_multistatus(body).unwrap();
        let info = file_info("/remote.php/dav/files/alice/", &parsed[0]).unwrap();
        assert_eq!(info.path, "Docs/über uns.md");
        assert_eq!(info.name, "über uns.md");
        assert_eq!(info.etag.as_deref(), Some("abc"));
        assert_eq!(info.file_id, Some(42));
        assert_eq!(info.size, Some(12));
        assert!(!info.is_directory());
    }
}
