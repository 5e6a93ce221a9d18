# The bot load tester as an image, for Cloud Run Jobs (ops/bots-job.yaml).
# Build from the repository root:
#   docker build -f ops/bots.Dockerfile -t REGION-docker.pkg.dev/PROJECT_ID/arena/arena-bots:latest .
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The bots run from source with tsx and the Colyseus SDK (development dependencies).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY shared ./shared
COPY common ./common
COPY netcode ./netcode
COPY bots ./bots
USER node
ENTRYPOINT ["node", "--import", "tsx", "bots/cli.ts"]
