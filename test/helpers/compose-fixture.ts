/** A compose file of a small shop: a database with a health check and a volume, a built app, a pinned cache. */
export const COMPOSE = `# the shop
services:
  db:
    image: registry.example.com/shop/db:7 # pinned by Slipway
    healthcheck:
      test: ["CMD", "true"]
    volumes:
      - data:/var/lib/db
  web:
    build: .
    depends_on:
      db:
        condition: service_healthy
    env_file: common.env
  cache:
    image: redis@sha256:${'a'.repeat(64)}
volumes:
  data: {}
`;
