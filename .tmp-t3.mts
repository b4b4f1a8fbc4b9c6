import { parseConfigText } from './src/config.ts';
import { renderJsonSchema } from './src/config/json-schema.ts';
const show = (t: string, env: Record<string,string> = {}) => { try { const r = parseConfigText(t, env); console.log(JSON.stringify(r, null, 1)); } catch (e: any) { console.log(e.problems ?? e); } };
show(`
server: { adminToken: \${FRESHPROBE_ADMIN_TOKEN} }
sites:
  - id: docs
    url: https://docs.example.com/
    deploy: { kind: git, remote: https://gitlab.example.com/acme/docs.git, file: public/freshprobe/canary.json, token: \${GITLAB_TOKEN} }
    notify: [ops]
    slo: { threshold: 10m }
notifiers:
  - { id: ops, kind: slack, url: \${SLACK_WEBHOOK_URL} }
`, { FRESHPROBE_ADMIN_TOKEN: 'adm', GITLAB_TOKEN: 'glpat-x', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x' });
show(`
server: { adminToken: \${FRESHPROBE_ADMIN_TOKEN}, port: "80", foo: 1 }
defaults: { timeout: soon, schedule: "every hour", shedule: x, probe: { interval: 500ms } }
sites:
  - id: Docs
    url: ftp://x
    canary: { path: x, format: xml }
    deploy: { kind: ftp }
    notify: [ops]
    probe: { vantages: [edge, cdn], nodes: foo }
  - url: https://x
    deploy: { kind: git, remote: gitlab.example.com/acme, file: /x, token: t }
    probe: { vantages: [edge, edge], nodes: ["1.2.3.4", "1.2.3.400", "[::1]:80"] }
    slo: { target: 1 }
    schedule: "61 * * * *"
  - id: docs
    url: https://x
    deploy: git
    probe: { vantages: [], nodes: [] }
  - id: docs
    url: https://x
    deploy: {}
    timeout: 2m
notifiers:
  - { id: ops, kind: sms }
  - { kind: email, smtp: http://x, from: x, to: [] }
`, { });
show(``);
show(`sites: []`);
show(`- a`);
show(`a: 1\nb: [1, 2\nc: 3\n`);
show(`sites:\n  - id: x\n    schedule: */30 * * * *\n`);
show(`a: *nope\n`);
console.log(renderJsonSchema().length);
