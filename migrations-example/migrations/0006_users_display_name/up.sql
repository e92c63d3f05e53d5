-- Add a nullable column, then backfill it: safe while the old app runs.
ALTER TABLE users ADD COLUMN display_name VARCHAR(255);
UPDATE users SET display_name = name WHERE display_name IS NULL;
