/**
 * Options of every adapter kind, one schema per kind, listed in one table per
 * port. Adding a deploy kind (gitlab-api, github-api, command, webhook) is one
 * schema here plus its entry in `deploySchemas`; the union and messages follow.
 */
import { z } from 'zod';
import { emailAddress, gitRemote, httpUrl, nonEmpty, repoFile, slug, smtpUrl } from './fields.js';
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

/** One entry per deploy kind. */
export const deploySchemas = [localDirDeploy, gitDeploy] as const;

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

/** One entry per notifier kind. */
export const notifierSchemas = [
  urlNotifier('webhook'),
  urlNotifier('slack'),
  urlNotifier('discord'),
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
