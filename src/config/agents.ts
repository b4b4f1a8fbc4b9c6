/**
 * Remote vantages: `freshprobe agent` processes on other machines that probe
 * the sites and push raw results to this server. The config here is the
 * central side: who may push, with which token, under which vantage name.
 * Uniqueness and references are cross-field rules (cross.ts).
 */
import { z } from 'zod';
import { slug } from './fields.js';
import { hinted } from './messages.js';

/** Vantage names appear in URLs, metrics and the status page: short, lowercase, no spaces. */
const VANTAGE_NAME = /^[a-z0-9][a-z0-9:@._-]{0,62}$/;

/** A shorter token could be guessed by anyone who can reach the observations route. */
export const MIN_AGENT_TOKEN_LENGTH = 16;

const vantageName = hinted(z.string().regex(VANTAGE_NAME), {
  expected: 'a vantage name like "agent:fra" (a-z, 0-9, ":", "@", ".", "-" or "_")',
});

const agentToken = hinted(z.string().min(MIN_AGENT_TOKEN_LENGTH), {
  expected: `a token of at least ${MIN_AGENT_TOKEN_LENGTH} characters (openssl rand -hex 24)`,
});

export const agentSchema = z.strictObject({
  id: slug,
  token: agentToken.meta({ description: `Bearer token the agent sends; use \${VAR}.` }),
  vantage: vantageName
    .optional()
    .meta({ description: 'Vantage name of its observations; default "agent:<id>".' }),
  sites: hinted(z.array(slug), { expected: 'a list of site ids', noun: 'site' })
    .optional()
    .meta({ description: 'Site ids it probes; default every site.' }),
});

export type RawAgent = z.output<typeof agentSchema>;

/** One remote vantage, resolved. */
export interface AgentConfig {
  id: string;
  /** Compared in constant time; never logged, never sent back. */
  token: string;
  /** Every observation it pushes is stored under this vantage. */
  vantage: string;
  /** Site ids it may probe and push for; undefined = every site. */
  sites?: string[];
}

export function resolveAgent(raw: RawAgent): AgentConfig {
  return {
    id: raw.id,
    token: raw.token,
    vantage: raw.vantage ?? `agent:${raw.id}`,
    ...(raw.sites !== undefined && { sites: raw.sites }),
  };
}

/** Names the built-in probers use; an agent taking one would mix its data into theirs. */
export function reservedVantage(name: string): boolean {
  return ['edge', 'origin', 'browser', 'nodes'].includes(name) || name.startsWith('node:');
}
