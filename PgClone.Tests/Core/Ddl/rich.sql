-- The fidelity fixture: one schema holding every kind of object the planner must reproduce.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
CREATE SCHEMA rich;
COMMENT ON SCHEMA rich IS 'the rich schema';

CREATE TYPE rich.mood AS ENUM ('sad', 'ok', 'happy', 'it''s; "fine"');
COMMENT ON TYPE rich.mood IS 'feelings';
CREATE DOMAIN rich.posint AS integer DEFAULT 1 NOT NULL CONSTRAINT posint_check CHECK (VALUE > 0);
COMMENT ON DOMAIN rich.posint IS 'positive';
COMMENT ON CONSTRAINT posint_check ON DOMAIN rich.posint IS 'must be positive';
CREATE DOMAIN rich."Email Addr" AS text COLLATE "C" CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');
ALTER DOMAIN rich."Email Addr" ADD CONSTRAINT email_len CHECK (length(VALUE) < 200) NOT VALID;
CREATE TYPE rich.address AS (street text, "Zip Code" varchar(10) COLLATE "C", n rich.posint);
COMMENT ON COLUMN rich.address.street IS 'street name';
CREATE TYPE rich.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE rich."My Range" AS RANGE (subtype = int4, multirange_type_name = rich."My Multi");
CREATE TYPE rich.textrange AS RANGE (subtype = text, subtype_opclass = text_pattern_ops, collation = "C");

CREATE COLLATION rich."Case Free" (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION rich.c_posix (provider = libc, locale = 'C');
COMMENT ON COLLATION rich."Case Free" IS 'case-insensitive';
CREATE TABLE rich.tagged (name text COLLATE rich."Case Free" PRIMARY KEY, code text COLLATE rich.c_posix);

CREATE SEQUENCE rich.ticket_seq AS integer START WITH 100 INCREMENT BY 5 MINVALUE 50 MAXVALUE 100000 CACHE 3 CYCLE;
SELECT setval('rich.ticket_seq', 135);
COMMENT ON SEQUENCE rich.ticket_seq IS 'tickets';
CREATE UNLOGGED SEQUENCE rich.unused_seq;
SELECT setval('rich.unused_seq', 7, false);

CREATE FUNCTION rich.add_one(i integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT i + 1';
COMMENT ON FUNCTION rich.add_one(integer) IS 'adds one';

CREATE TABLE rich.people (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 2) PRIMARY KEY,
    "First Name" text COLLATE "C" NOT NULL,
    email rich."Email Addr",
    mood rich.mood DEFAULT 'ok',
    score numeric(10,2) DEFAULT 0 CONSTRAINT score_nonneg CHECK (score >= 0),
    bonus integer DEFAULT rich.add_one(1),
    total numeric GENERATED ALWAYS AS (score * 2) STORED,
    home rich.address,
    tags text[] DEFAULT '{}',
    created timestamp(3) with time zone DEFAULT '2024-01-01 00:00:00+00',
    ticket integer DEFAULT nextval('rich.ticket_seq'),
    during tstzrange,
    span rich."My Range",
    CONSTRAINT people_email_key UNIQUE NULLS NOT DISTINCT (email)
);
ALTER TABLE rich.people ALTER COLUMN tags SET STATISTICS 500;
ALTER TABLE rich.people ALTER COLUMN "First Name" SET STORAGE MAIN;
ALTER TABLE rich.people ADD CONSTRAINT "Score Sane" CHECK (score < 1000000) NOT VALID;
ALTER TABLE rich.people ADD CONSTRAINT people_no_overlap EXCLUDE USING gist (id WITH =, during WITH &&);
COMMENT ON TABLE rich.people IS 'people';
COMMENT ON COLUMN rich.people."First Name" IS 'given name';
COMMENT ON CONSTRAINT people_email_key ON rich.people IS 'unique email';
COMMENT ON CONSTRAINT "Score Sane" ON rich.people IS 'sanity';

-- A SQL function whose body reads a table; its body is not checked when the clone creates it first.
CREATE FUNCTION rich.count_people() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM rich.people';
CREATE FUNCTION rich.ret_people() RETURNS SETOF rich.people LANGUAGE sql AS 'SELECT * FROM rich.people';

CREATE TABLE rich."Odd ""Table""; name" (
    "select" integer PRIMARY KEY,
    "Mixed Case" text,
    "semi;colon" text,
    "ünï" text,
    gone text,
    CONSTRAINT "odd chk; ""x""" CHECK ("select" > 0)
);
ALTER TABLE rich."Odd ""Table""; name" DROP COLUMN gone;
CREATE INDEX "Odd Index; ""q""" ON rich."Odd ""Table""; name" ("Mixed Case" DESC NULLS LAST, "ünï");
COMMENT ON COLUMN rich."Odd ""Table""; name"."semi;colon" IS 'it''s odd';

CREATE TABLE rich.orders (
    id serial PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES rich.people(id) ON DELETE CASCADE ON UPDATE RESTRICT,
    parent_id integer REFERENCES rich.orders(id) DEFERRABLE INITIALLY DEFERRED,
    code text,
    qty integer,
    note text,
    CONSTRAINT orders_code_key UNIQUE (code) DEFERRABLE
) WITH (fillfactor = 70, autovacuum_enabled = false, toast.autovacuum_vacuum_cost_delay = 5);
CREATE INDEX orders_partial ON rich.orders (qty) WHERE qty > 10;
CREATE INDEX orders_expr ON rich.orders (lower(code) text_pattern_ops);
CREATE UNIQUE INDEX orders_incl ON rich.orders (id) INCLUDE (qty);
CREATE INDEX orders_note_coll ON rich.orders (note COLLATE "C" DESC NULLS FIRST);
CREATE INDEX people_tags_gin ON rich.people USING gin (tags);
CREATE INDEX people_created_brin ON rich.people USING brin (created) WITH (pages_per_range = 16);
COMMENT ON INDEX rich.orders_partial IS 'big orders';
CREATE INDEX people_during_gist ON rich.people USING gist (during) WITH (buffering = off);
ALTER TABLE rich.orders CLUSTER ON orders_pkey;

-- Foreign keys in a cycle.
CREATE TABLE rich.a (id int PRIMARY KEY, b_id int DEFAULT 1, CONSTRAINT a_id_b_id_key UNIQUE (id, b_id));
CREATE TABLE rich.b (id int PRIMARY KEY, a_id int, a_id2 int, CONSTRAINT b_a_fk FOREIGN KEY (a_id, a_id2) REFERENCES rich.a(id, b_id) MATCH FULL ON DELETE SET NULL);
ALTER TABLE rich.a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES rich.b(id) ON DELETE SET DEFAULT DEFERRABLE INITIALLY IMMEDIATE;

CREATE UNLOGGED TABLE rich.scratch (s serial, k text, v jsonb, n smallint GENERATED BY DEFAULT AS IDENTITY (MINVALUE -5 START WITH -5 CACHE 2 CYCLE));
ALTER TABLE rich.scratch REPLICA IDENTITY FULL;

-- Inheritance.
CREATE TABLE rich.animal (id int, name text NOT NULL, CONSTRAINT animal_id_pos CHECK (id > 0));
CREATE TABLE rich.dog (breed text, CONSTRAINT dog_chk CHECK (breed <> '') NO INHERIT) INHERITS (rich.animal);

-- Partitioning: range, list sub-partitions, default partitions, hash.
CREATE TABLE rich.events (id bigint NOT NULL, at date NOT NULL, kind text, payload jsonb, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE rich.events_2023 PARTITION OF rich.events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE rich.events_2024 PARTITION OF rich.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (id);
CREATE TABLE rich.events_2024_low PARTITION OF rich.events_2024 FOR VALUES FROM (MINVALUE) TO (3);
CREATE TABLE rich.events_2024_other PARTITION OF rich.events_2024 DEFAULT;
CREATE TABLE rich.events_default PARTITION OF rich.events DEFAULT;
CREATE INDEX events_kind ON rich.events (kind);
CREATE TABLE rich.hashed (id int, v text, tag text COLLATE "POSIX" CHECK (tag <> 'bad')) PARTITION BY HASH (id);
CREATE TABLE rich.hashed_0 PARTITION OF rich.hashed FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE rich.hashed_1 PARTITION OF rich.hashed (CONSTRAINT hashed_1_v CHECK (v <> '')) FOR VALUES WITH (MODULUS 2, REMAINDER 1);
ALTER TABLE rich.hashed_1 ALTER COLUMN v SET NOT NULL;
CREATE TABLE rich.event_notes (id int PRIMARY KEY, event_id bigint, event_at date,
    CONSTRAINT event_notes_event_fk FOREIGN KEY (event_id, event_at) REFERENCES rich.events (id, at));

-- Views: the name order is not the dependency order.
CREATE VIEW rich.z_base AS SELECT id, "First Name", rich.add_one(bonus) AS b FROM rich.people;
CREATE VIEW rich.a_top AS SELECT count(*) AS n FROM rich.z_base WHERE b > 1;
CREATE VIEW rich.v_checked WITH (security_barrier) AS SELECT * FROM rich.orders WHERE qty > 0 WITH LOCAL CHECK OPTION;
COMMENT ON VIEW rich.z_base IS 'base view';
COMMENT ON COLUMN rich.z_base.b IS 'bonus plus one';
CREATE FUNCTION rich.atomic_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM rich.orders; END;

-- Materialized views and a view on one.
CREATE MATERIALIZED VIEW rich.mv_orders AS SELECT person_id, count(*) AS n FROM rich.orders GROUP BY person_id WITH NO DATA;
CREATE UNIQUE INDEX mv_orders_person ON rich.mv_orders (person_id);
CREATE MATERIALIZED VIEW rich.mv_empty AS SELECT 1 AS x WITH NO DATA;
CREATE VIEW rich.b_on_mv AS SELECT * FROM rich.mv_orders;
CREATE MATERIALIZED VIEW rich.a_mv_on_mv AS SELECT sum(n) AS total FROM rich.mv_orders WITH NO DATA;
COMMENT ON MATERIALIZED VIEW rich.mv_orders IS 'orders per person';

-- Functions, procedures, triggers.
CREATE FUNCTION rich.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'touched'); RETURN NEW; END $$;
CREATE FUNCTION rich.audit() RETURNS trigger LANGUAGE plpgsql SET search_path = rich AS $$ BEGIN RETURN NULL; END $$;
CREATE PROCEDURE rich."Do Thing"(IN x integer, INOUT y integer) LANGUAGE plpgsql AS $$ BEGIN y := x + 1; END $$;
COMMENT ON PROCEDURE rich."Do Thing"(integer, integer) IS 'does a thing';
CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE OF note ON rich.orders FOR EACH ROW WHEN (NEW.qty IS NOT NULL) EXECUTE FUNCTION rich.touch();
CREATE TRIGGER orders_audit AFTER INSERT ON rich.orders REFERENCING NEW TABLE AS newrows FOR EACH STATEMENT EXECUTE FUNCTION rich.audit();
ALTER TABLE rich.orders DISABLE TRIGGER orders_audit;
CREATE CONSTRAINT TRIGGER people_ctrig AFTER INSERT ON rich.people DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rich.audit();
CREATE TRIGGER events_audit AFTER INSERT ON rich.events FOR EACH ROW EXECUTE FUNCTION rich.audit();
-- partitions' copies of a parent's trigger in another state than the parent's
ALTER TABLE rich.events_2024_low DISABLE TRIGGER events_audit;
CREATE TRIGGER events_quiet AFTER UPDATE ON rich.events FOR EACH ROW EXECUTE FUNCTION rich.audit();
ALTER TABLE rich.events DISABLE TRIGGER events_quiet;
ALTER TABLE rich.events_default ENABLE ALWAYS TRIGGER events_quiet;
ALTER TABLE rich.events_2023 ENABLE TRIGGER events_quiet;
COMMENT ON TRIGGER orders_touch ON rich.orders IS 'fills note';
CREATE TRIGGER scratch_always BEFORE UPDATE ON rich.scratch FOR EACH ROW EXECUTE FUNCTION rich.audit();
ALTER TABLE rich.scratch ENABLE ALWAYS TRIGGER scratch_always;
COMMENT ON TABLE rich.events IS 'partitioned events';
COMMENT ON COLUMN rich.events_2023.kind IS 'kind on a partition';

-- Statistics, row-level security, column options, a view trigger, a NOT VALID check on an inheritance parent.
CREATE STATISTICS rich.people_stats (ndistinct, dependencies) ON mood, score FROM rich.people;
ALTER STATISTICS rich.people_stats SET STATISTICS 200;
COMMENT ON STATISTICS rich.people_stats IS 'mood and score';
CREATE STATISTICS rich.orders_expr_stats ON (lower(code)), qty FROM rich.orders;
ALTER TABLE rich.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE rich.scratch ENABLE ROW LEVEL SECURITY;
ALTER TABLE rich.scratch FORCE ROW LEVEL SECURITY;
CREATE POLICY orders_mine ON rich.orders AS RESTRICTIVE FOR SELECT TO postgres USING (qty > 0);
CREATE POLICY orders_all ON rich.orders USING (true) WITH CHECK (qty IS NULL OR qty < 1000);
COMMENT ON POLICY orders_all ON rich.orders IS 'everyone';
ALTER TABLE rich.scratch ALTER COLUMN k SET COMPRESSION pglz;
ALTER TABLE rich.orders ALTER COLUMN code SET (n_distinct = 100);
CREATE FUNCTION rich.v_ins() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER z_base_ins INSTEAD OF INSERT ON rich.z_base FOR EACH ROW EXECUTE FUNCTION rich.v_ins();
ALTER TABLE rich.animal ADD CONSTRAINT animal_name_len CHECK (length(name) < 50) NOT VALID;

-- Privileges (PUBLIC only: roles are cluster-wide).
GRANT SELECT, UPDATE (score) ON rich.people TO PUBLIC;
GRANT SELECT ON rich.z_base TO PUBLIC;
REVOKE EXECUTE ON FUNCTION rich.add_one(integer) FROM PUBLIC;
GRANT USAGE ON SCHEMA rich TO PUBLIC;
REVOKE USAGE ON TYPE rich.mood FROM PUBLIC;
GRANT USAGE ON SEQUENCE rich.ticket_seq TO PUBLIC;

-- Data.
INSERT INTO rich.people ("First Name", email, mood, score, home, tags, during, span) VALUES
    ('Ann', 'ann@x.org', 'happy', 12.5, ROW('Main St', '12345', 3), '{a,b}', '[2024-01-01,2024-02-01)', '[1,5)'),
    ('Bob; "quoted"', NULL, 'it''s; "fine"', 0, NULL, '{}', NULL, NULL),
    ('Çédric ünï', 'c@x.org', NULL, 999.99, ROW(NULL, NULL, 1), NULL, '[2024-03-01,2024-04-01)', 'empty');
INSERT INTO rich."Odd ""Table""; name" VALUES (1, 'Mixed', 'a;b', 'ü'), (2, NULL, NULL, NULL);
INSERT INTO rich.orders (person_id, parent_id, code, qty, note) VALUES (10, NULL, 'A', 5, NULL), (10, 1, 'B', 20, 'n'), (12, NULL, NULL, NULL, NULL);
INSERT INTO rich.a VALUES (1, NULL), (2, NULL);
INSERT INTO rich.b VALUES (1, NULL, NULL);
UPDATE rich.a SET b_id = 1 WHERE id = 1;
INSERT INTO rich.b VALUES (2, 1, 1);
INSERT INTO rich.tagged VALUES ('Alpha', 'b'), ('beta', 'A');
INSERT INTO rich.scratch (k, v) VALUES ('k', '{"a": [1, 2]}');
INSERT INTO rich.animal VALUES (1, 'generic');
INSERT INTO rich.dog VALUES (2, 'rex', 'collie');
INSERT INTO rich.events VALUES (1, '2023-05-01', 'a', '{}'), (2, '2024-05-01', 'a', NULL), (3, '2024-06-01', 'z', '[1]'), (4, '2030-01-01', NULL, NULL);
INSERT INTO rich.hashed SELECT g, 'v' || g FROM generate_series(1, 20) g;
INSERT INTO rich.event_notes VALUES (1, 1, '2023-05-01'), (2, NULL, NULL);
REFRESH MATERIALIZED VIEW rich.mv_orders;
REFRESH MATERIALIZED VIEW rich.a_mv_on_mv;

-- objects marked as depending on an extension (dropped with it)
ALTER FUNCTION rich.add_one(integer) DEPENDS ON EXTENSION btree_gist;
ALTER INDEX rich.mv_orders_person DEPENDS ON EXTENSION btree_gist;
ALTER MATERIALIZED VIEW rich.mv_empty DEPENDS ON EXTENSION btree_gist;
ALTER TRIGGER orders_touch ON rich.orders DEPENDS ON EXTENSION btree_gist;
-- an invalid index, as a CREATE INDEX CONCURRENTLY that failed leaves it (marked so directly: a failing statement
-- would stop this script): no part of the schema for pg_dump, nor for the clone
CREATE INDEX orders_note_invalid ON rich.orders (note);
UPDATE pg_catalog.pg_index SET indisvalid = false WHERE indexrelid = 'rich.orders_note_invalid'::regclass;
