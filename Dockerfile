# fayuan server image: Python app + the browser pages' npm dependencies, built in one stage.
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# the locked versions first, in a layer of their own that a code change does not rebuild
COPY requirements/runtime.lock ./requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.lock
COPY pyproject.toml README.md ./
COPY server ./server
COPY signaling ./signaling
COPY client ./client
RUN pip install --no-cache-dir --no-deps . && pip check \
 && cd client/web && npm ci --no-audit --no-fund && npm run build && rm -rf node_modules

ENV FAYUAN_HOST=0.0.0.0 FAYUAN_PORT=8080 FAYUAN_DATA_DIR=/data
EXPOSE 8080
VOLUME ["/data"]
CMD ["fayuan", "serve", "--migrate"]
