/**
 * The deployment files: every Kubernetes manifest is valid against the
 * Kubernetes API schemas (kubernetes-models, from npm: no network), and says
 * what the architecture promises — a Deployment per service with readiness on
 * /ready, liveness on /health and resource requests, autoscaling for the
 * gateway and the subgraphs, only the gateway reaching the subgraphs, each
 * pod only its own database, secrets only by reference, a migration Job per
 * agency; the compose file runs the same services from the same image. Where
 * a container engine answers, the image is built and the gateway started in it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SUBGRAPH_NAMES, subgraphDatabase } from '../../platform/topology.ts';

const DIR = 'deploy/kubernetes';
const SERVICES = ['gateway', 'identity', 'tax', 'family', 'benefits', 'education', 'transparency', 'events', 'offers'];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
}
interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: { cpu?: string; memory?: string } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface PodSpec { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } }
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: PodSpec };

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const manifests: (Manifest & { file: string })[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    return { ...(doc.toJS() as Manifest), file };
  }),
);
const ofKind = <T = Manifest>(kind: string) => manifests.filter((m) => m.kind === kind) as unknown as (T & Manifest)[];
const template = (m: Manifest) => (m.spec as { template: PodTemplate }).template;

/** The kubernetes-models class for an apiVersion and kind: `apps/v1` + `Deployment` → kubernetes-models/apps/v1/Deployment. */
async function validate(m: Manifest): Promise<void> {
  const { file: _file, ...object } = m as Manifest & { file?: string };
  const module = (await import(`kubernetes-models/${m.apiVersion}/${m.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[m.kind];
  if (!Model) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
  new Model(object).validate();
}

describe('Kubernetes manifests', () => {
  it('every document is valid against the Kubernetes API schema of its kind (and the check can fail)', async () => {
    expect(manifests.length).toBeGreaterThan(30);
    for (const m of manifests) {
      await expect(validate(m).then(() => 'valid'), `${m.file}: ${m.kind} ${m.metadata?.name}`).resolves.toBe('valid');
      if (m.metadata.name !== 'citizen-graph' || m.kind !== 'Namespace') expect(m.metadata.namespace, `${m.kind} ${m.metadata.name}`).toBe('citizen-graph');
    }
    const gateway = ofKind('Deployment').find((d) => d.metadata.name === 'gateway')!;
    const broken = structuredClone(gateway);
    (broken.spec as { replicas: unknown }).replicas = 'two';
    await expect(validate(broken)).rejects.toThrow(/replicas must be integer/);
    await expect(validate({ ...gateway, apiVersion: 'apps/v0' })).rejects.toThrow();
  });

  it('one Deployment per service from the one image, the entry point chosen by its arguments, probes, requests and a locked-down non-root container', () => {
    const deployments = ofKind('Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...SERVICES].sort());
    const entry = readFileSync('deploy/entrypoint.sh', 'utf8');
    for (const d of deployments) {
      const pod = template(d).spec;
      expect(pod.securityContext?.runAsNonRoot, d.metadata.name).toBe(true);
      expect(pod.containers).toHaveLength(1);
      const c = pod.containers[0]!;
      expect(c.args?.[0], d.metadata.name).toBe(SUBGRAPH_NAMES.includes(d.metadata.name as never) ? 'subgraph' : d.metadata.name);
      expect(entry).toContain(`  ${c.args![0]})`);
      expect(c.readinessProbe?.httpGet?.path, d.metadata.name).toBe('/ready');
      expect(c.livenessProbe?.httpGet?.path, d.metadata.name).toBe('/health');
      expect(c.resources?.requests?.cpu && c.resources.requests.memory, d.metadata.name).toBeTruthy();
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    }
  });

  it('HorizontalPodAutoscalers for the gateway and every subgraph, each naming a Deployment that exists', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    const targets = hpas.map((h) => (h.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef);
    expect(targets.map((t) => t.name).sort()).toEqual(['gateway', ...SUBGRAPH_NAMES].sort());
    const names = new Set(ofKind('Deployment').map((d) => d.metadata.name));
    for (const t of targets) expect(t.kind === 'Deployment' && names.has(t.name)).toBe(true);
  });

  it('secrets only by reference, to a Secret and key the manifests declare; nothing secret in the ConfigMap or inline', () => {
    const secrets = new Map(ofKind('Secret').map((s) => [s.metadata.name, s.stringData ?? {}]));
    const configMaps = new Set(ofKind('ConfigMap').map((c) => c.metadata.name));
    const pods = [...ofKind('Deployment'), ...ofKind('Job')].map((m) => ({ name: m.metadata.name, pod: template(m).spec }));
    for (const { name, pod } of pods) {
      for (const c of pod.containers) {
        for (const ref of c.envFrom ?? []) expect(configMaps.has(ref.configMapRef!.name), name).toBe(true);
        for (const env of c.env ?? []) {
          if (/DATABASE_URL|PRIVATE_KEY|SIGNING_KEY|SECRET|AUDIT_LOG_KEY/.test(env.name)) {
            expect(env.value, `${name} ${env.name} must come from a Secret`).toBeUndefined();
            const ref = env.valueFrom!.secretKeyRef!;
            expect(Object.keys(secrets.get(ref.name) ?? {}), `${name} ${env.name}`).toContain(ref.key);
          }
        }
      }
    }
    for (const data of secrets.values()) for (const value of Object.values(data)) expect(value).toBe('CHANGE-ME');
    for (const cm of ofKind('ConfigMap')) for (const key of Object.keys(cm.data ?? {})) expect(key).not.toMatch(/DATABASE_URL|PRIVATE|SECRET|SIGNING_KEY|AUDIT_LOG_KEY/);
    // A pod gets its own secret only: no subgraph reads another agency's.
    for (const name of SUBGRAPH_NAMES) {
      const pod = pods.find((p) => p.name === name)!.pod;
      const refs = pod.containers.flatMap((c) => (c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name).filter(Boolean));
      expect(new Set(refs), name).toEqual(new Set([`${name}-secrets`]));
    }
  });

  it('a migration Job per agency, each reaching only its own database', () => {
    const jobs = ofKind('Job');
    expect(jobs.map((j) => template(j).spec.containers[0]!.args).sort()).toEqual(SUBGRAPH_NAMES.map((n) => ['migrate', n]).sort());
    for (const j of jobs) {
      const agency = template(j).spec.containers[0]!.args![1]! as (typeof SUBGRAPH_NAMES)[number];
      expect(template(j).metadata.labels['citizen-graph/database']).toBe(subgraphDatabase(agency));
    }
  });

  describe('NetworkPolicy', () => {
    type Peer = { podSelector?: { matchLabels?: Record<string, string> }; ipBlock?: { cidr: string }; namespaceSelector?: unknown };
    type Rule = { from?: Peer[]; to?: Peer[]; ports?: { port: number }[] };
    type Spec = { podSelector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values: string[] }[] }; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] };
    const policies = ofKind('NetworkPolicy').map((p) => ({ name: p.metadata.name, spec: p.spec as unknown as Spec }));
    const podLabels = new Map([...ofKind('Deployment'), ...ofKind('Job')].map((m) => [m.metadata.name, template(m).metadata.labels]));
    const selects = (spec: Spec, labels: Record<string, string>) =>
      Object.entries(spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
      && (spec.podSelector.matchExpressions ?? []).every((e) => e.operator === 'In' && e.values.includes(labels[e.key] ?? ''));
    const peerMatches = (peer: Peer, labels: Record<string, string>) => !!peer.podSelector && !peer.namespaceSelector && Object.entries(peer.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    /** Pods a pod may receive from (ingress) under the policies selecting it; "anyone" for a rule with no `from`. */
    const ingressFrom = (target: string): Set<string> => {
      const out = new Set<string>();
      for (const { spec } of policies) {
        if (!spec.policyTypes.includes('Ingress') || !selects(spec, podLabels.get(target)!)) continue;
        for (const rule of spec.ingress ?? []) {
          if (!rule.from) out.add('anyone');
          for (const peer of rule.from ?? []) for (const [name, labels] of podLabels) if (peerMatches(peer, labels)) out.add(name);
          for (const peer of rule.from ?? []) if (peer.ipBlock || peer.namespaceSelector) out.add('outside');
        }
      }
      return out;
    };
    const egressCidrs = (source: string, port: number): string[] =>
      policies.flatMap(({ spec }) => (spec.policyTypes.includes('Egress') && selects(spec, podLabels.get(source)!) ? spec.egress ?? [] : [])
        .filter((r) => r.ports?.some((p) => p.port === port))
        .flatMap((r) => (r.to ?? []).map((p) => p.ipBlock?.cidr).filter((c): c is string => !!c)));

    it('denies everything by default, in both directions', () => {
      const deny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress);
      expect(deny?.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    });
    it('only the gateway reaches a subgraph; anyone may reach the gateway', () => {
      for (const name of SUBGRAPH_NAMES) expect([...ingressFrom(name)], name).toEqual(['gateway']);
      expect(ingressFrom('gateway').has('anyone')).toBe(true);
      expect(ingressFrom('events').size + ingressFrom('offers').size).toBe(0);
    });
    it('each agency reaches only its own database, and no two databases share an address', () => {
      const addresses = new Map(SUBGRAPH_NAMES.map((n) => [n, egressCidrs(n, 5432)]));
      for (const [name, cidrs] of addresses) expect(cidrs, name).toHaveLength(1);
      expect(new Set([...addresses.values()].flat()).size).toBe(SUBGRAPH_NAMES.length);
      // The audit store is the transparency subgraph's and the gateway's; the population register's, identity's and the events service's.
      expect(egressCidrs('gateway', 5432)).toEqual(addresses.get('transparency'));
      expect(egressCidrs('events', 5432)).toEqual(addresses.get('identity'));
      for (const name of SUBGRAPH_NAMES) expect(egressCidrs(`migrate-${name}`, 5432)).toEqual(addresses.get(name));
    });
  });
});

describe('compose file (one host, external PostgreSQL)', () => {
  const compose = parse(readFileSync('deploy/compose.yaml', 'utf8'), { merge: true }) as { services: Record<string, { image?: string; command?: string[]; networks?: string[] }>; networks: Record<string, { internal?: boolean }> };
  it('runs every service and every migration from the one image, subgraphs on an internal network only the gateway shares', () => {
    const names = Object.keys(compose.services);
    for (const s of SERVICES) expect(names).toContain(s);
    for (const n of SUBGRAPH_NAMES) expect(compose.services[`migrate-${n}`]?.command).toEqual(['migrate', n]);
    for (const s of Object.values(compose.services)) expect(s.image).toBe('citizen-graph:0.1.0');
    expect(compose.networks.subgraphs?.internal).toBe(true);
    const onSubgraphNet = names.filter((n) => compose.services[n]!.networks?.includes('subgraphs'));
    expect(onSubgraphNet.sort()).toEqual(['gateway', ...SUBGRAPH_NAMES].sort());
    for (const n of SUBGRAPH_NAMES) expect(compose.services[n]!.networks).not.toContain('front');
  });
});

describe('container image', () => {
  const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
  it('is multi-stage and runs as an unprivileged user', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    const lastUser = [...dockerfile.matchAll(/^USER (\S+)/gm)].at(-1)?.[1];
    expect(lastUser).toBeDefined();
    expect(['root', '0']).not.toContain(lastUser);
  });

  const BASE = dockerfile.match(/^FROM (\S+)/m)![1]!;
  const engine = ['docker', 'podman'].find((cmd) => spawnSync(cmd, ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0);
  // Without a registry to pull from, the base image must already be on the machine.
  const base = engine && (spawnSync(engine, ['image', 'inspect', BASE], { stdio: 'ignore' }).status === 0 || spawnSync(engine, ['pull', BASE], { stdio: 'ignore', timeout: 300_000 }).status === 0);
  if (!engine) console.warn('container image: no container engine answers here (`docker info` / `podman info` failed), so the image is not built and the gateway not started in it');
  else if (!base) console.warn(`container image: ${engine} answers, but the base image ${BASE} is neither on this machine nor pullable, so the image is not built`);
  it.skipIf(!engine || !base)('builds, and the gateway starts in it and answers /health', async () => {
    const tag = 'citizen-graph:test';
    execFileSync(engine!, ['build', '-f', 'deploy/Dockerfile', '-t', tag, '.'], { stdio: 'inherit', timeout: 900_000 });
    const { generateContextKeyPair } = await import('../../platform/context-keys.ts');
    const key = (await generateContextKeyPair()).privatePem;
    // Development mode (its own token issuer, no audit store): the image itself is under test, not a deployment.
    const id = execFileSync(engine!, ['run', '-d', '--rm', '-p', '127.0.0.1::4000', '-e', 'NODE_ENV=development', '-e', `GATEWAY_CONTEXT_PRIVATE_KEY=${key}`, tag, 'gateway'], { encoding: 'utf8' }).trim();
    try {
      const port = execFileSync(engine!, ['port', id, '4000'], { encoding: 'utf8' }).trim().split(':').at(-1);
      const deadline = Date.now() + 60_000;
      let status = 0;
      while (Date.now() < deadline && status !== 200) {
        status = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0);
        if (status !== 200) await new Promise((r) => setTimeout(r, 500));
      }
      expect(status).toBe(200);
      expect(execFileSync(engine!, ['exec', id, 'id', '-u'], { encoding: 'utf8' }).trim()).not.toBe('0');
    } finally {
      spawnSync(engine!, ['rm', '-f', id]);
    }
  }, 1_000_000);
});
