/**
 * Options of every adapter kind, one schema per kind, listed in one table per
 * port. Adding a deploy kind (gitlab-api, github-api, command, webhook) is one
 * schema here plus its entry in `deploySchemas`; the union and messages follow.
 */
import { z } from 'zod';
import {
  duration,
  emailAddress,
  gitRemote,
  httpUrl,
  nonEmpty,
  repoFile,
  slug,
  smtpUrl,
} from './fields.js';
import { type CheckParams, hinted } from './messages.js';

/** Off by default: a config must not turn freshprobe into a proxy into a private network. */
const allowPrivateAddresses = z.boolean().default(false).meta({
  description: 'Allow private and link-local destination addresses.',
});

const localDirDeploy = z.strictObject({
  kind: z.literal('local-dir'),
  dir: nonEmpty.meta({
    description: 'Served directory; the canary is written at dir + canary.path.',
  }),
});

const gitAuthor = z.strictObject({
  name: nonEmpty.default('freshprobe'),
  email: nonEmpty.default('freshprobe@localhost'),
});

const gitDeploy = z
  .strictObject({
    kind: z.literal('git'),
    remote: gitRemote,
    branch: nonEmpty.default('main'),
    file: repoFile.meta({ description: 'Canary file path inside the repository.' }),
    token: nonEmpty.optional().meta({ description: 'HTTP(S) password or access token.' }),
    username: nonEmpty.optional().meta({ description: 'Defaults to "oauth2" when token is set.' }),
    author: gitAuthor.prefault({}),
    allowPrivateAddresses,
  })
  .superRefine((git, ctx) => {
    // A token sent to ssh:// or a path is ignored by git: say so instead of failing at push time.
    if (git.token !== undefined && !/^https?:\/\//.test(git.remote)) {
      const params: CheckParams = { rule: 'tokenNeedsHttp' };
      ctx.addIssue({ code: 'custom', path: ['token'], input: git.token, params });
    }
  })
  .transform((git) =>
    git.token !== undefined && git.username === undefined ? { ...git, username: 'oauth2' } : git,
  );

/** Secrets belong in the environment; the description says so in editors. */
const tokenFromEnv = (what: string) => nonEmpty.meta({ description: `${what}; use \${VAR}.` });

const PROJECT = { expected: 'a project id like 1234 or a path like "group/repo"' };
const gitlabProject = hinted(
  z.union([
    hinted(z.int().min(1), PROJECT),
    hinted(z.string().regex(/^(\d+|[^/\s]+(\/[^/\s]+)+|[^/\s%]+(%2F[^/\s%]+)+)$/i), PROJECT),
  ]),
  PROJECT,
);

const gitlabApiDeploy = z.strictObject({
  kind: z.literal('gitlab-api'),
  baseUrl: httpUrl.default('https://gitlab.com'),
  project: gitlabProject,
  branch: nonEmpty.default('main'),
  file: repoFile.meta({ description: 'Canary file path inside the repository.' }),
  token: tokenFromEnv('Access token with the api scope, sent as PRIVATE-TOKEN'),
  followPipeline: z.boolean().default(false),
  pipelineTimeout: duration().prefault('10m'),
  allowPrivateAddresses,
});

const githubRepo = hinted(z.string().regex(/^[\w.-]+\/[\w.-]+$/), {
  expected: 'a repository like "owner/name"',
});

const githubApiDeploy = z.strictObject({
  kind: z.literal('github-api'),
  baseUrl: httpUrl.default('https://api.github.com').meta({
    description: 'API root; GitHub Enterprise: https://HOST/api/v3.',
  }),
  repo: githubRepo,
  branch: nonEmpty.default('main'),
  file: repoFile.meta({ description: 'Canary file path inside the repository.' }),
  token: tokenFromEnv('Token with Contents: write (or the repo scope), sent as a Bearer token'),
  followPages: z.boolean().default(false),
  pagesTimeout: duration().prefault('10m'),
  allowPrivateAddresses,
});

const envVars = z
  .record(z.string(), hinted(z.string(), { expected: 'a string (quote numbers and booleans)' }))
  .superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      const params: CheckParams = { expected: 'an environment variable name (A-Z, 0-9, "_")' };
      ctx.addIssue({ code: 'custom', path: [name], input: name, params });
    }
  });

const COMMAND = {
  expected: 'a list of arguments like [wrangler, pages, deploy, dist], or a shell command line',
  noun: 'argument',
};
const commandLine = hinted(
  z.union([hinted(z.string().min(1), COMMAND), hinted(z.array(nonEmpty).min(1), COMMAND)]),
  COMMAND,
);

const commandDeploy = z.strictObject({
  kind: z.literal('command'),
  command: commandLine,
  dir: nonEmpty.optional().meta({ description: 'Also write the canary at dir + canary.path.' }),
  cwd: nonEmpty.optional(),
  env: envVars.optional(),
  timeout: duration().prefault('2m'),
});

const webhookDeploy = z.strictObject({
  kind: z.literal('webhook'),
  url: httpUrl.meta({ description: `Deploy hook URL (often a secret: use \${VAR}).` }),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.record(z.string(), z.json()).optional().meta({
    description:
      'JSON body; {{site}} {{seq}} {{token}} {{path}} {{message}} {{content}} are filled in.',
  }),
  allowPrivateAddresses,
});

/** One entry per deploy kind. */
export const deploySchemas = [
  localDirDeploy,
  gitDeploy,
  gitlabApiDeploy,
  githubApiDeploy,
  commandDeploy,
  webhookDeploy,
] as const;

export const deploySchema = hinted(z.discriminatedUnion('kind', deploySchemas), {
  expected: 'a mapping with a kind',
});

const urlNotifier = <K extends string>(kind: K) =>
  z.strictObject({ id: slug, kind: z.literal(kind), url: httpUrl, allowPrivateAddresses });

const pagerdutyNotifier = z.strictObject({
  id: slug,
  kind: z.literal('pagerduty'),
  routingKey: nonEmpty.meta({ description: 'Events API v2 integration (routing) key.' }),
  url: httpUrl.optional().meta({ description: 'Events API endpoint, for proxies and tests.' }),
  allowPrivateAddresses,
});

const emailNotifier = z.strictObject({
  id: slug,
  kind: z.literal('email'),
  smtp: smtpUrl.meta({ description: 'smtp://user:pass@host:587 or smtps://host:465' }),
  from: emailAddress,
  to: hinted(z.array(emailAddress).min(1), { expected: 'a list of addresses', noun: 'address' }),
  allowPrivateAddresses,
});

const webhookNotifier = urlNotifier('webhook').extend({
  secret: nonEmpty.optional().meta({
    description:
      'Signs each request: X-Freshprobe-Signature is sha256=HMAC(secret, "timestamp.body").',
  }),
});

const discordNotifier = urlNotifier('discord').extend({
  username: hinted(z.string().min(1).max(80), { expected: 'a name of 1 to 80 characters' })
    .optional()
    .meta({ description: "Overrides the webhook's default name." }),
});

/** One entry per notifier kind. */
export const notifierSchemas = [
  webhookNotifier,
  urlNotifier('slack'),
  discordNotifier,
  urlNotifier('teams'),
  pagerdutyNotifier,
  emailNotifier,
] as const;

export const notifierSchema = hinted(z.discriminatedUnion('kind', notifierSchemas), {
  expected: 'a mapping with an id and a kind',
});

/** Where and how canaries are published; `kind` picks the adapter. */
export type DeployConfig = z.output<typeof deploySchema>;
/** Where alerts go; `kind` picks the adapter. */
export type NotifierConfig = z.output<typeof notifierSchema>;
