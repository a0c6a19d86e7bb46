//! Says why a connection to Nextcloud (or its OpenID provider) failed: DNS, refused, TLS,
//! timeout. reqwest's own message is only "error sending request for url (...)"; the
//! cause is further down the error's source chain.

use std::error::Error;

/// The kind of connection failure, as an admin would diagnose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectFailure {
    /// The host name did not resolve.
    Dns,
    /// Nothing listens at the address (TCP RST).
    Refused,
    /// TLS handshake or certificate check failed.
    Tls,
    /// No answer in time.
    Timeout,
    /// Anything else (reset, unreachable network, protocol error).
    Other,
}

/// Classifies a reqwest error by walking its source chain.
pub fn classify(err: &reqwest::Error) -> ConnectFailure {
    if err.is_timeout() {
        return ConnectFailure::Timeout;
    }
    let mut source: Option<&(dyn Error + 'static)> = Some(err);
    let mut kind = ConnectFailure::Other;
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return ConnectFailure::Refused;
        }
        let text = current.to_string().to_ascii_lowercase();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return ConnectFailure::Dns;
        }
        if text.contains("certificate")
            || text.contains("tls")
            || text.contains("handshake")
            || text.contains("corrupt message")
        {
            kind = ConnectFailure::Tls;
        }
        if text.contains("connection refused") {
            return ConnectFailure::Refused;
        }
        source = current.source();
    }
    kind
}

/// One line naming the failure, the host and every distinct cause in the chain, e.g.
/// `DNS lookup of cloud.example.com failed: dns error: failed to lookup address information`.
pub fn describe_connection_error(err: &reqwest::Error) -> String {
    let target = err
        .url()
        .map(|u| match (u.host_str(), u.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => u.to_string(),
        })
        .unwrap_or_else(|| "the server".into());
    let headline = match classify(err) {
        ConnectFailure::Dns => format!("DNS lookup of {target} failed (check the host name)"),
        ConnectFailure::Refused => {
            format!("connection to {target} refused (nothing listens there: wrong port, or down)")
        }
        ConnectFailure::Tls => format!(
            "TLS with {target} failed (certificate or protocol: a private CA needs nextcloud.ca_bundle; http vs https?)"
        ),
        ConnectFailure::Timeout => format!("no answer from {target} in time"),
        ConnectFailure::Other => format!("cannot connect to {target}"),
    };
    format!("{headline}: {}", cause_chain(err))
}

/// The messages of an error and its sources, without repeats, joined by `: `. The request
/// URL is left out (it may carry a query) since the headline names the host.
pub fn cause_chain(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = err.source();
    while let Some(current) = source {
        let text = current.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = current.source();
    }
    if parts.is_empty() {
        parts.push(err.to_string());
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn fail(url: &str) -> reqwest::Error {
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn dns_failure_is_named() {
        let err = fail("http://no-such-host.invalid/status.php").await;
        assert_eq!(classify(&err), ConnectFailure::Dns, "{err:?}");
        let text = describe_connection_error(&err);
        assert!(
            text.starts_with("DNS lookup of no-such-host.invalid:80 failed"),
            "{text}"
        );
        assert!(!text.contains("error sending request"), "{text}");
    }

    #[tokio::test]
    async fn refused_connection_is_named() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let err = fail(&format!("http://127.0.0.1:{port}/")).await;
        let text = describe_connection_error(&err);
        assert!(
            text.contains(&format!("connection to 127.0.0.1:{port} refused")),
            "{text}"
        );
    }

    #[tokio::test]
    async fn tls_failure_is_named() {
        // A plain-HTTP listener answering an https:// request: the handshake fails.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            while let Ok((mut socket, _)) = listener.accept().await {
                let _ = socket
                    .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        let err = fail(&format!("https://127.0.0.1:{port}/")).await;
        let text = describe_connection_error(&err);
        assert!(text.starts_with("TLS with 127.0.0.1"), "{text}");
    }
}
