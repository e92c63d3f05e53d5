-- dbroll:no-transaction
DROP INDEX CONCURRENTLY orders_status_created_idx;
