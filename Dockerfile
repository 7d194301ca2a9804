# Production image: one static binary with every subcommand.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/topdossier ./cmd/topdossier

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 topdossier
COPY --from=build /out/topdossier /usr/local/bin/topdossier
USER topdossier
ENTRYPOINT ["topdossier"]
