-- GET /items lists newest first; the primary key already serves ORDER BY id, this serves time-range queries.
CREATE INDEX items_created_at_idx ON items (created_at);
