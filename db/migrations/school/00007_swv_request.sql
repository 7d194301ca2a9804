-- +goose Up
-- A request to the SWV, prepared from a dossier. The snapshot is frozen
-- when the guardians (or the pupil from 16) get inzage: they see exactly
-- what will be sent, and only that is sent.
CREATE TABLE swv_request (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id     uuid NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('arrangement', 'tlv', 'advice', 'contact', 'mdo', 'mdo_t', 'ot')),
    tlv_type       text CHECK (tlv_type IN ('sbo', 'so', 'vso')),
    tlv_category   text CHECK (tlv_category IN ('laag', 'midden', 'hoog')),
    question       text NOT NULL CHECK (length(btrim(question)) BETWEEN 1 AND 5000),
    snapshot       jsonb NOT NULL,
    round          integer NOT NULL DEFAULT 1, -- a new inzage after a correction
    status         text NOT NULL DEFAULT 'inzage' CHECK (status IN ('inzage', 'submitted', 'withdrawn')),
    swv_licence_id uuid,
    swv_request_id uuid,
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    submitted_at   timestamptz,
    CHECK ((kind = 'tlv') = (tlv_type IS NOT NULL)),
    CHECK (tlv_category IS NULL OR tlv_type IN ('so', 'vso'))
);
CREATE INDEX swv_request_dossier ON swv_request (dossier_id, created_at);

-- swv_request_party: who must agree to the sharing (the consent rules'
-- sharing parties) and what they answered in this round: agree, refuse,
-- or correction (the school corrects and opens a new round). view is the
-- guardians' zienswijze, required for a TLV.
CREATE TABLE swv_request_party (
    request_id  uuid NOT NULL REFERENCES swv_request (id) ON DELETE CASCADE,
    party_key   text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('guardian', 'pupil')),
    guardian_id uuid REFERENCES guardian (id) ON DELETE SET NULL,
    round       integer NOT NULL,
    answer      text CHECK (answer IN ('agree', 'refuse', 'correction')),
    remark      text NOT NULL DEFAULT '' CHECK (length(remark) <= 5000),
    view        text NOT NULL DEFAULT '' CHECK (length(view) <= 5000),
    answered_at timestamptz,
    PRIMARY KEY (request_id, party_key)
);

-- swv_request_attachment: per party, whether an attachment may be shared
-- (a psychological report, say). It is sent only when every party agrees.
CREATE TABLE swv_request_attachment (
    request_id    uuid NOT NULL REFERENCES swv_request (id) ON DELETE CASCADE,
    attachment_id uuid NOT NULL REFERENCES attachment (id) ON DELETE CASCADE,
    party_key     text NOT NULL,
    share         boolean NOT NULL,
    PRIMARY KEY (request_id, attachment_id, party_key)
);

-- +goose Down
DROP TABLE swv_request_attachment;
DROP TABLE swv_request_party;
DROP TABLE swv_request;
