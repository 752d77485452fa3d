-- Every object kind pg_dump 15 emits beyond tables, types and functions, with odd names (quotes, spaces,
-- unicode, upper case, reserved words) and edge-case data. Loaded by psql as a superuser.
CREATE SCHEMA "Kinds ü";
CREATE SCHEMA "select";
COMMENT ON SCHEMA "Kinds ü" IS 'every kind';

-- aggregates: plain with combine function, moving, ordered-set, hypothetical, serial/deserial, sort operator,
-- a custom composite state type, and a zero-argument one
CREATE FUNCTION "Kinds ü".add_state(bigint, integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE FUNCTION "Kinds ü".sub_state(bigint, integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1 - $2';
CREATE FUNCTION "Kinds ü".add_states(bigint, bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE AGGREGATE "Kinds ü"."Sum Ints"(integer) (SFUNC = "Kinds ü".add_state, STYPE = bigint, INITCOND = '0',
    COMBINEFUNC = "Kinds ü".add_states, PARALLEL = SAFE);
COMMENT ON AGGREGATE "Kinds ü"."Sum Ints"(integer) IS 'sums ''ints''';
CREATE AGGREGATE "Kinds ü".msum(integer) (SFUNC = "Kinds ü".add_state, STYPE = bigint, INITCOND = '0',
    MSFUNC = "Kinds ü".add_state, MINVFUNC = "Kinds ü".sub_state, MSTYPE = bigint, MINITCOND = '0');
CREATE AGGREGATE "Kinds ü".my_percentile(double precision ORDER BY anyelement) (SFUNC = ordered_set_transition,
    STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
CREATE AGGREGATE "Kinds ü".my_rank(VARIADIC "any" ORDER BY VARIADIC "any") (SFUNC = ordered_set_transition_multi,
    STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL);
CREATE AGGREGATE "Kinds ü".my_sum_num(numeric) (SFUNC = numeric_avg_accum, STYPE = internal, FINALFUNC = numeric_sum,
    COMBINEFUNC = numeric_avg_combine, SERIALFUNC = numeric_avg_serialize, DESERIALFUNC = numeric_avg_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE "Kinds ü"."MAX"(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = >);
CREATE TYPE "Kinds ü".avg_state AS (n bigint, total numeric);
CREATE FUNCTION "Kinds ü".avg_step("Kinds ü".avg_state, numeric) RETURNS "Kinds ü".avg_state LANGUAGE sql IMMUTABLE
    AS $$SELECT ROW(($1).n + 1, ($1).total + $2)::"Kinds ü".avg_state$$;
CREATE FUNCTION "Kinds ü".avg_final("Kinds ü".avg_state) RETURNS numeric LANGUAGE sql IMMUTABLE
    AS $$SELECT CASE WHEN ($1).n = 0 THEN NULL ELSE ($1).total / ($1).n END$$;
CREATE AGGREGATE "Kinds ü"."Avg"(numeric) (SFUNC = "Kinds ü".avg_step, STYPE = "Kinds ü".avg_state,
    FINALFUNC = "Kinds ü".avg_final, INITCOND = '(0,0)');
CREATE FUNCTION "Kinds ü".count_state(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1';
CREATE AGGREGATE "Kinds ü".my_count(*) (SFUNC = "Kinds ü".count_state, STYPE = bigint, INITCOND = '0');

-- operators, an operator family with loose members, operator classes (btree, hash, gist)
CREATE FUNCTION "Kinds ü".abs_eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT abs($1) = abs($2)';
CREATE OPERATOR "Kinds ü".=~= (FUNCTION = "Kinds ü".abs_eq, LEFTARG = integer, RIGHTARG = integer,
    COMMUTATOR = OPERATOR("Kinds ü".=~=), RESTRICT = eqsel, JOIN = eqjoinsel);
COMMENT ON OPERATOR "Kinds ü".=~= (integer, integer) IS 'equal in absolute value';
CREATE FUNCTION "Kinds ü".twice(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
CREATE OPERATOR "Kinds ü".!! (RIGHTARG = bigint, FUNCTION = "Kinds ü".twice);
-- A commutator and a negator named one way only (each partner created later as the shell's filling: it names none).
CREATE FUNCTION "Kinds ü".z_lt(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 < $2';
CREATE FUNCTION "Kinds ü".a_gt(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 > $2';
CREATE FUNCTION "Kinds ü".a_ge(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 >= $2';
CREATE OPERATOR "Kinds ü".<<< (FUNCTION = "Kinds ü".z_lt, LEFTARG = integer, RIGHTARG = integer,
    COMMUTATOR = OPERATOR("Kinds ü".>>>), NEGATOR = OPERATOR("Kinds ü".>>=));
CREATE OPERATOR "Kinds ü".>>> (FUNCTION = "Kinds ü".a_gt, LEFTARG = integer, RIGHTARG = integer);
CREATE OPERATOR "Kinds ü".>>= (FUNCTION = "Kinds ü".a_ge, LEFTARG = integer, RIGHTARG = integer);
CREATE FUNCTION "Kinds ü".rev_cmp(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT btint4cmp($2, $1)';
CREATE OPERATOR CLASS "Kinds ü"."Rev Ops" FOR TYPE integer USING btree AS
    OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <, FUNCTION 1 "Kinds ü".rev_cmp(integer, integer);
CREATE OPERATOR FAMILY "Kinds ü"."Fam ily" USING hash;
CREATE OPERATOR CLASS "Kinds ü".text_hash_ops FOR TYPE text USING hash FAMILY "Kinds ü"."Fam ily" AS
    OPERATOR 1 =, FUNCTION 1 hashtext(text);
ALTER OPERATOR FAMILY "Kinds ü"."Fam ily" USING hash ADD FUNCTION 2 (text) hashtextextended(text, bigint);
COMMENT ON OPERATOR FAMILY "Kinds ü"."Fam ily" USING hash IS 'a family';
CREATE OPERATOR CLASS "Kinds ü".box_ops2 FOR TYPE box USING gist AS
    OPERATOR 3 &&, FUNCTION 1 gist_box_consistent(internal, box, smallint, oid, internal),
    FUNCTION 2 gist_box_union(internal, internal), FUNCTION 5 gist_box_penalty(internal, internal, internal),
    FUNCTION 6 gist_box_picksplit(internal, internal), FUNCTION 7 gist_box_same(box, box, internal);

-- text search: parser, template, dictionary, configurations with mappings
CREATE TEXT SEARCH PARSER "Kinds ü".my_parser (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end,
    LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
CREATE TEXT SEARCH TEMPLATE "Kinds ü".my_template (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH DICTIONARY "Kinds ü"."My Dict" (TEMPLATE = "Kinds ü".my_template, STOPWORDS = english, ACCEPT = false);
COMMENT ON TEXT SEARCH DICTIONARY "Kinds ü"."My Dict" IS 'simple, english stop words';
CREATE TEXT SEARCH CONFIGURATION "Kinds ü".my_cfg (PARSER = "Kinds ü".my_parser);
ALTER TEXT SEARCH CONFIGURATION "Kinds ü".my_cfg ADD MAPPING FOR word, asciiword WITH "Kinds ü"."My Dict", english_stem;
CREATE TEXT SEARCH CONFIGURATION "Kinds ü"."English Copy" (COPY = english);

-- a cast, a conversion
CREATE TYPE "Kinds ü".mood AS ENUM ('sad', 'ok', 'happy');
CREATE FUNCTION "Kinds ü".mood_of(integer) RETURNS "Kinds ü".mood LANGUAGE sql IMMUTABLE
    AS $$SELECT (enum_range(NULL::"Kinds ü".mood))[$1]$$;
CREATE CAST (integer AS "Kinds ü".mood) WITH FUNCTION "Kinds ü".mood_of(integer) AS ASSIGNMENT;
CREATE CAST ("Kinds ü".mood AS bigint) WITH INOUT;
COMMENT ON CAST (integer AS "Kinds ü".mood) IS 'by position';
CREATE CONVERSION "Kinds ü"."My Conv" FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;

-- access methods, a table using one, a typed table, a partition attached with its own column order
CREATE ACCESS METHOD "heap 2" TYPE TABLE HANDLER heap_tableam_handler;
COMMENT ON ACCESS METHOD "heap 2" IS 'a second heap';
CREATE ACCESS METHOD my_btree TYPE INDEX HANDLER bthandler;
CREATE TABLE "Kinds ü".am_table (id integer PRIMARY KEY, v text) USING "heap 2";
INSERT INTO "Kinds ü".am_table VALUES (1, 'one'), (2, E'two\nlines');
CREATE TYPE "Kinds ü".person AS (name text, age integer);
CREATE TABLE "Kinds ü".people OF "Kinds ü".person (age WITH OPTIONS NOT NULL DEFAULT 0, PRIMARY KEY (name));
INSERT INTO "Kinds ü".people VALUES ('Zoë', 30), ('O''Brien', 41);
CREATE TABLE "Kinds ü".measures (a integer, b text, c date) PARTITION BY RANGE (a);
CREATE TABLE "Kinds ü".measures_1 (c date, b text, a integer);
ALTER TABLE "Kinds ü".measures ATTACH PARTITION "Kinds ü".measures_1 FOR VALUES FROM (0) TO (10);
CREATE TABLE "Kinds ü".measures_2 PARTITION OF "Kinds ü".measures FOR VALUES FROM (10) TO (20);
INSERT INTO "Kinds ü".measures VALUES (1, 'x', '2024-02-29'), (15, NULL, 'infinity');

-- tables using the objects above: an index with an operator class, a tsvector from a configuration, a view with
-- an aggregate, a view relying on a primary key, a domain with a NOT VALID check and an old row breaking it
CREATE TABLE "Kinds ü"."Order" ("user" integer NOT NULL, total numeric, body text,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('"Kinds ü".my_cfg'::regconfig, coalesce(body, ''))) STORED, area box);
INSERT INTO "Kinds ü"."Order" ("user", total, body, area) VALUES (1, 10.5, 'the quick brown fox', '(0,0),(1,1)'), (2, NULL, NULL, NULL),
    (-3, 0, 'ünïcode wörds', '(2,2),(3,3)');
CREATE INDEX order_rev ON "Kinds ü"."Order" ("user" "Kinds ü"."Rev Ops");
CREATE INDEX order_hash ON "Kinds ü"."Order" USING hash (body "Kinds ü".text_hash_ops);
CREATE INDEX order_area ON "Kinds ü"."Order" USING gist (area "Kinds ü".box_ops2);
CREATE VIEW "Kinds ü".totals AS SELECT "Kinds ü"."Sum Ints"("user") AS s, "Kinds ü"."Avg"(total) AS a,
    "Kinds ü".my_percentile(0.5) WITHIN GROUP (ORDER BY "user") AS p, "Kinds ü".my_count(*) AS n FROM "Kinds ü"."Order";
CREATE TABLE "Kinds ü".customer (id integer PRIMARY KEY, name text);
INSERT INTO "Kinds ü".customer VALUES (1, 'a'), (2, 'b');
CREATE VIEW "Kinds ü".customer_orders AS SELECT c.id, c.name, count(o."user") AS orders
    FROM "Kinds ü".customer c LEFT JOIN "Kinds ü"."Order" o ON o."user" = c.id GROUP BY c.id;
CREATE VIEW "Kinds ü".on_customer_orders AS SELECT name FROM "Kinds ü".customer_orders;
-- a SQL-standard body relying on the key as well (pg_dump postpones it past the key)
CREATE FUNCTION "Kinds ü"."customers by key"() RETURNS SETOF "Kinds ü".customer LANGUAGE sql STABLE
    BEGIN ATOMIC SELECT * FROM "Kinds ü".customer GROUP BY id; END;
CREATE DOMAIN "Kinds ü".positive AS integer;
CREATE TABLE "Kinds ü".legacy (v "Kinds ü".positive);
INSERT INTO "Kinds ü".legacy VALUES (-1), (5);
ALTER DOMAIN "Kinds ü".positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID;

-- a table of only a stored generated column
CREATE TABLE "Kinds ü".only_generated (g integer GENERATED ALWAYS AS (42) STORED);
INSERT INTO "Kinds ü".only_generated DEFAULT VALUES;
INSERT INTO "Kinds ü".only_generated DEFAULT VALUES;

-- rules: DO INSTEAD NOTHING, an INSERT rule routing rows, a disabled DO ALSO rule with a comment, a rule on a view
CREATE TABLE "Kinds ü".items (id integer PRIMARY KEY, name text);
CREATE TABLE "Kinds ü".items_log (id integer, at text);
CREATE TABLE "Kinds ü".small_items (id integer, name text);
INSERT INTO "Kinds ü".items VALUES (1, 'keep'), (2, 'me');
CREATE RULE "Keep Items" AS ON DELETE TO "Kinds ü".items DO INSTEAD NOTHING;
CREATE RULE route_small AS ON INSERT TO "Kinds ü".items WHERE new.id < 0 DO INSTEAD
    INSERT INTO "Kinds ü".small_items VALUES (new.id, new.name);
CREATE RULE "log; update" AS ON UPDATE TO "Kinds ü".items DO ALSO
    (INSERT INTO "Kinds ü".items_log VALUES (new.id, 'a;b'); INSERT INTO "Kinds ü".items_log VALUES (old.id, 'old'));
ALTER TABLE "Kinds ü".items DISABLE RULE "log; update";
COMMENT ON RULE "Keep Items" ON "Kinds ü".items IS 'no deletes';
CREATE VIEW "Kinds ü".items_view AS SELECT id, name FROM "Kinds ü".items;
CREATE RULE items_view_ins AS ON INSERT TO "Kinds ü".items_view DO INSTEAD INSERT INTO "Kinds ü".items VALUES (new.id, new.name);

-- foreign-data wrapper, server, user mapping, foreign table
CREATE FOREIGN DATA WRAPPER "Dummy FDW" OPTIONS (debug 'true');
CREATE SERVER "Srv 1" TYPE 'remote' VERSION '1.0' FOREIGN DATA WRAPPER "Dummy FDW" OPTIONS (host 'db.example', port '5432');
COMMENT ON SERVER "Srv 1" IS 'nowhere';
CREATE USER MAPPING FOR PUBLIC SERVER "Srv 1" OPTIONS ("user" 'bob', password 'it''s');
GRANT USAGE ON FOREIGN DATA WRAPPER "Dummy FDW" TO PUBLIC;
GRANT USAGE ON FOREIGN SERVER "Srv 1" TO PUBLIC;
CREATE FOREIGN TABLE "Kinds ü".remote ("ID" integer OPTIONS (column_name 'id') NOT NULL, v text) SERVER "Srv 1"
    OPTIONS (table_name 'remote table');
COMMENT ON FOREIGN TABLE "Kinds ü".remote IS 'elsewhere';

-- publications: all tables; column list with row filter; tables in schema (column lists cannot go with those)
CREATE PUBLICATION "Pub All" FOR ALL TABLES WITH (publish = 'insert');
CREATE PUBLICATION pub_cols FOR TABLE "Kinds ü".customer (id, name) WHERE (id > 0), "Kinds ü".items WITH (publish_via_partition_root = true);
CREATE PUBLICATION "pub schema" FOR TABLES IN SCHEMA "select", TABLE "Kinds ü".am_table WHERE (v <> 'x');
COMMENT ON PUBLICATION pub_cols IS 'some';
CREATE TABLE "select"."from" (x integer);

-- an event trigger, disabled
CREATE FUNCTION "Kinds ü".on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER "Kinds DDL" ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'DROP TABLE') EXECUTE FUNCTION "Kinds ü".on_ddl();
ALTER EVENT TRIGGER "Kinds DDL" DISABLE;
COMMENT ON EVENT TRIGGER "Kinds DDL" IS 'watches';

-- reg* columns (and an array of them, and a domain over one) hold oids: they must arrive naming the same objects
CREATE DOMAIN "Kinds ü".a_class AS regclass;
CREATE TABLE "Kinds ü".refs (id integer PRIMARY KEY, rel regclass DEFAULT '"Kinds ü".items'::regclass, typ regtype,
    fn regprocedure, op regoperator, ns regnamespace, cfg regconfig, dict regdictionary, coll regcollation,
    rels regclass[], who regrole, p regproc, o regoper, d "Kinds ü".a_class);
INSERT INTO "Kinds ü".refs VALUES (1, '"Kinds ü".items', '"Kinds ü".mood', '"Kinds ü".rev_cmp(integer, integer)',
    '"Kinds ü".=~=(integer, integer)', '"Kinds ü"', '"Kinds ü".my_cfg', '"Kinds ü"."My Dict"', 'pg_catalog."C"',
    ARRAY['"Kinds ü".customer'::regclass, 'pg_class'::regclass], current_user::regrole, '"Kinds ü".twice', '"Kinds ü".!!',
    '"Kinds ü"."Order"'), (2, DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL, NULL);

-- large objects: one small with a comment and a grant, one larger than a transfer chunk, one empty; a table holding their oids
SELECT lo_from_bytea(424242, convert_to('hello, large object ü', 'UTF8'));
SELECT lo_from_bytea(424243, decode(repeat('00ff10', 700000), 'hex'));
SELECT lo_create(424244);
COMMENT ON LARGE OBJECT 424242 IS 'a greeting';
GRANT SELECT ON LARGE OBJECT 424242 TO PUBLIC;
CREATE TABLE "Kinds ü".documents (id integer PRIMARY KEY, content oid);
INSERT INTO "Kinds ü".documents VALUES (1, 424242), (2, 424243), (3, 424244);

-- default privileges (global, revoking from the built-in default; and in a schema)
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA "Kinds ü" GRANT SELECT ON TABLES TO PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA "select" GRANT USAGE ON SEQUENCES TO PUBLIC;

-- schema public: a comment and changed privileges
COMMENT ON SCHEMA public IS 'the public schema, commented';
GRANT CREATE ON SCHEMA public TO PUBLIC;

-- privileges on system columns, of a table and of a catalog
GRANT SELECT (tableoid, ctid, name) ON "Kinds ü".customer TO PUBLIC;
GRANT SELECT (tableoid) ON pg_catalog.pg_proc TO PUBLIC;

-- what views and indexes carry beside their definitions: a view column's default, a materialized view's column
-- statistics target and storage and its extended statistics, an index expression's statistics target
CREATE VIEW "Kinds ü".named_items AS SELECT id, name FROM "Kinds ü".items;
ALTER VIEW "Kinds ü".named_items ALTER COLUMN name SET DEFAULT 'unnamed; ''x''';
CREATE MATERIALIZED VIEW "Kinds ü".item_names AS SELECT id, name FROM "Kinds ü".items;
ALTER MATERIALIZED VIEW "Kinds ü".item_names ALTER COLUMN name SET STATISTICS 321, ALTER COLUMN name SET STORAGE MAIN;
CREATE STATISTICS "Kinds ü"."Item Name Stats" (mcv) ON id, lower(name) FROM "Kinds ü".item_names;
COMMENT ON STATISTICS "Kinds ü"."Item Name Stats" IS 'extended statistics on a materialized view';
CREATE INDEX "Lower Name" ON "Kinds ü".items (lower(name), id);
ALTER INDEX "Kinds ü"."Lower Name" ALTER COLUMN 1 SET STATISTICS 77;

-- a materialized view computed under the database's settings (a custom one and the text search configuration):
-- its rows depend on the session that fills it
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET "kinds.lang" TO %L', current_database(), 'de');
    EXECUTE format('ALTER DATABASE %I SET default_text_search_config TO %L', current_database(), 'pg_catalog.simple');
END $$;
SET "kinds.lang" TO 'de';
SET default_text_search_config TO 'pg_catalog.simple';
CREATE MATERIALIZED VIEW "Kinds ü".in_session AS SELECT current_setting('kinds.lang', true) AS lang, to_tsvector('Clones running') AS words;

-- a subscription, as pg_dump restores one: never connecting, no slot, disabled
CREATE SUBSCRIPTION "Sub ü" CONNECTION 'host=127.0.0.1 port=1 dbname=nowhere' PUBLICATION "Pub All", "other pub"
    WITH (connect = false, slot_name = NONE, binary = true, synchronous_commit = 'local');
COMMENT ON SUBSCRIPTION "Sub ü" IS 'never connects';

-- base types (I/O functions of language internal, made around a shell type) with a default, binary send/receive,
-- an element type and a typmod; a column and an array of each with data; a standalone shell type
CREATE TYPE "Kinds ü"."Int 42";
CREATE FUNCTION "Kinds ü".int42_in(cstring) RETURNS "Kinds ü"."Int 42" LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION "Kinds ü".int42_out("Kinds ü"."Int 42") RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
CREATE FUNCTION "Kinds ü".int42_recv(internal) RETURNS "Kinds ü"."Int 42" LANGUAGE internal IMMUTABLE STRICT AS 'int4recv';
CREATE FUNCTION "Kinds ü".int42_send("Kinds ü"."Int 42") RETURNS bytea LANGUAGE internal IMMUTABLE STRICT AS 'int4send';
CREATE TYPE "Kinds ü"."Int 42" (INTERNALLENGTH = 4, INPUT = "Kinds ü".int42_in, OUTPUT = "Kinds ü".int42_out,
    RECEIVE = "Kinds ü".int42_recv, SEND = "Kinds ü".int42_send, DEFAULT = '42', ALIGNMENT = int4, PASSEDBYVALUE,
    CATEGORY = 'N', DELIMITER = ';');
COMMENT ON TYPE "Kinds ü"."Int 42" IS 'an int by another name';
CREATE TYPE "Kinds ü".vtext;
CREATE FUNCTION "Kinds ü".vtext_in(cstring) RETURNS "Kinds ü".vtext LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION "Kinds ü".vtext_out("Kinds ü".vtext) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE FUNCTION "Kinds ü".vtext_typmod_in(cstring[]) RETURNS integer LANGUAGE internal IMMUTABLE STRICT AS 'varchartypmodin';
CREATE FUNCTION "Kinds ü".vtext_typmod_out(integer) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'varchartypmodout';
CREATE TYPE "Kinds ü".vtext (INPUT = "Kinds ü".vtext_in, OUTPUT = "Kinds ü".vtext_out, TYPMOD_IN = "Kinds ü".vtext_typmod_in,
    TYPMOD_OUT = "Kinds ü".vtext_typmod_out, INTERNALLENGTH = VARIABLE, STORAGE = extended, COLLATABLE = true, PREFERRED = false);
CREATE FUNCTION "Kinds ü".vtext_len("Kinds ü".vtext) RETURNS integer LANGUAGE sql IMMUTABLE AS $$SELECT length($1::text)$$;
CREATE CAST ("Kinds ü".vtext AS text) WITHOUT FUNCTION;
CREATE TABLE "Kinds ü".base_typed (id integer PRIMARY KEY, n "Kinds ü"."Int 42" DEFAULT '7', ns "Kinds ü"."Int 42"[],
    t "Kinds ü".vtext(12) COLLATE "C");
INSERT INTO "Kinds ü".base_typed VALUES (1, '-5', '{1;2;3}', 'héllo'), (2, DEFAULT, NULL, NULL), (3, '2147483647', '{}', E'tab\there');
CREATE TYPE "Kinds ü"."Shell Only";

-- a child inheriting a stored generated column (CREATE TABLE ... INHERITS must leave the expression to the parent);
-- a materialized view with a table access method; identity sequences switched to the other persistence
CREATE TABLE "Kinds ü".gen_parent (a integer PRIMARY KEY, b integer GENERATED ALWAYS AS (a * 2) STORED);
CREATE TABLE "Kinds ü".gen_child (a integer NOT NULL, b integer GENERATED ALWAYS AS (a * 2) STORED, c text);
ALTER TABLE "Kinds ü".gen_child INHERIT "Kinds ü".gen_parent;
INSERT INTO "Kinds ü".gen_child (a, c) VALUES (1, 'one'), (2, NULL);
CREATE MATERIALIZED VIEW "Kinds ü".am_view USING "heap 2" AS SELECT id, v FROM "Kinds ü".am_table;
CREATE TABLE "Kinds ü".ident_logged (a integer GENERATED ALWAYS AS IDENTITY, v text);
ALTER SEQUENCE "Kinds ü".ident_logged_a_seq SET UNLOGGED;
CREATE UNLOGGED TABLE "Kinds ü".ident_unlogged (a integer GENERATED BY DEFAULT AS IDENTITY);
ALTER SEQUENCE "Kinds ü".ident_unlogged_a_seq SET LOGGED;
INSERT INTO "Kinds ü".ident_logged (v) VALUES ('x'), ('y');

-- an operator whose negator stays a shell after it is dropped: neither dumped nor cloned, nor drift
CREATE OPERATOR "Kinds ü".=== (LEFTARG = boolean, RIGHTARG = boolean, FUNCTION = booleq, NEGATOR = OPERATOR("Kinds ü".!==));
DROP OPERATOR "Kinds ü".=== (boolean, boolean);

-- children without their parents' defaults (PARTITION OF and INHERITS would give them): dropped on a partition and
-- on an inheritance child
CREATE TABLE "Kinds ü".dflt_parent (a integer DEFAULT 7, b text) PARTITION BY LIST (a);
CREATE TABLE "Kinds ü".dflt_part PARTITION OF "Kinds ü".dflt_parent FOR VALUES IN (1, 2);
ALTER TABLE "Kinds ü".dflt_part ALTER COLUMN a DROP DEFAULT;
CREATE TABLE "Kinds ü".dflt_base (a integer DEFAULT 5, b text DEFAULT 'x');
CREATE TABLE "Kinds ü".dflt_child () INHERITS ("Kinds ü".dflt_base);
ALTER TABLE "Kinds ü".dflt_child ALTER COLUMN b DROP DEFAULT;
INSERT INTO "Kinds ü".dflt_parent VALUES (1, 'one');
INSERT INTO "Kinds ü".dflt_child VALUES (3, NULL);
-- ... nor their storage and compression: children made so later (INHERIT, ATTACH) keep the defaults
CREATE TABLE "Kinds ü".stored_base (t text COMPRESSION pglz, u text);
ALTER TABLE "Kinds ü".stored_base ALTER COLUMN u SET STORAGE EXTERNAL;
CREATE TABLE "Kinds ü".stored_child (t text, u text);
ALTER TABLE "Kinds ü".stored_child INHERIT "Kinds ü".stored_base;
CREATE TABLE "Kinds ü".stored_parts (k integer, t text COMPRESSION pglz) PARTITION BY LIST (k);
ALTER TABLE "Kinds ü".stored_parts ALTER COLUMN t SET STORAGE MAIN;
CREATE TABLE "Kinds ü".stored_part (k integer, t text);
ALTER TABLE "Kinds ü".stored_parts ATTACH PARTITION "Kinds ü".stored_part FOR VALUES IN (1);
INSERT INTO "Kinds ü".stored_child VALUES (repeat('t', 5000), repeat('u', 5000));
INSERT INTO "Kinds ü".stored_parts VALUES (1, repeat('p', 5000));

-- a CHECK calling a function that takes the table's row type: the function needs the table, the table's check the function
CREATE TABLE "Kinds ü".checked_rows (f1 integer);
CREATE FUNCTION "Kinds ü".row_ok("Kinds ü".checked_rows) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1.f1 IS DISTINCT FROM 13';
ALTER TABLE "Kinds ü".checked_rows ADD CONSTRAINT "Row OK" CHECK ("Kinds ü".row_ok(checked_rows.*));
COMMENT ON CONSTRAINT "Row OK" ON "Kinds ü".checked_rows IS 'no thirteen';
INSERT INTO "Kinds ü".checked_rows VALUES (1), (NULL);

-- row level security (forced) with a restrictive policy, extended statistics with a target, a nondeterministic
-- collation on a column, a full replica identity, and triggers in each state besides enabled
CREATE COLLATION "Kinds ü"."Case Free" (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE "Kinds ü".guarded (id integer PRIMARY KEY, owner name, note text COLLATE "Kinds ü"."Case Free");
INSERT INTO "Kinds ü".guarded VALUES (1, 'alice', 'Hello'), (2, 'bob', NULL);
ALTER TABLE "Kinds ü".guarded ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY, REPLICA IDENTITY FULL;
CREATE POLICY "Own Rows" ON "Kinds ü".guarded AS RESTRICTIVE FOR UPDATE TO PUBLIC USING (owner = current_user) WITH CHECK (note IS NOT NULL);
CREATE STATISTICS "Kinds ü"."Guarded Stats" (ndistinct, dependencies) ON id, owner FROM "Kinds ü".guarded;
ALTER STATISTICS "Kinds ü"."Guarded Stats" SET STATISTICS 300;
CREATE FUNCTION "Kinds ü".pass_row() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER "Off" BEFORE INSERT ON "Kinds ü".guarded FOR EACH ROW EXECUTE FUNCTION "Kinds ü".pass_row();
CREATE TRIGGER "Replica Only" BEFORE UPDATE ON "Kinds ü".guarded FOR EACH ROW EXECUTE FUNCTION "Kinds ü".pass_row();
CREATE TRIGGER "Always" AFTER DELETE ON "Kinds ü".guarded FOR EACH ROW EXECUTE FUNCTION "Kinds ü".pass_row();
ALTER TABLE "Kinds ü".guarded DISABLE TRIGGER "Off", ENABLE REPLICA TRIGGER "Replica Only", ENABLE ALWAYS TRIGGER "Always";
COMMENT ON TRIGGER "Off" ON "Kinds ü".guarded IS 'kept off';
COMMENT ON POLICY "Own Rows" ON "Kinds ü".guarded IS 'owners only';

-- int2vector, oidvector and tsquery values, empty ones too (their binary receive refuses an empty one)
CREATE TABLE "Kinds ü".vectors (id integer, iv int2vector, ov oidvector, q tsquery);
INSERT INTO "Kinds ü".vectors VALUES (1, '1 2', '23 25', 'a & !b'), (2, '', '', ''), (3, NULL, NULL, NULL);

-- foreign tables under local ones, through a wrapper without a handler (nothing may read or ANALYZE them):
-- an inheritance child and a partition
CREATE TABLE "Kinds ü".with_remote (id integer NOT NULL, v text);
INSERT INTO "Kinds ü".with_remote SELECT g, 'local' FROM generate_series(1, 60) g;
CREATE FOREIGN TABLE "Kinds ü".remote_child () INHERITS ("Kinds ü".with_remote) SERVER "Srv 1";
CREATE TABLE "Kinds ü".parted_remote (a integer, b text) PARTITION BY LIST (a);
CREATE FOREIGN TABLE "Kinds ü".remote_part PARTITION OF "Kinds ü".parted_remote FOR VALUES IN (1) SERVER "Srv 1";
CREATE TABLE "Kinds ü".local_part PARTITION OF "Kinds ü".parted_remote FOR VALUES IN (2);
INSERT INTO "Kinds ü".local_part VALUES (2, 'two');
