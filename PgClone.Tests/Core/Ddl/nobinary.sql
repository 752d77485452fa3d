-- Columns whose types have no binary form (no send/receive functions: isn's, seg, intarray's query_int, aclitem),
-- directly or through a domain, an array, a composite or a range; and an index on earthdistance's ll_to_earth,
-- an SQL function naming its type unqualified, so planning any query on its table fails under search_path = pg_catalog.
CREATE EXTENSION isn;
CREATE EXTENSION seg;
CREATE EXTENSION cube;
CREATE EXTENSION earthdistance;
CREATE EXTENSION intarray;
CREATE SCHEMA "No Binary";
CREATE DOMAIN "No Binary".book AS isbn13 CHECK (VALUE IS NOT NULL);
CREATE TYPE "No Binary".measure AS (label text, span seg);
CREATE TYPE "No Binary".segrange AS RANGE (subtype = seg);
CREATE TABLE "No Binary".items (id integer PRIMARY KEY, code ean13, books "No Binary".book[], span seg, m "No Binary".measure,
    r "No Binary".segrange, q query_int, acl aclitem[], note text, lat double precision, lon double precision);
INSERT INTO "No Binary".items VALUES
    (1, '4006381333931', '{978-0-306-40615-7}', '1.5 .. 2.5', ROW('a "quoted"; label', '-1 .. 1'), '[0.5, 3)', '1&(2|3)',
     ARRAY[format('=r/%I', current_user)::aclitem], E'tab\there, newline\nhere, back\\slash, ü', 48.85, 2.35),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL),
    (3, '978-0-306-40615-7', '{}', '<1e10', ROW(NULL, NULL), 'empty', '!4', '{}', E'\\N is not null', -33.9, 151.2);
CREATE INDEX items_near ON "No Binary".items USING gist (ll_to_earth(lat, lon));
CREATE TABLE "No Binary".plain (id integer PRIMARY KEY, v text);
INSERT INTO "No Binary".plain SELECT g, 'v' || g FROM generate_series(1, 5) g;
