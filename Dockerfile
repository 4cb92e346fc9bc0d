# igor in a container: the compiled igor (`node dist/main.js`) with production dependencies only,
# run as the image's non-root `node` user. See README, "Running it in Docker".
#   docker build -t igor .
#   docker run --env-file igor.env -v igor-data:/var/lib/igor -v ./igor.yml:/etc/igor/igor.yml:ro \
#     -p 3000:3000 --stop-timeout 45 igor

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so that a change to src/ does not reinstall them.
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-assets.mjs scripts/
COPY src/ src/
RUN npm run build && rm dist/.tsbuildinfo && npm prune --omit=dev

FROM node:20-bookworm-slim
# git for mirrors and checkouts (and ssh for private repositories over SSH); tini as PID 1, so
# SIGTERM reaches igor and the processes of integration steps are reaped.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    IGOR_CONFIG=/etc/igor/igor.yml \
    IGOR_DATA_DIR=/var/lib/igor
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
RUN mkdir -p /var/lib/igor && chown node:node /var/lib/igor
USER node
VOLUME /var/lib/igor
EXPOSE 3000
# igor's SIGTERM grace period is 30 s (IGOR_GRACE_PERIOD): stop the container with a longer
# timeout (--stop-timeout 45, or stop_grace_period: 45s in Compose), or Docker kills it after 10 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
