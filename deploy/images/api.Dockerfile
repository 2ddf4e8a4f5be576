# syntax=docker/dockerfile:1.7
# agent-hub-api: the FastAPI server (`agent-hub serve`), the media worker
# (`agent-hub worker`) and the migration job (`agent-hub migrate`) share this image.
#
# Build from the repository root:
#   docker build -f deploy/images/api.Dockerfile -t agent-hub-api:dev .
#
# Base image pinned to an exact version. Release builds also pin the digest, e.g.
#   --build-arg PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:<digest>
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
# Optional dependency groups of pyproject.toml to include: the manifests run the media worker
# with offline engines, store media in S3 and rank search by meaning, so all three are in by
# default. EXTRAS="" builds the base install (the whole API and owner auth, media on a local
# volume, basic descriptions, keyword search).
ARG EXTRAS="media,s3,search"
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY deploy/images/install-api.sh /usr/local/bin/install-api.sh
COPY pyproject.toml README.md ./
COPY src ./src
# Same command CI runs outside a container; Debian packages go into the final stage.
RUN install-api.sh --skip-apt --src /src --extras "${EXTRAS}" /opt/venv \
 && /opt/venv/bin/python -m pip uninstall --yes pip \
 && find /opt/venv -name '*.pyc' -path '*/tests/*' -delete

# ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG VERSION=dev
LABEL org.opencontainers.image.title="agent-hub-api" \
      org.opencontainers.image.description="Agent Hub API server, media worker and migrations" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"

COPY deploy/images/install-api.sh /tmp/install-api.sh
# Runtime-only Debian packages (tesseract, libsndfile, ffmpeg); the script removes apt lists.
RUN /tmp/install-api.sh --apt-only \
 && rm -f /tmp/install-api.sh \
 && groupadd --gid 10001 agenthub \
 && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
            --shell /usr/sbin/nologin agenthub \
 && mkdir -p /data /models \
 && chown 10001:10001 /data \
 && rm -rf /root/.cache /tmp/*

COPY --from=build /opt/venv /opt/venv

# Read-only root filesystem: everything that writes goes to /tmp (an emptyDir in
# Kubernetes). /data is only used by the embedded (SQLite) mode.
ENV PATH=/opt/venv/bin:$PATH \
    HOME=/tmp \
    TMPDIR=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AGENT_HUB_HOST=0.0.0.0 \
    AGENT_HUB_PORT=8000 \
    AGENT_HUB_DATA_DIR=/data

USER 10001:10001
WORKDIR /tmp
EXPOSE 8000 9100
ENTRYPOINT ["agent-hub"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
