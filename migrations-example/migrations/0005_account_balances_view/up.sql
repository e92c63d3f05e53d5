CREATE VIEW account_balances AS
  SELECT u.email, a.currency, a.balance_cents
  FROM accounts a JOIN users u ON u.id = a.user_id;
