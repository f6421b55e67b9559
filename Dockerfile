# Koppel as a container: `koppel serve` (schedules, change hooks, /healthz, /readyz, /metrics) as a non-root
# user. Node runs the TypeScript directly (type stripping): there is no build stage, only the runtime
# dependencies. The config and its secrets are mounted at /etc/koppel, the embedded store's data at /var/lib/koppel.
# Build: docker build -t koppel .   Run: see docs/operations.md.
FROM node:24-bookworm-slim

# pg_dump / pg_restore for `koppel backup` and `koppel restore` against a PostgreSQL store
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/koppel
COPY package.json package-lock.json ./
COPY packages/sim/package.json packages/sim/package.json
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force
COPY bin bin
COPY src src
COPY packages packages

# the image's own `node` user (uid 1000); nothing under /opt/koppel is writable by it
RUN mkdir -p /etc/koppel /var/lib/koppel && chown node:node /var/lib/koppel && chmod 0700 /var/lib/koppel
USER node
ENV NODE_ENV=production NODE_COMPILE_CACHE=/tmp/koppel-compile-cache
VOLUME ["/var/lib/koppel"]
EXPOSE 8470

HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:8470/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# tini passes SIGTERM on: serve finishes the actions in flight, journals them and exits 0
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--no-warnings=ExperimentalWarning", "bin/koppel.ts"]
CMD ["serve", "-c", "/etc/koppel/koppel.yaml", "--host", "0.0.0.0"]
