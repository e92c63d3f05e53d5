-- The back office lists open orders by status, newest first.
-- Built CONCURRENTLY so orders stay writable meanwhile; that cannot run inside
-- a transaction, hence no-transaction.
-- dbroll:no-transaction
CREATE INDEX CONCURRENTLY orders_status_created_idx ON orders (status, created_at);
