# syntax=docker/dockerfile:1
# Build stage: install everything, build the client (Vite) and the server bundle (esbuild).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json vite.config.ts ./
COPY shared ./shared
COPY common ./common
COPY netcode ./netcode
COPY server ./server
COPY client ./client
RUN npm run build

# Runtime stage: production dependencies and the built output only, as a non-root user.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    CLIENT_DIST=dist/client
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# exec form: the server is PID 1's only child and receives SIGTERM directly for its drain.
CMD ["node", "--enable-source-maps", "dist/server/index.mjs"]
