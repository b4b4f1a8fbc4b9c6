/**
 * VCL for the test edge. Only 200 responses are cached, for exactly the TTL
 * (no grace, so an expired object is never served while it refreshes); a 404
 * or 5xx from a node is passed on uncached, so a restart's 404 window is not
 * frozen at the edge for a whole TTL and each scenario shows one effect.
 */

export interface Backend {
  host: string;
  port: number;
}

function backendBlock(b: Backend, i: number): string {
  // Short timeouts: a dead node is a quick 503, not a probe timeout.
  return `backend node${i + 1} {
  .host = "${b.host}";
  .port = "${b.port}";
  .connect_timeout = 1s;
  .first_byte_timeout = 5s;
}`;
}

/** The edge's VCL: a round-robin director over `backends`; TTL 0 means pass everything. */
export function edgeVcl(backends: Backend[], ttlSeconds: number): string {
  if (backends.length === 0) throw new Error('the edge needs at least one backend');
  const adds = backends.map((_, i) => `  fleet.add_backend(node${i + 1});`).join('\n');
  const recv = ttlSeconds > 0 ? '' : '  return (pass);\n';
  return `vcl 4.1;
import directors;

${backends.map(backendBlock).join('\n')}

sub vcl_init {
  new fleet = directors.round_robin();
${adds}
}

sub vcl_recv {
  set req.backend_hint = fleet.backend();
${recv}}

sub vcl_backend_response {
  if (beresp.status == 200) {
    set beresp.ttl = ${ttlSeconds}s;
    set beresp.grace = 0s;
    set beresp.keep = 0s;
  } else {
    set beresp.ttl = 0s;
    set beresp.uncacheable = true;
  }
  # Skip the built-in rules: nginx's max-age=0 must not veto the TTL set here.
  return (deliver);
}

sub vcl_deliver {
  if (obj.hits > 0) {
    set resp.http.X-Cache = "HIT";
  } else {
    set resp.http.X-Cache = "MISS";
  }
  set resp.http.X-Served-By = "freshprobe-bed-edge";
}
`;
}

/** Loaded for a 5xx burst: every request is a synthetic 503, hits included. */
export const SYNTH_503_VCL = `vcl 4.1;
backend default none;

sub vcl_recv {
  return (synth(503, "edge burst"));
}
`;
