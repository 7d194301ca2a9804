-- name: DemoSeeded :one
SELECT EXISTS (SELECT 1 FROM demo_seed) AS seeded;

-- name: MarkDemoSeeded :exec
INSERT INTO demo_seed DEFAULT VALUES ON CONFLICT DO NOTHING;
