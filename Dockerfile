# syntax=docker/dockerfile:1
# The ampsync container action: one static musl binary in an empty (`scratch`) image. CA roots
# are compiled in (rustls + webpki roots), so the image needs nothing else. No USER (the runner
# needs root to write the mounted workspace and files), no WORKDIR (the runner sets it),
# exec-form ENTRYPOINT.
#
# Two ways to build it:
#   docker build -t ampsync .
#       compiles in the `builder` stage (dependencies cached with BuildKit cache mounts);
#   cargo build --profile dist --locked --target x86_64-unknown-linux-musl -p ampsync
#   docker build --target prebuilt -t ampsync .    (or podman build)
#       packs a binary built on the host (how CI and scripts/container-test.sh build it: base
#       images cannot be pulled there). BINARY overrides the binary's path in the context.

ARG RUST_VERSION=1.95

FROM docker.io/library/rust:${RUST_VERSION}-alpine AS builder
RUN apk add --no-cache musl-dev gcc
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --profile dist --locked --target x86_64-unknown-linux-musl -p ampsync \
    && cp target/x86_64-unknown-linux-musl/dist/ampsync /ampsync

FROM scratch AS prebuilt
ARG BINARY=target/x86_64-unknown-linux-musl/dist/ampsync
COPY ${BINARY} /ampsync
ENTRYPOINT ["/ampsync"]

FROM scratch AS release
COPY --from=builder /ampsync /ampsync
ENTRYPOINT ["/ampsync"]
