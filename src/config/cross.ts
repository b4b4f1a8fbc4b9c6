/**
 * Rules that span fields: unique ids, notifier and site references, agent
 * vantages and tokens, SLO threshold below the canary timeout. They run on the raw (interpolated) tree, even when
 * the schema found other problems, so one run reports everything; anything
 * malformed here is skipped because the schema already reports it.
 */
import { formatDuration, parseDuration } from '../core/duration.js';
import { reservedVantage } from './agents.js';
import { messages } from './messages.js';
import type { PathSegment, Problem } from './problems.js';
import { BUILTIN } from './schema.js';

type Node = Record<string, unknown>;

function record(value: unknown): Node | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Node)
    : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function duplicateIds(items: unknown[], section: string, noun: string): Problem[] {
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  items.forEach((item, i) => {
    const id = record(item)?.id;
    if (typeof id !== 'string') return;
    const at = first.get(id);
    if (at === undefined) first.set(id, i);
    else
      problems.push({
        path: [section, i, 'id'],
        message: messages.duplicateId(noun, id, `${section}[${at}]`),
      });
  });
  return problems;
}

function unknownNotifiers(sites: unknown[], notifiers: unknown[]): Problem[] {
  const known = new Set(notifiers.map((n) => record(n)?.id).filter((id) => typeof id === 'string'));
  return sites.flatMap((site, i) =>
    list(record(site)?.notify).flatMap((id, j): Problem[] =>
      typeof id === 'string' && !known.has(id)
        ? [{ path: ['sites', i, 'notify', j], message: messages.unknownNotifier(id) }]
        : [],
    ),
  );
}

/** Agents probe known sites only. */
function agentSites(agents: unknown[], sites: unknown[]): Problem[] {
  const siteIds = new Set(sites.map((s) => record(s)?.id));
  return agents.flatMap((agent, i) =>
    list(record(agent)?.sites).flatMap((id, j): Problem[] =>
      typeof id === 'string' && !siteIds.has(id)
        ? [{ path: ['agents', i, 'sites', j], message: messages.unknownSite(id) }]
        : [],
    ),
  );
}

/** Each agent's vantage (explicit, or `agent:<id>`) is its own and not a built-in one. */
function agentVantages(agents: unknown[]): Problem[] {
  const seen = new Map<string, { at: string; explicit: boolean }>();
  return agents.flatMap((item, i): Problem[] => {
    const agent = record(item) ?? {};
    const explicit = typeof agent.vantage === 'string';
    if (!explicit && typeof agent.id !== 'string') return [];
    const vantage = explicit ? String(agent.vantage) : `agent:${agent.id}`;
    const path = ['agents', i, explicit ? 'vantage' : 'id'];
    if (reservedVantage(vantage)) return [{ path, message: messages.reservedVantage(vantage) }];
    const first = seen.get(vantage);
    if (!first) seen.set(vantage, { at: `agents[${i}]`, explicit });
    // Two agents with one id already get "duplicate agent id": do not say it twice.
    if (!first || (!explicit && !first.explicit)) return [];
    return [{ path, message: messages.duplicateVantage(vantage, first.at) }];
  });
}

/** The token identifies the agent, so two agents cannot share one. */
function agentTokens(agents: unknown[]): Problem[] {
  const seen = new Map<string, string>();
  return agents.flatMap((item, i): Problem[] => {
    const token = record(item)?.token;
    if (typeof token !== 'string') return [];
    const first = seen.get(token);
    if (!first) seen.set(token, `agents[${i}].token`);
    return first ? [{ path: ['agents', i, 'token'], message: messages.duplicateToken(first) }] : [];
  });
}

/** Milliseconds of a written duration, the fallback when absent, undefined when invalid. */
function ms(value: unknown, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}

interface Level {
  timeout: unknown;
  threshold: unknown;
  path: PathSegment[];
}

/** Checks one level (defaults or a site) that sets a timeout or threshold itself. */
function thresholdBelowTimeout(level: Level, base: { timeout?: number; threshold?: number }) {
  if (level.timeout === undefined && level.threshold === undefined) return [];
  const timeout = ms(level.timeout, base.timeout);
  const threshold = ms(level.threshold, base.threshold);
  if (timeout === undefined || threshold === undefined || threshold < timeout) return [];
  const [t, th] = [formatDuration(timeout), formatDuration(threshold)];
  // Blame the value this level wrote: the threshold if it set one, else its timeout.
  return level.threshold !== undefined
    ? [{ path: [...level.path, 'slo', 'threshold'], message: messages.thresholdTooLong(t, th) }]
    : [{ path: [...level.path, 'timeout'], message: messages.timeoutTooShort(th, t) }];
}

function thresholdProblems(root: Node): Problem[] {
  const defaults = record(root.defaults) ?? {};
  const level = (node: Node, path: PathSegment[]): Level => ({
    timeout: node.timeout,
    threshold: record(node.slo)?.threshold,
    path,
  });
  const builtin = {
    timeout: parseDuration(BUILTIN.timeout),
    threshold: parseDuration(BUILTIN.slo.threshold),
  };
  const top = level(defaults, ['defaults']);
  const inherited = {
    timeout: ms(top.timeout, builtin.timeout),
    threshold: ms(top.threshold, builtin.threshold),
  };
  const problems: Problem[] = thresholdBelowTimeout(top, builtin);
  list(root.sites).forEach((site, i) => {
    problems.push(...thresholdBelowTimeout(level(record(site) ?? {}, ['sites', i]), inherited));
  });
  return problems;
}

export function crossFieldProblems(raw: unknown): Problem[] {
  const root = record(raw);
  if (!root) return [];
  const sites = list(root.sites);
  const notifiers = list(root.notifiers);
  const agents = list(root.agents);
  return [
    ...duplicateIds(sites, 'sites', 'site'),
    ...duplicateIds(notifiers, 'notifiers', 'notifier'),
    ...duplicateIds(agents, 'agents', 'agent'),
    ...agentSites(agents, sites),
    ...agentVantages(agents),
    ...agentTokens(agents),
    ...unknownNotifiers(sites, notifiers),
    ...thresholdProblems(root),
  ];
}
