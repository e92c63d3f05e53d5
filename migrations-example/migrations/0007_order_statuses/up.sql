CREATE TABLE order_statuses (
  code VARCHAR(20) PRIMARY KEY,
  label VARCHAR(100) NOT NULL
);
INSERT INTO order_statuses (code, label) VALUES
  ('new', 'New'),
  ('paid', 'Paid; it''s on its way'),
  ('shipped', 'Shipped'),
  ('cancelled', 'Cancelled');
