# Zansai's webhook: a slim, non-root image (docs/deploy.md, "Containers").
#   docker build -t zansai .      (or: podman build -t zansai .)
# BASE: any Debian-like image with python3 (>= 3.11) and its venv module.
ARG BASE=python:3.11-slim

# The wheel is built in a first stage; the image holds only it and its dependencies.
FROM ${BASE} AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE babel.cfg ./
COPY bot ./bot
COPY flows ./flows
COPY locales ./locales
RUN python3 -m venv /opt/build && /opt/build/bin/pip install --no-cache-dir -q --upgrade pip \
    && /opt/build/bin/pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM ${BASE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/zansai/venv/bin:$PATH \
    ZANSAI_WEBHOOK_LISTEN=0.0.0.0 \
    ZANSAI_WEBHOOK_PORT=8080 \
    ZANSAI_DB=/var/lib/zansai/zansai.db
COPY --from=build /wheels /wheels
RUN python3 -m venv /opt/zansai/venv \
    && WHEEL=$(ls /wheels/zansai-*.whl) \
    && /opt/zansai/venv/bin/pip install --no-cache-dir -q "${WHEEL}[webhook,redis]" \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /var/lib/zansai --create-home zansai
USER zansai
WORKDIR /var/lib/zansai
EXPOSE 8080
# /healthz: the process serves HTTP (/readyz also needs the store and Telegram).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('ZANSAI_WEBHOOK_PORT', '8080'), timeout=4)"]
# SIGTERM: stop accepting, finish in-flight updates, exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["zansai"]
CMD ["webhook"]
