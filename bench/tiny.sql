-- Hundreds of tiny tables: per-table fixed costs dominate here.
DO $$
BEGIN
  FOR i IN 1..300 LOOP
    EXECUTE format('CREATE TABLE public.t%s (id int PRIMARY KEY, name text NOT NULL, v numeric, at timestamptz DEFAULT now())', i);
    EXECUTE format('CREATE INDEX ON public.t%s (name)', i);
    EXECUTE format('INSERT INTO public.t%s SELECT g, ''row '' || g, g * 1.5, timestamptz ''2024-01-01'' + g * interval ''1 hour'' FROM generate_series(1, 20) g', i);
  END LOOP;
END $$;
ANALYZE;
