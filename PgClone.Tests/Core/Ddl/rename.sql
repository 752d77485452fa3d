-- A schema with an odd name whose objects point at one another (and at another schema), for a clone under a new name.
CREATE SCHEMA "My Schema";
CREATE SCHEMA other;
CREATE TABLE other.ref (id int PRIMARY KEY);
INSERT INTO other.ref VALUES (1), (2);
CREATE TYPE "My Schema".mood AS ENUM ('sad', 'ok');
CREATE DOMAIN "My Schema".pos AS int CHECK (VALUE > 0);
CREATE SEQUENCE "My Schema"."odd seq" START 100;
CREATE TABLE "My Schema".parent (
    id serial PRIMARY KEY,
    m "My Schema".mood DEFAULT 'ok',
    n "My Schema".pos,
    code bigint DEFAULT nextval('"My Schema"."odd seq"'),
    ref int REFERENCES other.ref);
CREATE TABLE "My Schema".child (id int PRIMARY KEY, parent_id int REFERENCES "My Schema".parent, m "My Schema".mood[]);
CREATE INDEX child_parent ON "My Schema".child (parent_id);
CREATE FUNCTION "My Schema".twice(i int) RETURNS int LANGUAGE sql IMMUTABLE RETURN i * 2;
CREATE FUNCTION "My Schema".kids(p int) RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT count(*) FROM "My Schema".child WHERE parent_id = p;
END;
CREATE FUNCTION "My Schema".all_kids() RETURNS bigint LANGUAGE sql STABLE SET search_path = "My Schema", public
    AS $$ SELECT count(*) FROM child $$;
CREATE FUNCTION "My Schema".touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.n := coalesce(NEW.n, 1); RETURN NEW; END$$;
CREATE TRIGGER touch BEFORE INSERT ON "My Schema".parent FOR EACH ROW EXECUTE FUNCTION "My Schema".touch();
CREATE INDEX parent_twice ON "My Schema".parent ("My Schema".twice(id));
CREATE VIEW "My Schema".v AS
    SELECT p.id, "My Schema".twice(p.id) AS twice, "My Schema".kids(p.id) AS kids, r.id AS ref, 'ok'::"My Schema".mood AS m
    FROM "My Schema".parent p JOIN other.ref r ON r.id = p.ref;
-- Operators of the schema, named with it (CREATE OPERATOR s.<<<, COMMUTATOR s.>>>) and used by a view.
CREATE FUNCTION "My Schema".mood_lt(a "My Schema".mood, b "My Schema".mood) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN a < b;
CREATE FUNCTION "My Schema".mood_gt(a "My Schema".mood, b "My Schema".mood) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN a > b;
CREATE OPERATOR "My Schema".<<< (LEFTARG = "My Schema".mood, RIGHTARG = "My Schema".mood, FUNCTION = "My Schema".mood_lt, COMMUTATOR = OPERATOR("My Schema".>>>));
CREATE OPERATOR "My Schema".>>> (LEFTARG = "My Schema".mood, RIGHTARG = "My Schema".mood, FUNCTION = "My Schema".mood_gt);
COMMENT ON OPERATOR "My Schema".<<< ("My Schema".mood, "My Schema".mood) IS 'before';
CREATE VIEW "My Schema".sadder AS SELECT id FROM "My Schema".parent WHERE m OPERATOR("My Schema".<<<) 'ok';
-- A table alias spelled like the schema: its column references are not schema references.
CREATE VIEW "My Schema".aliased AS SELECT "My Schema".id, "My Schema".code FROM "My Schema".parent "My Schema";
COMMENT ON TABLE "My Schema".parent IS 'the parents';
COMMENT ON SCHEMA "My Schema" IS 'odd';
GRANT USAGE ON SCHEMA "My Schema" TO PUBLIC;
GRANT SELECT ON "My Schema".v TO PUBLIC;
INSERT INTO "My Schema".parent (n, ref) VALUES (5, 1), (NULL, 2), (7, 1);
INSERT INTO "My Schema".child VALUES (1, 1, '{sad,ok}'), (2, 1, NULL), (3, 3, '{ok}');
