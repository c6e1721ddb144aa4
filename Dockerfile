# The Lucky Gas back office under gunicorn, as a non-root user.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/app/var

WORKDIR /app
# pg_dump and pg_restore for `manage.py backup`: Debian 12's are version 15,
# the server's.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN useradd --create-home --uid 1000 luckygas \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && chmod -R a+rX /app/staticfiles \
    && mkdir -p /app/var /app/backups && chown -R luckygas /app/var /app/backups \
    && chmod 700 /app/var /app/backups

USER luckygas
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn luckygas.wsgi"]
