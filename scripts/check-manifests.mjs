#!/usr/bin/env node
// Validates Kubernetes manifests against the Kubernetes and CRD schemas of `kubernetes-models` and
// `@kubernetes-models/*` (types, enums, required fields, formats). Unknown kinds fail: nothing goes unchecked.
//
//   node scripts/check-manifests.mjs dist            # every *.yaml under dist/
//   node scripts/check-manifests.mjs --json < objs   # a JSON array of objects on stdin
//   node scripts/check-manifests.mjs --serve         # HTTP on 127.0.0.1 (port printed): POST a JSON array, get
//                                                    # { ok, output } (the tests' one checker for a whole run; it
//                                                    # exits when its stdin closes, so it never outlives them)
//
// Prints one line per problem and a summary; exits 1 on any problem.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** apiVersion group → package prefix of its models. */
const CRD_PACKAGES = {
  'external-secrets.io': '@kubernetes-models/external-secrets/external-secrets.io',
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api/gateway.networking.k8s.io',
  'gateway.envoyproxy.io': '@kubernetes-models/envoy-gateway/gateway.envoyproxy.io',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator/monitoring.coreos.com',
  'cert-manager.io': '@kubernetes-models/cert-manager/cert-manager.io',
};
const ARGO_CD_KINDS = new Set(['Application', 'AppProject', 'ApplicationSet']);

function modulePath(apiVersion, kind) {
  const slash = apiVersion.indexOf('/');
  if (slash === -1) return `kubernetes-models/${apiVersion}/${kind}`;
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (group === 'argoproj.io') {
    const pkg = ARGO_CD_KINDS.has(kind) ? '@kubernetes-models/argo-cd' : '@kubernetes-models/argo-rollouts';
    return `${pkg}/argoproj.io/${version}/${kind}`;
  }
  if (CRD_PACKAGES[group]) return `${CRD_PACKAGES[group]}/${version}/${kind}`;
  if (group.endsWith('.k8s.io') || !group.includes('.')) return `kubernetes-models/${group}/${version}/${kind}`;
  return undefined;
}

/** Validates objects; returns the problem lines and the number of invalid objects. */
export async function checkObjects(objects, where = () => '') {
  const problems = [];
  const failed = new Set();
  for (const [i, obj] of objects.entries()) {
    const label = `${where(i)}${obj?.kind ?? '?'}/${obj?.metadata?.name ?? '?'}`;
    if (!obj || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      problems.push(`${label}: not a Kubernetes object (apiVersion and kind are required)`);
      failed.add(i);
      continue;
    }
    const path = modulePath(obj.apiVersion, obj.kind);
    let Model;
    try {
      Model = path && (await import(path))[obj.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(`${label}: no schema known for ${obj.apiVersion} ${obj.kind}`);
      failed.add(i);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      problems.push(`${label}: ${e.message}`);
      failed.add(i);
    }
  }
  return { problems, failed: failed.size };
}

function yamlFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

/** The --serve mode: the schemas load once for every test suite of a run instead of once per check. */
async function serve() {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const { problems, failed } = await checkObjects(objects, () => 'stdin: ');
        const lines = [
          ...problems,
          `manifest schema check: ${objects.length - failed} valid, ${failed} invalid (${objects.length} objects)`,
        ];
        if (objects.length === 0) lines.push('no objects found');
        res.end(JSON.stringify({ ok: problems.length === 0 && objects.length > 0, output: `${lines.join('\n')}\n` }));
      } catch (e) {
        res.statusCode = 400;
        res.end(JSON.stringify({ ok: false, output: String(e?.message ?? e) }));
      }
    });
  });
  // Keep idle connections open: with Node's 5 s default the server may close a socket just as the test process
  // reuses it ("fetch failed: other side closed", seen under load).
  server.keepAliveTimeout = 0;
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

async function main(args) {
  if (args[0] === '--serve') return serve();
  let objects = [];
  const sources = [];
  if (args[0] === '--json') {
    objects = JSON.parse(readFileSync(0, 'utf8'));
    objects.forEach(() => sources.push('stdin: '));
  } else {
    const dirs = args.length > 0 ? args : ['dist'];
    for (const dir of dirs) {
      for (const file of yamlFiles(dir)) {
        for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
          if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
          const value = doc.toJS();
          if (value === null || value === undefined) continue;
          objects.push(value);
          sources.push(`${file}: `);
        }
      }
    }
  }
  const { problems, failed } = await checkObjects(objects, (i) => sources[i]);
  for (const p of problems) console.log(p);
  console.log(`manifest schema check: ${objects.length - failed} valid, ${failed} invalid (${objects.length} objects)`);
  if (objects.length === 0) {
    console.log('no objects found');
    process.exit(1);
  }
  process.exit(problems.length > 0 ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e.message);
    process.exit(2);
  });
}
