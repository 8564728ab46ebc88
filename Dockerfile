# syntax=docker/dockerfile:1
# formserver: the form server under gunicorn, the embedded SQLite store in the /data volume.
#   docker build -t formserver .
#   docker run -p 8000:8000 -v formserver-data:/data -e FORMSERVER_BASE_URL=https://oss.example.go.id formserver
# Behind TLS (the default): session cookies are Secure and the public address is required. For plain
# http on localhost use -e FORMSERVER_SECURE_COOKIES=0 instead of the base URL.
# The browser bundle (static/build/), built from client/ with the npm packages of package-lock.json.
FROM python:3.11-slim AS client
RUN apt-get update -q && apt-get install -y -q --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY client/ ./client/
COPY scripts/build.mjs ./scripts/
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Liberation Sans, the font embedded in the issued documents (docs/DECISIONS.md): Debian 12 names its 2.x
# release fonts-liberation2, Debian 13 fonts-liberation.
RUN apt-get update -q \
    && (apt-get install -y -q --no-install-recommends fonts-liberation2 \
        || apt-get install -y -q --no-install-recommends fonts-liberation) \
    && rm -rf /var/lib/apt/lists/*

# The pinned dependencies first, from pyproject.toml alone, so that a code change keeps this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The application: the package, and the form definitions, static files, documents and regional variants beside it.
COPY formserver/ ./formserver/
COPY forms/ ./forms/
COPY static/ ./static/
COPY --from=client /build/static/build/ ./static/build/
COPY documents/ ./documents/
COPY variants/ ./variants/
# The package is installed in place (editable): formserver.config finds forms/ and static/ next
# to the package (PROJECT_ROOT), which a copy in site-packages would not have beside it.
RUN pip install --no-deps --editable . \
    && python -c "import formserver.config as c; assert (c.PROJECT_ROOT / 'forms').is_dir() and (c.PROJECT_ROOT / 'static').is_dir(), c.PROJECT_ROOT"

# Run as an unprivileged user; it writes only the data volume (secret key, store, outbox) and its
# home (gunicorn's control socket, $HOME/.gunicorn/gunicorn.ctl).
RUN groupadd --system --gid 10001 formserver \
    && useradd --system --uid 10001 --gid formserver --create-home --home-dir /home/formserver --shell /usr/sbin/nologin formserver \
    && mkdir -p /data \
    && chown formserver:formserver /data

ENV FORMSERVER_DATA_DIR=/data \
    HOME=/home/formserver
VOLUME ["/data"]
USER formserver:formserver
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

# Each worker builds the app with the factory; the secret key is created once in /data and shared.
CMD ["gunicorn", "-w", "2", "-b", "0.0.0.0:8000", "--access-logfile", "-", "formserver:create_app()"]
