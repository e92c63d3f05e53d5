-- The back office lists open orders by status, newest first.
CREATE INDEX orders_status_created_idx ON orders (status, created_at);
