-- name: AddLogbookAnchor :exec
INSERT INTO logbook_anchor (licence_id, seq, hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING;

-- name: LatestLogbookAnchor :one
SELECT * FROM logbook_anchor WHERE licence_id = $1 ORDER BY seq DESC LIMIT 1;
