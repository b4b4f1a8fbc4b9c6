// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config ${VAR} references.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderJsonSchema, SCHEMA_FILE } from '../scripts/write-json-schema.js';
import { type LoadedConfig, parseConfigObject, parseConfigText } from '../src/config.js';
import { ConfigError } from '../src/core/errors.js';

const FIXTURES = new URL('./fixtures/config/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

/** Values for every ${VAR} the fixtures use; FRESHPROBE_ADMIN_TOKEN is set only where a test says so. */
const ENV = {
  GITLAB_TOKEN: 'glpat-test-token',
  NOT_A_URL: 'hooks.example.com/abc',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
};

/** The exact lines a ConfigError prints, or "parsed" when there was none. */
function problemLines(load: () => LoadedConfig): string[] {
  try {
    load();
    return ['parsed'];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.split('\n');
  }
}

/** One fixture per rule, each with every line it must produce, in order. */
const INVALID: Record<string, string[]> = {
  'agent-conflicts.yaml': [
    'agents[1].id: duplicate agent id "fra" (first at agents[0])',
    'agents[2].token: same token as agents[0].token: every agent needs its own token',
    'agents[2].vantage: duplicate vantage "agent:fra" (first at agents[0])',
    'agents[3].vantage: vantage "edge" is reserved for freshprobe\'s own probers; pick another name',
    'agents[4].vantage: vantage "node:10.0.0.1" is reserved for freshprobe\'s own probers; pick another name',
  ],
  'bad-api-deploy.yaml': [
    'sites[0].deploy.followPipelines: unknown key (did you mean "followPipeline"?)',
    'sites[0].deploy.project: expected a project id like 1234 or a path like "group/repo", got "acme"',
    'sites[1].deploy.file: expected a file path inside the repository (no leading "/", no ".."), got "/freshprobe/canary.json"',
    'sites[1].deploy.repo: expected a repository like "owner/name", got "acme"',
    'sites[1].deploy.token: required',
  ],
  'bad-agent.yaml': [
    'agents[0].token: expected a token of at least 16 characters (openssl rand -hex 24), got "short"',
    'agents[1].vantage: expected a vantage name like "agent:fra" (a-z, 0-9, ":", "@", ".", "-" or "_"), got "Agent IAD"',
    'agents[2].sites[1]: no site with id "blog"',
  ],
  'bad-canary.yaml': [
    'sites[0].canary.format: unknown format "xml"; expected json or html',
    'sites[0].canary.path: expected a URL path starting with "/", got "freshprobe/canary.json"',
  ],
  'bad-command-deploy.yaml': [
    'sites[0].deploy.command: expected at least one argument',
    'sites[0].deploy.env.CLOUDFLARE-ACCOUNT: expected an environment variable name (A-Z, 0-9, "_"), got "CLOUDFLARE-ACCOUNT"',
    'sites[0].deploy.timeout: expected a duration like 30s, 5m or 2h, got "soon"',
    'sites[1].deploy.body: expected a mapping, got "{{token}}"',
    'sites[1].deploy.url: expected an http(s) URL, got "api.netlify.com/build_hooks/abc"',
  ],
  'bad-cron.yaml': ['sites[0].schedule: expected a 5-field cron expression, got "every hour"'],
  'bad-duration.yaml': ['defaults.timeout: expected a duration like 30s, 5m or 2h, got "soon"'],
  'bad-git-remote.yaml': [
    'sites[1].deploy.remote: expected a git URL, user@host:path or an absolute path, got "gitlab.example.com/acme/blog"',
  ],
  'bad-id.yaml': [
    'sites[0].id: expected a lowercase id like "docs" (a-z, 0-9, "-" or "_", up to 63 characters), got "Product Docs"',
  ],
  'bad-nodes.yaml': [
    'sites[0].probe.nodes[1]: expected an IPv4 or IPv6 address with an optional port, got "10.0.0.300"',
    'sites[0].probe.nodes[3]: expected an IPv4 or IPv6 address with an optional port, got "web-1:80"',
    'sites[1].probe.nodes: expected "resolve" or a list of IP addresses, got "all"',
  ],
  'bad-notifier-options.yaml': [
    'notifiers[0].secret: expected a non-empty string, got ""',
    'notifiers[1].username: expected a name of 1 to 80 characters, got ""',
    'notifiers[2].username: unknown key',
  ],
  'bad-repo-file.yaml': [
    'sites[0].deploy.file: expected a file path inside the repository (no leading "/", no ".."), got "../outside/canary.json"',
  ],
  'bad-url.yaml': ['sites[0].url: expected an http(s) URL, got "ftp://docs.example.com/"'],
  'cron-out-of-range.yaml': [
    'sites[0].schedule: expected a 5-field cron expression, got "0 24 * * *" (hour: 24 is out of range 0-23)',
  ],
  'duplicate-notifier-id.yaml': [
    'notifiers[1].id: duplicate notifier id "ops" (first at notifiers[0])',
  ],
  'duplicate-site-id.yaml': ['sites[2].id: duplicate site id "docs" (first at sites[0])'],
  'duplicate-vantage.yaml': ['sites[0].probe.vantages[2]: duplicate vantage "edge"'],
  'empty-vantages.yaml': ['defaults.probe.vantages: expected at least one vantage'],
  'empty.yaml': ['sites: required'],
  'env-malformed.yaml': [
    'sites[0].deploy.dir: invalid variable reference; write ${NAME} or ${NAME:-default}, or $${ for a literal ${',
  ],
  'env-unset.yaml': ['server.adminToken: environment variable FRESHPROBE_ADMIN_TOKEN is not set'],
  'env-value-redacted.yaml': [
    'notifiers[0].url: expected an http(s) URL, got a value from the environment',
  ],
  'interval-too-short.yaml': [
    'sites[0].probe.interval: expected a duration of at least 1s, got "500ms"',
  ],
  'many-problems.yaml': [
    'server.adminToken: environment variable FRESHPROBE_ADMIN_TOKEN is not set',
    'server.port: expected a port number from 0 to 65535, got 80800',
    'defaults.timeout: expected a duration like 30s, 5m or 2h, got "soon"',
    'sites[0].notify[1]: no notifier with id "pager"',
    'sites[0].probe.vantages[1]: unknown vantage "cdn"; expected edge, origin, nodes or browser',
    'sites[1].colour: unknown key',
    'sites[1].deploy.kind: unknown kind "rsync"; expected one of local-dir, git, gitlab-api, github-api, command, webhook',
    'sites[1].id: duplicate site id "docs" (first at sites[0])',
    'sites[1].schedule: expected a 5-field cron expression, got "every hour"',
    'sites[1].url: expected an http(s) URL, got "docs.example.com"',
  ],
  'missing-deploy.yaml': ['sites[0].deploy: required'],
  'missing-id.yaml': ['sites[0].id: required'],
  'no-sites.yaml': ['sites: expected at least one site'],
  'not-a-mapping.yaml': ['expected a mapping, got a list'],
  'notifier-fields.yaml': [
    'notifiers[0].url: required',
    'notifiers[1].routingKey: required',
    'notifiers[2].from: expected an email address like ops@example.com, got "ops"',
    'notifiers[2].smtp: expected an smtp:// or smtps:// URL, got "http://mail.example.com"',
    'notifiers[2].to: expected at least one address',
  ],
  'slo-target.yaml': [
    'defaults.slo.target: expected a number between 0 and 1 (exclusive), like 0.99, got 1',
  ],
  'threshold-not-below-timeout.yaml': [
    'sites[0].slo.threshold: must be shorter than the timeout (10m), got 15m',
    'sites[1].timeout: must be longer than slo.threshold (5m), got 5m',
  ],
  'token-without-http.yaml': ['sites[0].deploy.token: only works with an http(s) remote'],
  'typo-key.yaml': ['defaults.shedule: unknown key (did you mean "schedule"?)'],
  'unknown-deploy-kind.yaml': [
    'sites[0].deploy.kind: unknown kind "ftp"; expected one of local-dir, git, gitlab-api, github-api, command, webhook',
  ],
  'unknown-key.yaml': ['sites[0].foo: unknown key'],
  'unknown-notifier-kind.yaml': [
    'notifiers[0].kind: unknown kind "sms"; expected one of webhook, slack, discord, teams, pagerduty, email',
  ],
  'unknown-notifier.yaml': ['sites[0].notify[0]: no notifier with id "ops"'],
  'unknown-vantage.yaml': [
    'sites[0].probe.vantages[1]: unknown vantage "cdn"; expected edge, origin, nodes or browser',
  ],
  'wrong-types.yaml': [
    'server.port: expected a port number from 0 to 65535, got "8080"',
    'storage.retainObservationsDays: expected a whole number of at least 1, got 0',
    'sites[0].notify: expected a list of notifier ids, got "ops"',
    'sites[0].paused: expected true or false, got "no"',
  ],
  'yaml-duplicate-key.yaml': ['YAML syntax error at line 3, column 5: Map keys must be unique'],
  'yaml-syntax.yaml': [
    'YAML syntax error at line 4, column 38: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
  'yaml-unquoted-cron.yaml': [
    'YAML syntax error at line 2, column 18: Unexpected alias at node end (quote values that start with "*", like "*/30 * * * *")',
  ],
};

describe('invalid configs', () => {
  it('has an expectation for every fixture and a fixture for every expectation', () => {
    const files = readdirSync(new URL('invalid/', FIXTURES)).sort();
    expect(files).toEqual(Object.keys(INVALID).sort());
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  it.each(Object.entries(INVALID))('%s', (file, lines) => {
    expect(problemLines(() => parseConfigText(read(`invalid/${file}`), ENV))).toEqual(lines);
  });

  it('lists problems as {path, message} pairs on the error', () => {
    const error = (() => {
      try {
        parseConfigText(read('invalid/unknown-notifier.yaml'), ENV);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { path: 'sites[0].notify[0]', message: 'no notifier with id "ops"' },
    ]);
    expect((error as ConfigError).retryable).toBe(false);
  });
});

const FULL_ENV = {
  FRESHPROBE_ADMIN_TOKEN: 'admin-secret',
  GITLAB_TOKEN: 'glpat-secret',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/secret',
  PD_ROUTING_KEY: 'pd-secret',
  SMTP_PASSWORD: 'smtp-secret',
};

describe('valid configs', () => {
  it('fills every default into a minimal config', () => {
    const { config, secrets } = parseConfigText(read('valid/minimal.yaml'), {});
    expect(secrets).toEqual([]);
    expect(config.server).toEqual({
      port: 8080,
      host: '0.0.0.0',
      rateLimit: { enabled: true, perSecond: 20, burst: 200, trustProxy: false },
      maxConcurrentDeploys: 8,
    });
    expect(config.storage).toEqual({ sqlite: 'data/freshprobe.db', retainObservationsDays: 30 });
    expect(config.notifiers).toEqual([]);
    expect(config.sites).toEqual([
      {
        id: 'docs',
        name: 'docs',
        url: 'https://docs.example.com/',
        canary: { path: '/freshprobe/canary.json', format: 'json' },
        deploy: { kind: 'local-dir', dir: 'public' },
        probe: {
          vantages: ['edge', 'origin'],
          nodes: 'resolve',
          interval: 60_000,
          timeout: 10_000,
          maxBodyBytes: 1_048_576,
          maxRedirects: 5,
        },
        schedule: '*/30 * * * *',
        timeout: 1_800_000,
        slo: { threshold: 300_000, target: 0.99, window: 2_419_200_000 },
        notify: [],
        alerts: {
          failureThreshold: 2,
          recoveryThreshold: 2,
          repeatEvery: 14_400_000,
          deployFailures: 2,
          minEvents: 5,
          burnRates: [
            { factor: 14.4, long: 3_600_000, short: 300_000 },
            { factor: 6, long: 21_600_000, short: 1_800_000 },
            { factor: 1, long: 259_200_000, short: 21_600_000 },
          ],
        },
        paused: false,
      },
    ]);
  });

  const full = () => parseConfigText(read('valid/full.yaml'), FULL_ENV);

  it('interpolates the environment and collects every value it used as a secret', () => {
    const { config, secrets } = full();
    expect(secrets).toEqual([
      'admin-secret',
      'glpat-secret',
      FULL_ENV.SLACK_WEBHOOK_URL,
      'pd-secret',
      'smtp-secret',
    ]);
    expect(config.server).toEqual({
      port: 9090,
      host: '127.0.0.1',
      publicUrl: 'https://status.example.com',
      adminToken: 'admin-secret',
      rateLimit: { enabled: true, perSecond: 20, burst: 200, trustProxy: false },
      maxConcurrentDeploys: 8,
    });
    expect(config.notifiers[2]).toMatchObject({
      smtp: 'smtps://mailer:smtp-secret@mail.example.com:465',
      allowPrivateAddresses: false,
    });
    expect(config.notifiers[3]).toMatchObject({ kind: 'webhook', allowPrivateAddresses: true });
  });

  it('applies site overrides over defaults, field by field', () => {
    const docs = full().config.sites[0]!;
    expect(docs.deploy).toEqual({
      kind: 'git',
      remote: 'https://gitlab.example.com/acme/docs.git',
      branch: 'pages',
      file: 'public/freshprobe/canary.json',
      token: 'glpat-secret',
      username: 'oauth2',
      author: { name: 'freshprobe', email: 'freshprobe@localhost' },
      allowPrivateAddresses: false,
    });
    expect(docs.probe).toEqual({
      vantages: ['edge', 'origin', 'nodes'],
      nodes: 'resolve',
      interval: 90_000,
      timeout: 5_000,
      maxBodyBytes: 1_048_576,
      maxRedirects: 5,
      originUrl: 'https://origin.example.com/',
      headers: { 'User-Agent': 'freshprobe-test', 'X-Env': 'docs' },
    });
    expect(docs).toMatchObject({ name: 'Product docs', group: 'Docs', schedule: '*/15 * * * *' });
    expect(docs.timeout).toBe(1_200_000);
    expect(docs.slo).toEqual({ threshold: 120_000, target: 0.95, window: 604_800_000 });
  });

  it('inherits the defaults section, infers html canaries and honours $${', () => {
    const blog = full().config.sites[1]!;
    expect(blog.name).toBe('Costs ${PRICE}');
    expect(blog.canary).toEqual({ path: '/status/canary.html', format: 'html' });
    expect(blog.deploy).toMatchObject({
      branch: 'main',
      author: { name: 'Blog Bot', email: 'freshprobe@localhost' },
    });
    expect(blog.deploy).not.toHaveProperty('username');
    expect(blog).toMatchObject({
      schedule: '0 * * * *',
      timeout: 2_700_000,
      paused: true,
      notify: [],
    });
    expect(blog.probe).toMatchObject({
      vantages: ['edge'],
      interval: 30_000,
      headers: { 'X-Env': 'default' },
    });
  });

  it('keeps an explicit format, a ${VAR:-default} and a fixed node list', () => {
    const shop = full().config.sites[2]!;
    expect(shop.canary).toEqual({ path: '/canary.htm', format: 'json' });
    expect(shop.deploy).toEqual({ kind: 'local-dir', dir: 'srv/shop' });
    expect(shop.probe.nodes).toEqual([
      '10.0.0.1',
      '10.0.0.2:8080',
      '2001:db8::1',
      '[2001:db8::2]:8443',
    ]);
    expect(shop.probe).toMatchObject({ maxBodyBytes: 65_536, maxRedirects: 0 });
    expect(shop.slo).toEqual({ threshold: 600_000, target: 0.9, window: 604_800_000 });
  });

  // Config examples only: data/examples also holds a systemd unit.
  it.each(
    readdirSync(new URL('../data/examples/', import.meta.url)).filter((f) => /\.ya?ml$/.test(f)),
  )('example %s is valid', (file) => {
    const text = readFileSync(new URL(`../data/examples/${file}`, import.meta.url), 'utf8');
    const env = { ...FULL_ENV, PAGERDUTY_ROUTING_KEY: 'pd' };
    expect(parseConfigText(text, env).config.sites.length).toBeGreaterThan(0);
  });
});

const site = {
  id: 'docs',
  url: 'https://docs.example.com/',
  deploy: { kind: 'local-dir', dir: 'public' },
};

describe('parseConfigObject', () => {
  it('takes numbers as milliseconds and leaves its input untouched', () => {
    const raw = { defaults: { timeout: 600_000 }, sites: [{ ...site, name: '${NAME}' }] };
    const before = structuredClone(raw);
    const { config } = parseConfigObject(raw, { NAME: 'Docs' });
    expect(config.sites[0]).toMatchObject({ name: 'Docs', timeout: 600_000 });
    expect(raw).toEqual(before);
  });

  it.each([
    ['${V:-fallback}', {}, 'fallback'],
    ['${V:-fallback}', { V: '' }, 'fallback'],
    ['${V:-fallback}', { V: 'set' }, 'set'],
    ['a-${V}-b-${W:-w}', { V: 'v' }, 'a-v-b-w'],
    ['$${V} and $$', { V: 'v' }, '${V} and $$'],
  ])('interpolates %j with %j as %j', (name, env, expected) => {
    expect(parseConfigObject({ sites: [{ ...site, name }] }, env).config.sites[0]!.name).toBe(
      expected,
    );
  });

  it('keeps a variable that is set but empty, and validates the result', () => {
    expect(
      problemLines(() => parseConfigObject({ sites: [{ ...site, name: '${V}' }] }, { V: '' })),
    ).toEqual(['sites[0].name: expected a non-empty string, got ""']);
  });

  it('does not interpolate keys', () => {
    const raw = { sites: [{ ...site, probe: { headers: { '${H}': 'x' } } }] };
    expect(parseConfigObject(raw, { H: 'h' }).config.sites[0]!.probe.headers).toEqual({
      '${H}': 'x',
    });
  });

  it('deduplicates secrets', () => {
    const raw = { sites: [{ ...site, name: '${T}', group: '${T}' }] };
    expect(parseConfigObject(raw, { T: 'tok' }).secrets).toEqual(['tok']);
  });
});

describe('API, command and webhook deploy kinds', () => {
  it.each([
    [
      { kind: 'gitlab-api', project: 'acme/docs', file: 'public/c.json', token: '${T}' },
      {
        baseUrl: 'https://gitlab.com',
        branch: 'main',
        followPipeline: false,
        pipelineTimeout: 600_000,
        allowPrivateAddresses: false,
      },
    ],
    [
      {
        kind: 'github-api',
        repo: 'acme/site',
        file: 'docs/c.json',
        token: '${T}',
        pagesTimeout: '90s',
      },
      {
        baseUrl: 'https://api.github.com',
        branch: 'main',
        followPages: false,
        pagesTimeout: 90_000,
        allowPrivateAddresses: false,
      },
    ],
    [{ kind: 'command', command: 'wrangler pages deploy dist' }, { timeout: 120_000 }],
    [
      { kind: 'webhook', url: '${T}', body: { trigger_title: 'canary #{{seq}}' } },
      { url: 'https://hooks.example.com/x', allowPrivateAddresses: false },
    ],
  ])('fills the defaults of %o', (deploy, defaults) => {
    const T = deploy.kind === 'webhook' ? 'https://hooks.example.com/x' : 'secret';
    const { config, secrets } = parseConfigObject({ sites: [{ ...site, deploy }] }, { T });
    expect(config.sites[0]!.deploy).toMatchObject(defaults);
    expect(secrets).toEqual(JSON.stringify(deploy).includes('${T}') ? [T] : []);
  });
});

describe('YAML references in flow mappings', () => {
  it('parses unquoted ${VAR} and ${VAR:-a,b} inside { }', () => {
    const text =
      'sites:\n  - { id: docs, url: "${URL}", deploy: { kind: local-dir, dir: ${DIR:-a,b} } }\n';
    const { config } = parseConfigText(text, { URL: 'https://docs.example.com/' });
    expect(config.sites[0]!.deploy).toEqual({ kind: 'local-dir', dir: 'a,b' });
  });
});

describe('JSON Schema', () => {
  it('is up to date (run npm run schema:json after changing the config schema)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderJsonSchema());
  });

  it('describes the input side: durations as strings, every deploy kind', () => {
    const schema = JSON.parse(renderJsonSchema());
    const defaults = schema.properties.defaults.properties;
    expect(defaults.timeout).toMatchObject({ default: '30m', type: ['string', 'number'] });
    const deploy = schema.properties.sites.items.properties.deploy.oneOf;
    expect(
      deploy.map((d: { properties: { kind: { const: string } } }) => d.properties.kind.const),
    ).toEqual(['local-dir', 'git', 'gitlab-api', 'github-api', 'command', 'webhook']);
    expect(schema.properties.sites.items.additionalProperties).toBe(false);
  });
});
