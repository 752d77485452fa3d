-- Masking benchmark: one people table whose columns discovery flags (8 rules: keyed_hash, name, phone,
-- keep_format x2, date_shift, random_int, constant) beside columns it leaves alone.
-- :scale multiplies the row count (1 = 500,000 rows, about 110 MB).
CREATE SCHEMA shop;
CREATE TABLE shop.customers (
  id bigint PRIMARY KEY,
  email text NOT NULL UNIQUE,
  full_name text NOT NULL,
  phone text,
  ssn text,
  ip_address text,
  birth_date date,
  salary integer,
  api_token text NOT NULL,
  created_at timestamptz NOT NULL,
  note text
);
INSERT INTO shop.customers
SELECT i, 'user' || i || '@example.com', 'Customer Number ' || i,
       CASE WHEN i % 10 = 0 THEN NULL ELSE '+1 (555) ' || lpad((i % 1000)::text, 3, '0') || '-' || lpad((i % 10000)::text, 4, '0') END,
       lpad((i % 1000)::text, 3, '0') || '-' || lpad((i % 100)::text, 2, '0') || '-' || lpad((i % 10000)::text, 4, '0'),
       '10.' || (i % 256) || '.' || ((i / 256) % 256) || '.' || (i % 7),
       date '1950-01-01' + (i % 20000), 30000 + (i::bigint * 7919) % 120000, md5(i::text),
       timestamptz '2020-01-01' + i * interval '1 minute', repeat('n', i % 40)
FROM generate_series(1, 500000 * :scale) i;
ANALYZE;
