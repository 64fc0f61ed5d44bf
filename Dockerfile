# Thinkbot: one image for every process (see Procfile and fly.toml). Slim Python 3.11, a non-root user, and the
# runtime dependencies installed from requirements.lock (every package pinned, no resolver) before the code, so a
# code change rebuilds one small layer.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8080

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin thinkbot
WORKDIR /app

COPY requirements.lock ./
RUN pip install --no-deps --requirement requirements.lock && pip check

COPY pyproject.toml README.md ./
COPY core ./core
COPY adapters ./adapters
COPY bot ./bot
RUN pip install --no-deps . && pip check

USER thinkbot
EXPOSE 8080
STOPSIGNAL SIGTERM
CMD ["thinkbot", "run"]
