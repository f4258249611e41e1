-- The example app's table. Written once for both engines: SERIAL is an auto-incrementing integer in
-- PostgreSQL and BIGINT UNSIGNED AUTO_INCREMENT (plus a redundant UNIQUE index) in MySQL/MariaDB.
CREATE TABLE items (
    id SERIAL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
