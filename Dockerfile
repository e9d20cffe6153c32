# Node.js 26 is the Active LTS line (from 2026-10-28 on the schedule at github.com/nodejs/Release;
# 24 moved to Maintenance LTS on 2026-10-20, 20 reached end of life in April 2026). package.json's
# engines still allow 20.18+ for running from a checkout.
# Build stage: install every dependency and compile the TypeScript (src only: no bench code).
FROM node:26-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY config ./config
# tsconfig.build.json also names bench/route-tree.ts; bench is not in the context, so only src is built.
# Then the bundled configuration is checked once, here, into dist/config (see src/io/prebuilt.ts).
RUN npm ci --ignore-scripts --no-audit --no-fund && npx tsc -p tsconfig.build.json && node dist/src/io/build-prebuilt.js

# Runtime stage: production dependencies and the compiled output only, as a non-root user.
FROM node:26-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/config ./dist/config
COPY config ./config
COPY app.yml LICENSE ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ping').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/app/server.js"]
