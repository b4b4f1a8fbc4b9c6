CREATE TABLE `monitor_gaps` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `monitor_gaps_time` ON `monitor_gaps` (`started_at`);--> statement-breakpoint
CREATE TABLE `monitor_heartbeat` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`process_started_at` integer NOT NULL,
	`pid` integer NOT NULL
);
