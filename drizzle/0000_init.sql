CREATE TABLE `canaries` (
	`site_id` text NOT NULL,
	`seq` integer NOT NULL,
	`token` text NOT NULL,
	`reason` text NOT NULL,
	`intent_at` integer NOT NULL,
	`state` text NOT NULL,
	`deploy_started_at` integer,
	`deployed_at` integer,
	`deploy_detail` text,
	`deploy_error` text,
	`visible_at` integer,
	`latency_ms` integer,
	`latency_lo_ms` integer,
	`latency_hi_ms` integer,
	`within_slo` integer,
	`next_probe_at` integer,
	`closed_at` integer,
	`vantages` text DEFAULT '{}' NOT NULL,
	PRIMARY KEY(`site_id`, `seq`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `canaries_token_unique` ON `canaries` (`token`);--> statement-breakpoint
CREATE INDEX `canaries_open` ON `canaries` (`site_id`,`closed_at`);--> statement-breakpoint
CREATE TABLE `observations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_id` text NOT NULL,
	`vantage` text NOT NULL,
	`started_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`status` integer,
	`seq_seen` integer,
	`state` text NOT NULL,
	`error_class` text,
	`error_message` text,
	`canary_seq` integer,
	`staleness_ms` integer,
	`age` real,
	`cache_control` text,
	`etag` text,
	`last_modified` text,
	`cache_status` text,
	`pop` text
);
--> statement-breakpoint
CREATE INDEX `observations_site_time` ON `observations` (`site_id`,`started_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `observations_unique` ON `observations` (`site_id`,`vantage`,`started_at`);--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`group_name` text,
	`paused` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`next_probe_at` integer,
	`last_probe_at` integer
);
--> statement-breakpoint
CREATE TABLE `vantage_status` (
	`site_id` text NOT NULL,
	`vantage` text NOT NULL,
	`state` text NOT NULL,
	`since` integer NOT NULL,
	`last_observed_at` integer NOT NULL,
	`seq_seen` integer,
	`status` integer,
	`error_class` text,
	`error_message` text,
	`staleness_ms` integer,
	PRIMARY KEY(`site_id`, `vantage`)
);
