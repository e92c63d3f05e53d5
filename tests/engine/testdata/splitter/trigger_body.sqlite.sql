CREATE TABLE t (id INTEGER PRIMARY KEY, kind TEXT, n INT);
CREATE TRIGGER t_kind AFTER INSERT ON t
BEGIN
  UPDATE t SET kind = CASE WHEN NEW.n > 0 THEN 'pos;itive' ELSE 'neg' END WHERE id = NEW.id;
  INSERT INTO t (kind) VALUES ('end');
END;
/* SQLite block comments /* do not nest */
SELECT "a""b;c", [br;acket], `back;tick` FROM t;
