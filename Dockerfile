# gptme-ts base image: the `gptme` CLI and everything the agent's tools call (bash, git, tmux,
# ripgrep, python3, pandoc, gh...). Dockerfile.server builds the server image on top of it:
#   docker build -f Dockerfile -t gptme-base .
#   docker build -f Dockerfile.server --build-arg BASE=gptme-base -t gptme-server .
# Run the CLI in the current project (the agent works in /workspace):
#   docker run --rm -it --env-file ~/.config/gptme/server.env -v "$PWD":/workspace gptme-base "your prompt"
# (the env file outside the project: the project is where the agent works)

# --- builder: compile the native SQLite module, the TypeScript and the web UI ---
FROM node:20-bookworm-slim AS builder

# better-sqlite3 has no reachable prebuilt binary: node-gyp compiles it (python3, make, g++); gcc
# builds the user sandbox's helper.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ gcc \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so source edits do not reinstall them. --ignore-scripts keeps `prepare`
# (the build, which needs the sources) from running here and skips swagger-ui-dist's analytics
# postinstall; then only the two packages that need their install scripts are rebuilt.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 esbuild

# The sources (.dockerignore keeps node_modules, dist, .git and local data out).
COPY . .
RUN npm run build \
 && gcc -O2 -Wall -Wextra -Werror -o /app/run-as-appuser docker/run-as-appuser.c

# Production dependencies only (--ignore-scripts: `prepare` must not run again), without what only
# editors and compilers read (type declarations, source maps, the SDKs' TypeScript sources, ~40 MB)
# and the native module without its sources and objects (only better_sqlite3.node is loaded).
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -type f \( -name "*.d.ts" -o -name "*.d.mts" -o -name "*.d.cts" -o -name "*.map" \
      -o -iname "*.md" \) -delete \
 && rm -rf node_modules/@anthropic-ai/sdk/src node_modules/openai/src \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps \
      build/Release/test_extension.node build/Release/sqlite3.a \
 && npm cache clean --force

# --- final image ---
FROM node:20-slim

# The agent's tools (gh, the GitHub CLI, is packaged in Debian bookworm); no Recommends. acl
# (setfacl, ~0.2 MB) is the server image's: its entrypoint lets the tools write a root-owned project.
# pandoc is opt-in: at ~170 MB installed it alone would be a third of the image, and the agent
# only uses it when it is there. Add it (or anything else) with --build-arg EXTRA_PACKAGES=pandoc.
ARG EXTRA_PACKAGES=""
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      acl bash ca-certificates curl gh git python3 ripgrep tmux tree $EXTRA_PACKAGES \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

# A non-root user, uid 1000 so that files it writes in a bind-mounted project belong to the usual
# first desktop user (node:20-slim's own `node` user has that uid: it is removed). --non-unique:
# APP_UID=0 (an alias of root, for the CLI image only) must not fail at groupadd.
ARG APP_UID=1000
RUN if id -u node >/dev/null 2>&1; then userdel --remove node; fi \
 && groupadd --non-unique --gid "$APP_UID" appuser \
 && useradd --non-unique --uid "$APP_UID" --gid appuser --create-home --shell /bin/bash appuser \
 && mkdir -p /workspace /home/appuser/.local/share/gptme /home/appuser/.config/gptme \
 && chown -R appuser:appuser /workspace /home/appuser \
 && git config --system user.name "gptme" \
 && git config --system user.email "gptme@localhost" \
 && git config --system init.defaultBranch main \
 && git config --system --add safe.directory /workspace

COPY --from=builder /app/package.json /app/package.json
COPY --from=builder /app/node_modules /app/node_modules
COPY --from=builder /app/dist /app/dist
COPY --from=builder /app/bin /app/bin
# The user sandbox's switch to appuser; inert here (not setuid): Dockerfile.server installs it.
COPY --from=builder /app/run-as-appuser /usr/local/libexec/gptme/run-as-appuser
RUN chmod 0755 /app/bin/*.js \
 && ln -s /app/bin/gptme.cjs /usr/local/bin/gptme \
 && ln -s /app/bin/gptme-server.js /usr/local/bin/gptme-server \
 && ln -s /app/bin/gptme-util.js /usr/local/bin/gptme-util

# Conversations go to $XDG_DATA_HOME/gptme/gptme.db (Dockerfile.server makes that dir a volume).
ENV NODE_ENV=production \
    XDG_DATA_HOME=/home/appuser/.local/share \
    XDG_CONFIG_HOME=/home/appuser/.config

WORKDIR /workspace
USER appuser
ENTRYPOINT ["gptme"]
