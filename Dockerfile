# Production image: one binary with every subcommand. It links libxml2
# (the EDEXML schema check, cgo), so the runtime image carries libxml2.
FROM golang:1.26-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libxml2-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/topdossier ./cmd/topdossier

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata libxml2 \
 && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 topdossier
COPY --from=build /out/topdossier /usr/local/bin/topdossier
USER topdossier
ENTRYPOINT ["topdossier"]
