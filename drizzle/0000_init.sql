CREATE TABLE `alert_state` (
	`site_id` text NOT NULL,
	`rule` text NOT NULL,
	`state` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `rule`)
);
--> statement-breakpoint
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
	`kind` text DEFAULT 'canary' NOT NULL,
	`marker` text,
	`phases` text DEFAULT '[]' NOT NULL,
	`deploy_output` text,
	PRIMARY KEY(`site_id`, `seq`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `canaries_token_unique` ON `canaries` (`token`);--> statement-breakpoint
CREATE INDEX `canaries_open` ON `canaries` (`site_id`,`closed_at`);--> statement-breakpoint
CREATE INDEX `canaries_deployed` ON `canaries` (`site_id`,`deployed_at`);--> statement-breakpoint
CREATE TABLE `daily_freshness` (
	`site_id` text NOT NULL,
	`day` integer NOT NULL,
	`canaries` integer NOT NULL,
	`within_slo` integer NOT NULL,
	`visible` integer NOT NULL,
	`timed_out` integer NOT NULL,
	`deploy_failed` integer NOT NULL,
	`latency_sum_ms` integer NOT NULL,
	`latency_max_ms` integer,
	PRIMARY KEY(`site_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `hourly_vantage` (
	`site_id` text NOT NULL,
	`vantage` text NOT NULL,
	`hour` integer NOT NULL,
	`total` integer NOT NULL,
	`fresh` integer NOT NULL,
	`propagating` integer NOT NULL,
	`stale` integer NOT NULL,
	`missing` integer NOT NULL,
	`error` integer NOT NULL,
	`duration_sum_ms` integer NOT NULL,
	`duration_max_ms` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `vantage`, `hour`)
);
--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`cause` text NOT NULL,
	`state` text NOT NULL,
	`impact` text NOT NULL,
	`opened_at` integer NOT NULL,
	`resolved_at` integer,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`vantages` text DEFAULT '[]' NOT NULL,
	`timeline` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `incidents_site` ON `incidents` (`site_id`,`opened_at`);--> statement-breakpoint
CREATE INDEX `incidents_state` ON `incidents` (`state`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`notifier_id` text NOT NULL,
	`incident_id` text NOT NULL,
	`kind` text NOT NULL,
	`message` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`sent_at` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `notifications_due` ON `notifications` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notifications_incident` ON `notifications` (`incident_id`);--> statement-breakpoint
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
