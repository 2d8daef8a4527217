# pyWATS station client, headless (and the local WATS-compatible server as a second target).
#
#   docker build --target client-headless -t pywats:client-headless .
#   docker build --target server -t pywats:server .
#
# Client folders: /app/config = client home (config_<id>.json, token key),
#                 /app/data   = offline queue and log files.
# Token: PYWATS_API_TOKEN, or PYWATS_API_TOKEN_FILE / the secret /run/secrets/pywats_api_token.
# See docs/deployment.md.

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 pywats \
    && useradd --system --uid 10001 --gid pywats --home-dir /app --shell /usr/sbin/nologin pywats \
    && mkdir -p /app/config /app/data \
    && chown -R pywats:pywats /app
WORKDIR /app

FROM base AS server
COPY --from=build /wheels /wheels
# DL3013: this installs the wheel built above (its own version); dependencies follow pyproject.toml
# hadolint ignore=DL3013
RUN WHEEL="$(find /wheels -name 'pywats_api-*.whl')" \
    && pip install --no-cache-dir "${WHEEL}[server]" \
    && rm -rf /wheels
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["pywats-server", "--host", "0.0.0.0", "--port", "8080", "--db", "/app/data/pywats_server.db"]

FROM base AS client-headless
COPY --from=build /wheels /wheels
# DL3013: this installs the wheel built above (its own version); dependencies follow pyproject.toml
# hadolint ignore=DL3013
RUN WHEEL="$(find /wheels -name 'pywats_api-*.whl')" \
    && pip install --no-cache-dir "${WHEEL}[client-headless]" \
    && rm -rf /wheels
ENV PYWATS_CLIENT_HOME=/app/config \
    PYWATS_DATA_DIR=/app/data \
    PYWATS_LOG_DIR=/app/data/logs \
    PYWATS_INSTANCE_ID=default \
    MALLOC_ARENA_MAX=2
USER 10001:10001
VOLUME ["/app/config", "/app/data"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "pywats_client.deploy.container", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "pywats_client.deploy.container"]
