# a MySQL hash comment; with a semicolon
CREATE TABLE `a;b` (id INT, note VARCHAR(20) DEFAULT 'it\'s; ok');
DELIMITER //
CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//
DELIMITER ;
CREATE TRIGGER trg BEFORE INSERT ON `a;b` FOR EACH ROW BEGIN
  IF NEW.id < 0 THEN SET NEW.id = 0; END IF;
  SET NEW.note = "x;y";
END;
/*!50001 CREATE VIEW v AS SELECT 1 */;
SELECT 1 --not-a-comment-in-mysql
;
