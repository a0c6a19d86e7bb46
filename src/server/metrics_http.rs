//! `/metrics` over HTTP: the scrape endpoint (on the main listener or its own), and the
//! count of open event streams.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::{App, HttpResponse, HttpServer, web};
use bytes::Bytes;

use super::ServeError;
use crate::config::MetricsConfig;
use crate::metrics::{self, OpenGuard};

/// `GET /metrics`: OpenMetrics text.
pub async fn scrape() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(metrics::CONTENT_TYPE)
        .body(metrics::render())
}

/// Adds the scrape route to the main app when metrics are on and have no listener of their own.
pub fn routes(cfg: &mut web::ServiceConfig, config: &MetricsConfig) {
    if config.enabled && config.listen.is_none() {
        cfg.route(&config.path, web::get().to(scrape));
    }
}

/// A separate server for `metrics.listen`, when set.
pub fn listener(config: &MetricsConfig) -> Result<Option<actix_web::dev::Server>, ServeError> {
    let (true, Some(listen)) = (config.enabled, config.listen.clone()) else {
        return Ok(None);
    };
    let path = config.path.clone();
    let server = HttpServer::new(move || App::new().route(&path, web::get().to(scrape)))
        .workers(1)
        .disable_signals()
        .bind(&listen)
        .map_err(|e| ServeError::msg(format!("cannot listen on {listen} (metrics.listen): {e}")))?
        .run();
    log::info!("metrics on http://{listen}{}", config.path);
    Ok(Some(server))
}

/// Counts an event-stream response as open until its body is dropped.
pub fn count_streams(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    if !super::first_event::has_event_stream_type(response.headers()) {
        return response;
    }
    response.map_body(|_, body| {
        BoxBody::new(CountedBody {
            inner: body,
            _open: metrics::stream_opened(),
        })
    })
}

struct CountedBody {
    inner: BoxBody,
    _open: OpenGuard,
}

impl MessageBody for CountedBody {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.inner.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.inner).poll_next(cx)
    }
}
