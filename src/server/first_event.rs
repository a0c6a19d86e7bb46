//! The status line, headers and first message of a POST's event stream leave in one write.
//!
//! rmcp answers a streamable-HTTP POST with an event stream: a priming event (an event id and
//! empty data, for reconnection) at once, then the answer (for almost every tool call followed
//! by the stream's end) once the tool has run. actix flushes what it has as soon as the body is
//! not ready, so every call cost two writes to the client (head and priming event, then answer)
//! and the client two wake-ups. Holding the response until the stream has produced its first
//! message, for at most [`FIRST_MESSAGE_WAIT`], lets actix put head, priming event, answer and
//! end into one write. A client sees the same bytes; only their split into TCP segments changes.
//! GET streams (server-initiated messages, which may not come for hours) are left alone.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::Error;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use bytes::Bytes;

/// How long a POST's response waits for the stream's first message. Long enough for the
/// usual Nextcloud call; a tool that runs longer gets what is ready sent after this, as before.
pub const FIRST_MESSAGE_WAIT: Duration = Duration::from_secs(1);

type BodyError = Box<dyn std::error::Error>;

/// Middleware for `/mcp`: see the module documentation.
pub async fn head_with_first_message(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_post = req.method() == Method::POST;
    let response = next.call(req).await?.map_into_boxed_body();
    if !is_post || !is_event_stream(&response) {
        return Ok(response);
    }
    let (req, res) = response.into_parts();
    let (res, mut rest) = res.into_parts();
    let mut held = Held::default();
    // On timeout the tool is still running: what was taken goes out now, the rest as it comes.
    let _ = tokio::time::timeout(
        FIRST_MESSAGE_WAIT,
        std::future::poll_fn(|cx| held.take_until_message(Pin::new(&mut rest), cx)),
    )
    .await;
    let body = BoxBody::new(Primed { held, rest });
    Ok(ServiceResponse::new(req, res.set_body(body)))
}

fn is_event_stream(response: &ServiceResponse<BoxBody>) -> bool {
    matches!(response.response().body().size(), BodySize::Stream)
        && has_event_stream_type(response.headers())
}

/// Whether these response headers declare an event stream (`text/event-stream`).
pub fn has_event_stream_type(headers: &header::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

/// Whether an event-stream chunk has a `data:` line that is not empty (a message, not a
/// priming event or comment). Looks only at the start of each line: a message's data line can
/// be megabytes long.
fn carries_message(chunk: &[u8]) -> bool {
    let mut rest = chunk;
    while !rest.is_empty() {
        if let Some(data) = rest.strip_prefix(b"data:") {
            let data = data.strip_prefix(b" ").unwrap_or(data);
            if !data.is_empty() && data[0] != b'\n' && data[0] != b'\r' {
                return true;
            }
        }
        match memchr::memchr(b'\n', rest) {
            Some(end) => rest = &rest[end + 1..],
            None => break,
        }
    }
    false
}

/// What was taken from the stream before the response went out.
#[derive(Default)]
struct Held {
    chunks: VecDeque<Bytes>,
    error: Option<BodyError>,
    /// The stream has returned its end (or an error): it must not be polled again.
    ended: bool,
}

impl Held {
    /// Takes chunks while they are ready, until one carries a message or the stream ends.
    fn take_until_message(
        &mut self,
        mut rest: Pin<&mut BoxBody>,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        loop {
            match rest.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    let message = carries_message(&chunk);
                    if !chunk.is_empty() {
                        self.chunks.push_back(chunk);
                    }
                    if message {
                        return Poll::Ready(());
                    }
                }
                Poll::Ready(Some(Err(error))) => {
                    self.error = Some(error);
                    self.ended = true;
                    return Poll::Ready(());
                }
                Poll::Ready(None) => {
                    self.ended = true;
                    return Poll::Ready(());
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// A body whose first items were already taken from `rest`.
struct Primed {
    held: Held,
    rest: BoxBody,
}

impl MessageBody for Primed {
    type Error = BodyError;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = &mut *self;
        if let Some(chunk) = this.held.chunks.pop_front() {
            return Poll::Ready(Some(Ok(chunk)));
        }
        if let Some(error) = this.held.error.take() {
            return Poll::Ready(Some(Err(error)));
        }
        if this.held.ended {
            return Poll::Ready(None);
        }
        let next = Pin::new(&mut this.rest).poll_next(cx);
        if matches!(next, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            this.held.ended = true;
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};
    use futures::{StreamExt, stream};
    use std::time::Instant;

    const PRIMING: &str = "data: \nid: 0/7\nretry: 3000\n\n";
    const ANSWER: &str = "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n";
    const DELAY: Duration = Duration::from_millis(30);

    fn event_stream(chunks: impl futures::Stream<Item = &'static str> + 'static) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/event-stream")
            .streaming(chunks.map(|s| Ok::<_, std::io::Error>(Bytes::from_static(s.as_bytes()))))
    }

    /// A priming event at once, the answer after [`DELAY`] (the tool running), then the end.
    async fn tool_call() -> HttpResponse {
        let answer = stream::once(async {
            tokio::time::sleep(DELAY).await;
            ANSWER
        });
        event_stream(stream::iter([PRIMING]).chain(answer))
    }

    /// A priming event, then nothing.
    async fn silent() -> HttpResponse {
        event_stream(stream::iter([PRIMING]).chain(stream::pending()))
    }

    async fn empty() -> HttpResponse {
        event_stream(stream::empty())
    }

    /// The middleware in front of `handler` for POST and GET.
    macro_rules! app {
        ($handler:ident) => {
            test::init_service(
                App::new()
                    .wrap(from_fn(head_with_first_message))
                    .route("/", web::post().to($handler))
                    .route("/", web::get().to($handler)),
            )
            .await
        };
    }

    #[actix_web::test]
    async fn a_post_is_answered_once_its_first_message_is_ready_with_every_byte_in_order() {
        let app = app!(tool_call);
        let started = Instant::now();
        let res = test::call_service(&app, test::TestRequest::post().uri("/").to_request()).await;
        assert!(
            started.elapsed() >= DELAY,
            "the head left before the answer was ready"
        );
        assert_eq!(res.status(), 200);
        let body = test::read_body(res).await;
        assert_eq!(body, format!("{PRIMING}{ANSWER}").as_bytes());
    }

    #[actix_web::test]
    async fn a_get_stream_is_answered_at_once() {
        let app = app!(silent);
        let started = Instant::now();
        let res = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
        assert!(started.elapsed() < FIRST_MESSAGE_WAIT);
        assert_eq!(res.status(), 200);
    }

    #[actix_web::test]
    async fn a_silent_post_stream_is_answered_after_the_wait_and_keeps_its_priming_event() {
        let app = app!(silent);
        let started = Instant::now();
        let res = test::call_service(&app, test::TestRequest::post().uri("/").to_request()).await;
        assert!(started.elapsed() >= FIRST_MESSAGE_WAIT);
        let mut body = res.into_body();
        let first = std::future::poll_fn(|cx| Pin::new(&mut body).poll_next(cx)).await;
        assert_eq!(
            first.and_then(Result::ok),
            Some(Bytes::from_static(PRIMING.as_bytes()))
        );
    }

    #[actix_web::test]
    async fn a_stream_that_ends_at_once_stays_empty() {
        let app = app!(empty);
        let res = test::call_service(&app, test::TestRequest::post().uri("/").to_request()).await;
        assert_eq!(res.status(), 200);
        assert!(test::read_body(res).await.is_empty());
    }

    #[core::prelude::v1::test]
    fn messages_are_told_from_priming_events_and_comments() {
        assert!(carries_message(ANSWER.as_bytes()));
        assert!(carries_message(b"id: 3\ndata:{}\n\n"));
        assert!(!carries_message(PRIMING.as_bytes()));
        assert!(!carries_message(b"data:\n\n"));
        assert!(!carries_message(b": keep-alive\n\n"));
        assert!(!carries_message(b""));
        assert!(!carries_message(b"data: \r\n\r\n"));
        assert!(carries_message(b": comment\nid: 1\ndata: x"));
    }
}
