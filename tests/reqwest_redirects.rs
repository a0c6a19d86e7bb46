//! The vendored reqwest skips re-parsing a request's URL when no redirect was followed
//! (`vendor/reqwest-url-reparse.patch`, decision 0009). What those parses fed must not change:
//! the response's URL (the request's without a redirect, the last one after), the headers
//! dropped when a redirect leaves the host, and the `Referer` a followed redirect sets.
//! A plain HTTP server on loopback answers by path and records each request's head.

use std::sync::{Arc, Mutex};

use reqwest::redirect::Policy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Request heads received, in order.
type Seen = Arc<Mutex<Vec<String>>>;

/// Serves `/moved` as a 302 to `location`, anything else as 200 `ok`. Returns its port.
async fn serve(location: String, seen: Seen) -> u16 {
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => panic!("bind: {e}"),
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = seen.clone();
            let location = location.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let moved = head.starts_with("GET /moved");
                seen.lock().map(|mut s| s.push(head)).ok();
                let answer = if moved {
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        .to_string()
                };
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    port
}

fn heads(seen: &Seen) -> Vec<String> {
    seen.lock().map(|s| s.clone()).unwrap_or_default()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn client(policy: Policy) -> reqwest::Client {
    match reqwest::Client::builder().redirect(policy).build() {
        Ok(client) => client,
        Err(e) => panic!("client: {e}"),
    }
}

/// GET `url` with a bearer token under `policy`.
async fn get(policy: Policy, url: &str) -> reqwest::Response {
    match client(policy).get(url).bearer_auth("t").send().await {
        Ok(response) => response,
        Err(e) => panic!("{url}: {e}"),
    }
}

#[tokio::test]
async fn without_a_redirect_the_response_url_is_the_request_url() {
    let seen = Seen::default();
    let port = serve(String::new(), seen.clone()).await;
    for path in [
        "/a/b?x=1&y=%20z",
        "/",
        "/remote.php/dav/files/al%20ice/",
        "/index.php/apps/notes/api/v1/notes/7",
    ] {
        let url = format!("http://127.0.0.1:{port}{path}");
        let response = get(Policy::none(), &url).await;
        assert_eq!(response.url().as_str(), url);
        assert_eq!(response.status(), 200);
    }
    // The URL as reqwest normalises it: an empty path becomes `/`.
    let bare = format!("http://127.0.0.1:{port}");
    let response = get(Policy::none(), &bare).await;
    assert_eq!(response.url().as_str(), format!("{bare}/"));
    let heads = heads(&seen);
    assert_eq!(heads.len(), 5);
    assert!(heads.iter().all(|h| header(h, "referer").is_none()));
    assert_eq!(header(&heads[0], "authorization"), Some("Bearer t"));
}

#[tokio::test]
async fn a_redirect_not_followed_keeps_the_request_url() {
    let seen = Seen::default();
    let port = serve("/elsewhere".into(), seen.clone()).await;
    let url = format!("http://127.0.0.1:{port}/moved");
    let response = get(Policy::none(), &url).await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.url().as_str(), url);
    assert_eq!(heads(&seen).len(), 1);
}

#[tokio::test]
async fn a_followed_redirect_on_the_same_host_gives_the_final_url_and_a_referer() {
    let seen = Seen::default();
    let port = serve("/final?z=9".into(), seen.clone()).await;
    let url = format!("http://127.0.0.1:{port}/moved");
    let response = get(Policy::limited(3), &url).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.url().as_str(),
        format!("http://127.0.0.1:{port}/final?z=9")
    );
    let heads = heads(&seen);
    assert_eq!(heads.len(), 2);
    assert!(heads[1].starts_with("GET /final?z=9 "));
    assert_eq!(header(&heads[1], "referer"), Some(url.as_str()));
    assert_eq!(header(&heads[1], "authorization"), Some("Bearer t"));
}

#[tokio::test]
async fn a_followed_redirect_to_another_host_drops_the_credentials() {
    let target_seen = Seen::default();
    let target = serve(String::new(), target_seen.clone()).await;
    let seen = Seen::default();
    let port = serve(format!("http://localhost:{target}/landed"), seen.clone()).await;
    let url = format!("http://127.0.0.1:{port}/moved");
    let response = get(Policy::limited(3), &url).await;
    assert_eq!(
        response.url().as_str(),
        format!("http://localhost:{target}/landed")
    );
    let first = heads(&seen);
    assert_eq!(header(&first[0], "authorization"), Some("Bearer t"));
    let landed = heads(&target_seen);
    assert_eq!(landed.len(), 1);
    assert!(landed[0].starts_with("GET /landed "));
    assert_eq!(header(&landed[0], "authorization"), None);
}
