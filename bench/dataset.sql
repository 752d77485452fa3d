-- Benchmark dataset: a few big tables of mixed types and (in bench_tiny) hundreds of tiny ones.
-- :scale multiplies the big tables' row counts (1 = about 600 MB on disk with indexes).
CREATE SCHEMA shop;
CREATE TYPE shop.order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
CREATE TABLE shop.customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uid uuid NOT NULL,
  email text NOT NULL,
  full_name text NOT NULL,
  born date,
  created_at timestamptz NOT NULL,
  score numeric(10,2),
  tags text[],
  profile jsonb
);
INSERT INTO shop.customers (uid, email, full_name, born, created_at, score, tags, profile)
SELECT md5(i::text)::uuid, 'user' || i || '@example.com', 'Customer ' || i,
       date '1950-01-01' + (i % 20000), timestamptz '2020-01-01' + i * interval '1 minute',
       (i % 100000) / 7.0, ARRAY['t' || (i % 10), 't' || (i % 7)],
       jsonb_build_object('plan', i % 3, 'city', 'City ' || (i % 500), 'vip', i % 11 = 0)
FROM generate_series(1, 300000 * :scale) i;
CREATE INDEX customers_email ON shop.customers (email);

CREATE TABLE shop.orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES shop.customers(id),
  status shop.order_status NOT NULL,
  total numeric(12,2) NOT NULL,
  placed_at timestamptz NOT NULL,
  note text
);
INSERT INTO shop.orders
SELECT i, 1 + (i % (300000 * :scale)), (ARRAY['new','paid','shipped','cancelled']::shop.order_status[])[1 + i % 4],
       (i % 10000) / 3.0, timestamptz '2021-01-01' + i * interval '10 seconds',
       CASE WHEN i % 5 = 0 THEN NULL ELSE repeat('note ', 1 + i % 8) END
FROM generate_series(1, 1000000 * :scale) i;
CREATE INDEX orders_customer ON shop.orders (customer_id);
CREATE INDEX orders_placed ON shop.orders (placed_at);

CREATE TABLE shop.events (
  id bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  kind smallint NOT NULL,
  source inet,
  payload jsonb,
  body text,
  raw bytea
);
INSERT INTO shop.events
SELECT i, timestamptz '2022-01-01' + i * interval '1 second', (i % 32)::smallint,
       ('10.' || (i % 256) || '.' || ((i / 256) % 256) || '.1')::inet,
       jsonb_build_object('n', i, 'ok', i % 2 = 0, 'items', jsonb_build_array(i % 5, i % 9)),
       md5(i::text) || md5((i + 1)::text), decode(md5(i::text), 'hex')
FROM generate_series(1, 2000000 * :scale) i;
CREATE INDEX events_at ON shop.events (at);
CREATE INDEX events_payload ON shop.events USING gin (payload);
ANALYZE;
