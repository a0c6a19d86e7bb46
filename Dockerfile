# syntax=docker/dockerfile:1
# nextcloud-mcp container image: a static (musl) binary on an empty base.
#
#   docker build -t nextcloud-mcp:0.1.0 .
#   docker run --rm -p 8000:8000 -v "$PWD/nextcloud-mcp.yaml:/etc/nextcloud-mcp/nextcloud-mcp.yaml:ro" nextcloud-mcp:0.1.0
#
# The image holds only the binary, a CA bundle, an empty /tmp and an empty state directory
# (/var/lib/nextcloud-mcp, for the auto-registered OIDC client). It runs as uid 65532.
#
# BINARY_SOURCE chooses where the files come from:
#   build     (default) compile them here, in the Rust image (needs a registry to pull it);
#   prebuilt  take them from the build context's prebuilt/ folder, laid out as the build stage
#             leaves /out (tests/deploy/image-build.sh does this; CI builds the image so,
#             with podman and no registry).
# Only the chosen source's stage is built: BuildKit (Docker's builder since 23.0), podman and
# buildah skip the other one.

# The exact rustc that link/startup-order-musl.ld was made with: symbol names carry a hash that
# another version changes, and the code order would then gather none of them (decision 0006).
ARG RUST_VERSION=1.95.0
ARG BINARY_SOURCE=build

# ---- build -----------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-bookworm AS build

# musl-gcc compiles the C parts of the TLS stack (ring) for the static target.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add x86_64-unknown-linux-musl

WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY vendor ./vendor
# The code order for the static binary (build.rs, docs/decisions/0006-memory.md, "Code order").
COPY link ./link
# memcpy and friends, and mimalloc's settings, for the static binary (decision 0008).
COPY native ./native
# The recorded profile the build is optimised with (docs/decisions/0011-pgo.md).
COPY pgo ./pgo

# The `image` profile (Cargo.toml, docs/decisions/0005-image-build-profile.md). It keeps the
# symbol table, so that its symbol names are those link/startup-order-musl.ld names; `install -s`
# strips it from the installed binary. RUSTFLAGS hands rustc the recorded profile (PGO, decision
# 0011; rustc runs in each crate's own directory, hence the absolute path).
# /out/rootfs is the image's filesystem; /out/state its state directory, owned by the
# runtime user below.
RUN RUSTFLAGS="-Cprofile-use=/src/pgo/x86_64-unknown-linux-musl.profdata" \
    cargo build --profile image --locked --target x86_64-unknown-linux-musl \
 && install -D -s -m 0755 target/x86_64-unknown-linux-musl/image/nextcloud-mcp /out/rootfs/nextcloud-mcp \
 && install -D -m 0644 /etc/ssl/certs/ca-certificates.crt /out/rootfs/etc/ssl/certs/ca-certificates.crt \
 && install -d -m 1777 /out/rootfs/tmp \
 && install -d -m 0755 /out/rootfs/var/lib \
 && install -d -m 0700 /out/state/nextcloud-mcp

# ---- prebuilt: the same /out from the build context ---------------------------------------
FROM scratch AS prebuilt
COPY prebuilt/ /out/

# ---- the chosen source -------------------------------------------------------------------
# hadolint ignore=DL3006
FROM ${BINARY_SOURCE} AS binary

# ---- runtime ---------------------------------------------------------------------------
FROM scratch

ARG VERSION=0.1.0
ARG REVISION=""
ARG CREATED=""
LABEL org.opencontainers.image.title="nextcloud-mcp" \
      org.opencontainers.image.description="MCP server that lets AI assistants use a Nextcloud account" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later" \
      org.opencontainers.image.source="https://github.com/nextcloud-mcp/nextcloud-mcp"

COPY --from=binary /out/rootfs/ /
COPY --from=binary --chown=65532:65532 /out/state/ /var/lib/

USER 65532:65532
EXPOSE 8000
VOLUME ["/var/lib/nextcloud-mcp"]

# scratch has no shell or curl: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nextcloud-mcp", "healthcheck"]

ENTRYPOINT ["/nextcloud-mcp"]
CMD ["serve", "--config", "/etc/nextcloud-mcp/nextcloud-mcp.yaml"]
