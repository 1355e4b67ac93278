# Build stage: compile the release binary.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends cmake clang pkg-config && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo build --release --locked -p tenantry && strip target/release/tenantry

# Runtime stage: the binary (its defaults are built in) and curl for health checks.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/tenantry --create-home tenantry
WORKDIR /var/lib/tenantry
COPY --from=build /src/target/release/tenantry /usr/local/bin/tenantry
USER tenantry
ENV TENANTRY_BIND=0.0.0.0:8080 \
    TENANTRY_DATA_DIR=/var/lib/tenantry/data \
    TENANTRY_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["tenantry"]
CMD ["serve"]
