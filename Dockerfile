# syntax=docker/dockerfile:1
# Build: docker build -t oversee .
# Run:   docker run -p 8080:8080 -v oversee-data:/data oversee
FROM rust:1.95-slim-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so source edits do not rebuild them.
COPY Cargo.toml Cargo.lock ./
COPY crates/oversee-rules/Cargo.toml crates/oversee-rules/
# The bundled SQLite's compile-time options (LIBSQLITE3_FLAGS) live here.
COPY .cargo .cargo
RUN mkdir src crates/oversee-rules/src && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs crates/oversee-rules/src/lib.rs && cargo build --release --locked \
    && rm -rf src crates/oversee-rules/src
COPY src src
COPY crates crates
COPY migrations migrations
RUN touch src/main.rs src/lib.rs crates/oversee-rules/src/lib.rs && cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data oversee \
    && mkdir -p /data && chown oversee /data
COPY --from=build /src/target/release/oversee /usr/local/bin/oversee
USER oversee
WORKDIR /data
VOLUME ["/data"]
ENV OVERSEE_BIND=0.0.0.0:8080 OVERSEE_DATA_DIR=/data OVERSEE_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["oversee"]
CMD ["serve"]
