-- A function whose body has semicolons, inside dollar quotes.
CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now(); -- not a split point
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
/* outer /* nested; still a comment */ still; a comment */
SELECT $tag$ a $$ b ; $tag$, 'it''s; fine', E'back\'slash; too', "odd;name" FROM t;
DO $do$ BEGIN PERFORM 1; END $do$;
SELECT $1::int + a$b FROM x
