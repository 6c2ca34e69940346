# One image for every role of ksef-ops; the command picks the role (see docker-compose.yml):
#   api        node api/main.js
#   worker     node worker/main.js
#   simulator  node ksef-simulator/main.js   (demo/test only)
#   migrate    npm run db:migrate
# The image holds the compiled tree of `npm run build` (dist/app: the repository's layout with
# JavaScript in place of TypeScript, the prebuilt workflow bundle) and production dependencies only.
# test/integration/compiled-build.test.ts runs that same tree with plain node.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS npm11
# package.json's allowScripts is honoured by npm 11 only; the npm bundled with Node 22 would run every
# install script, including ones that download binaries at build time.
RUN npm install -g npm@11 --no-audit --no-fund

FROM npm11 AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# generate reads the schema only; the URL is a placeholder and no database is contacted.
RUN DATABASE_URL=postgresql://placeholder@localhost:5432/placeholder npx prisma generate \
 && OUT=/app sh scripts/build.sh

FROM npm11 AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    WORKER_WORKFLOW_BUNDLE=/app/workflow-bundle.js \
    CHECKPOINT_DISABLE=1
COPY --from=npm11 /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
COPY --from=production-deps --chown=root:root /app/node_modules /app/node_modules
COPY --from=build --chown=root:root /app /app
# The code is root-owned and read-only for the process; only the attachment folder is writable.
RUN mkdir -p /var/lib/ksef-ops/attachments && chown node:node /var/lib/ksef-ops/attachments
ENV ATTACHMENTS_DIR=/var/lib/ksef-ops/attachments
USER node
EXPOSE 3000 9464
CMD ["node", "api/main.js"]
