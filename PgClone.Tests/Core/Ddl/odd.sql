-- A second schema with an odd name, for the database clone.
CREATE SCHEMA "Weird Schema; ""x"" ü";
CREATE TABLE "Weird Schema; ""x"" ü"."Table" ("User" int PRIMARY KEY, "order" text DEFAULT 'x;y', ref bigint REFERENCES rich.people(id));
CREATE INDEX "where; idx" ON "Weird Schema; ""x"" ü"."Table" ("order");
CREATE VIEW "Weird Schema; ""x"" ü"."View" AS SELECT t."User", p."First Name" FROM "Weird Schema; ""x"" ü"."Table" t JOIN rich.people p ON p.id = t.ref;
INSERT INTO "Weird Schema; ""x"" ü"."Table" VALUES (1, 'o', 10), (2, NULL, NULL);
CREATE TABLE public.plain (id int PRIMARY KEY, v text);
INSERT INTO public.plain VALUES (1, 'one');
