//! OCS API calls: the `OCS-APIRequest` header, JSON format, and the envelope
//! `{ocs:{meta:{status,statuscode,message},data}}` with v1 (100 = ok, HTTP 200 even on
//! errors) and v2 (statuscode = HTTP status) rules.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::client::NextcloudClient;
use super::error::{ErrorKind, NcResult, NextcloudError};

/// Unwraps an OCS envelope, turning an error statuscode into a [`NextcloudError`].
pub fn unwrap_envelope(call: &str, http_status: u16, body: &[u8]) -> NcResult<Value> {
    let json: Value = serde_json::from_slice(body).map_err(|e| {
        NextcloudError::new(
            call,
            ErrorKind::Decode(format!("not an OCS JSON answer: {e}")),
        )
    })?;
    let meta = json.pointer("/ocs/meta").ok_or_else(|| {
        NextcloudError::new(call, ErrorKind::Decode("no ocs.meta in the answer".into()))
    })?;
    // Compared as u64: a cast to u16 first would let 65,636 wrap into 100 ("ok").
    let code = meta.get("statuscode").and_then(Value::as_u64).unwrap_or(0);
    let ok = code == 100 || (200..300).contains(&code);
    if !ok {
        // v1 answers HTTP 200 with the real status in statuscode; map the common ones.
        let status = match (http_status, code) {
            (200, 997) => 401,
            (200, 998) => 404,
            (200, 996) => 500,
            (200, c) if (400..600).contains(&c) => c as u16,
            (200, _) => 400,
            (s, _) => s,
        };
        return Err(NextcloudError::new(
            call,
            ErrorKind::Status {
                status,
                ocs_status: u16::try_from(code).ok(),
                message: meta
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            },
        ));
    }
    Ok(json.pointer("/ocs/data").cloned().unwrap_or(Value::Null))
}

/// An OCS answer with its HTTP status and headers, for APIs that page by headers (Talk's
/// `X-Chat-Last-Given`) or answer 304 without a body (then `data` is `Null`).
#[derive(Debug, Clone)]
pub struct OcsAnswer {
    /// HTTP status (200, 201, 202, 304...).
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// `ocs.data`.
    pub data: Value,
}

impl OcsAnswer {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl NextcloudClient {
    /// Calls an OCS endpoint (`/ocs/v2.php/...` or `/ocs/v1.php/...`) and returns `ocs.data`.
    /// `body` is sent as JSON when given.
    pub async fn ocs_value(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> NcResult<Value> {
        Ok(self.ocs_answer(method, path, body).await?.data)
    }

    /// Like [`Self::ocs_value`], keeping the status and headers; 304/204 give `Null` data.
    pub async fn ocs_answer(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> NcResult<OcsAnswer> {
        let call = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut request = self
            .request(method, &format!("{path}{separator}format=json"))
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = self.send(&call, request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = self.read_body(&call, response).await?;
        let data = if matches!(status, 204 | 304) && bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            unwrap_envelope(&call, status, &bytes)?
        };
        Ok(OcsAnswer {
            status,
            headers,
            data,
        })
    }

    /// Like [`Self::ocs_value`], decoding `ocs.data` into `T`.
    pub async fn ocs<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> NcResult<T> {
        let call = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let value = self.ocs_value(method, path, body).await?;
        serde_json::from_value(value).map_err(|e| {
            NextcloudError::new(call, ErrorKind::Decode(format!("unexpected OCS data: {e}")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_error_inside_http_200_is_an_error() {
        let body = br#"{"ocs":{"meta":{"status":"failure","statuscode":998,"message":"not found"},"data":[]}}"#;
        let err = unwrap_envelope("GET x", 200, body).unwrap_err();
        assert_eq!(err.status(), Some(404));
    }

    #[test]
    fn v1_and_v2_success_codes() {
        let v1 =
            br#"{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK"},"data":{"a":1}}}"#;
        let v2 =
            br#"{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":{"a":1}}}"#;
        assert_eq!(unwrap_envelope("x", 200, v1).unwrap()["a"], 1);
        assert_eq!(unwrap_envelope("x", 200, v2).unwrap()["a"], 1);
    }

    #[test]
    fn v2_error_keeps_http_status() {
        let body = br#"{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"Wrong share ID"},"data":[]}}"#;
        let err = unwrap_envelope("GET x", 404, body).unwrap_err();
        assert_eq!(err.status(), Some(404));
    }
}
