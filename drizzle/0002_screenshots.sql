CREATE TABLE `screenshots` (
	`site_id` text NOT NULL,
	`vantage` text NOT NULL,
	`taken_at` integer NOT NULL,
	`png` blob NOT NULL,
	PRIMARY KEY(`site_id`, `vantage`, `taken_at`)
);
