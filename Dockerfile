# One image for every role of ksef-ops; the command picks the role (see docker-compose.yml):
#   api        node --import tsx api/main.ts
#   worker     node --import tsx worker/main.ts
#   simulator  node --import tsx ksef-simulator/main.ts   (demo/test only)
#   migrate    npm run db:migrate
# The code runs from TypeScript through tsx, exactly as in development: no separate build output to drift.

FROM node:20-slim AS deps
WORKDIR /app
# package.json's allowScripts is honoured by npm 11 only; npm 10 (bundled with node 20) would run
# every install script, including ones that download binaries at build time.
RUN npm install -g npm@11 --no-audit --no-fund
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# generate reads the schema only; the URL is a placeholder and no database is contacted.
RUN DATABASE_URL=postgresql://placeholder@localhost:5432/placeholder npx prisma generate \
 && node --import tsx scripts/bundle-workflows.ts /app/dist/workflow-bundle.js

FROM node:20-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    WORKER_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    CHECKPOINT_DISABLE=1
COPY --from=deps /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000 9464
CMD ["node", "--import", "tsx", "api/main.ts"]
