-- +goose Up
-- The BSN or onderwijsnummer (PGN) of a pupil, only when the school
-- chooses to keep it here for the ROD registration (school_setting.rod_pgn),
-- sealed with the server's key. Turning the choice off erases them all.
ALTER TABLE school_setting ADD COLUMN rod_pgn boolean NOT NULL DEFAULT false;
ALTER TABLE pupil ADD COLUMN pgn_sealed bytea;

-- +goose Down
ALTER TABLE pupil DROP COLUMN pgn_sealed;
ALTER TABLE school_setting DROP COLUMN rod_pgn;
