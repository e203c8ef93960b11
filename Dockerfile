# syntax=docker/dockerfile:1
# One image for all four services, built once: the build stage compiles every app, and the
# runtime image carries them all. APP (default gateway) picks the entry point when the
# container starts, so compose, Kubernetes and CI run and push the same image:
#   docker build --build-arg CODE_VERSION=$(git rev-parse --short HEAD) -t iris-platform .
#   docker run -e APP=inference-worker -e KAFKA_BROKERS=broker:9092 iris-platform

FROM node:24-slim AS build
WORKDIR /app
# Dependencies first, so a source change reuses the npm ci layer.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-slim AS runtime
ARG CODE_VERSION=dev
# HOST and GRPC_HOST: a container's loopback interface is its own, so listen on all of them
# (outside a container the services default to 127.0.0.1).
ENV NODE_ENV=production \
    APP=gateway \
    CODE_VERSION=${CODE_VERSION} \
    TRANSPORT=kafka \
    HOST=0.0.0.0 \
    GRPC_HOST=0.0.0.0
LABEL org.opencontainers.image.title="iris-platform" \
      org.opencontainers.image.description="gateway, inference-worker, trainer and monitor; APP selects one" \
      org.opencontainers.image.revision="${CODE_VERSION}"
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The gateway's gRPC service definitions, loaded at start-up.
COPY --from=build --chown=node:node /app/protos ./protos
# Numeric, so Kubernetes' runAsNonRoot can verify it without resolving a name (node is 1000).
USER 1000:1000
# 8081: the gateway's gRPC port (GRPC_PORT).
EXPOSE 3000 3001 3002 3003 8081
# Liveness only (/health); compose checks /ready. Slim images have no curl, so node's fetch.
# Without PORT a service listens on its own default port, hence the map.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "const d={gateway:3000,'inference-worker':3001,trainer:3002,monitor:3003};const p=process.env.PORT||d[process.env.APP]||3000;fetch('http://127.0.0.1:'+p+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# exec: node replaces the shell and receives SIGTERM from `docker stop` for a clean Kafka
# shutdown; compose adds `init: true` so zombies are reaped and signals forwarded. The heap
# limits are each app's (scripts/lib/node-flags.ts; compose and the chart give them too).
CMD case "$APP" in trainer) heap=256;; embedded) heap=160;; *) heap=128;; esac; \
  case "$APP" in inference-worker) young=8;; *) young=16;; esac; \
  exec node --max-semi-space-size=$young --max-old-space-size=$heap dist/apps/${APP}/src/main.js
