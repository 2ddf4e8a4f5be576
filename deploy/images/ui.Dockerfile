# syntax=docker/dockerfile:1.7
# agent-hub-ui: the Next.js app from ui/, built with `output: "standalone"` and run
# as `node server.js` on port 3000.
#
# Build from the repository root:
#   docker build -f deploy/images/ui.Dockerfile -t agent-hub-ui:dev .
#
# Base image pinned to an exact version. Release builds also pin the digest, e.g.
#   --build-arg NODE_IMAGE=node:20.18.1-bookworm-slim@sha256:<digest>
ARG NODE_IMAGE=node:20.18.1-bookworm-slim

# ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
ENV NEXT_TELEMETRY_DISABLED=1
WORKDIR /src
COPY deploy/images/install-ui.sh /usr/local/bin/install-ui.sh
COPY ui ./ui
# Same command CI runs outside a container.
RUN install-ui.sh --ui /src/ui --out /out \
 && test -f /out/server.js

# ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=dev
LABEL org.opencontainers.image.title="agent-hub-ui" \
      org.opencontainers.image.description="Agent Hub web UI (Next.js standalone)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"

# No package managers in the final image; a dedicated non-root user.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && groupadd --gid 10001 agenthub \
 && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
            --shell /usr/sbin/nologin agenthub \
 && rm -rf /root/.npm /root/.cache /tmp/*

WORKDIR /app
# Owned by root and read-only for the app; Next.js' own cache (.next/cache) is an
# emptyDir in Kubernetes.
COPY --from=build /out /app

ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOME=/tmp \
    PORT=3000 \
    HOSTNAME=0.0.0.0

USER 10001:10001
EXPOSE 3000
CMD ["node", "server.js"]
