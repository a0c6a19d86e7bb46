# syntax=docker/dockerfile:1
# nextcloud-mcp container image: a static (musl) binary on an empty base.
#
#   docker build -t nextcloud-mcp:0.1.0 .
#   docker run --rm -p 8000:8000 -v "$PWD/nextcloud-mcp.yaml:/etc/nextcloud-mcp/nextcloud-mcp.yaml:ro" nextcloud-mcp:0.1.0
#
# The image holds only the binary, CA certificates and an empty state directory
# (/var/lib/nextcloud-mcp, for the auto-registered OIDC client). It runs as uid 65532.

ARG RUST_VERSION=1.95

# ---- build -----------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-bookworm AS builder

# musl-gcc compiles the C parts of the TLS stack (ring) for the static target.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add x86_64-unknown-linux-musl

WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src

RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
 && install -D -m 0755 target/x86_64-unknown-linux-musl/release/nextcloud-mcp /out/nextcloud-mcp \
 && install -d -m 0755 /out/etc/nextcloud-mcp \
 && install -d -m 0700 /state

# ---- runtime ---------------------------------------------------------------------------
FROM scratch

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="nextcloud-mcp" \
      org.opencontainers.image.description="MCP server that lets AI assistants use a Nextcloud account" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"

COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=builder /out/ /
COPY --from=builder --chown=65532:65532 /state /var/lib/nextcloud-mcp

USER 65532:65532
EXPOSE 8000
VOLUME ["/var/lib/nextcloud-mcp"]

# scratch has no shell or curl: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nextcloud-mcp", "healthcheck"]

ENTRYPOINT ["/nextcloud-mcp"]
CMD ["serve", "--config", "/etc/nextcloud-mcp/nextcloud-mcp.yaml"]
