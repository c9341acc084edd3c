/**
 * promtool, Prometheus's own rule checker and unit-test runner, at the version of the Prometheus the platform layer
 * installs (kube-prometheus-stack 88.0.0 ships Prometheus v3.13.1), built from the Go module proxy once per machine.
 *
 * `go install …/cmd/promtool@v0.313.1` is refused ("the go.mod … contains replace directives"), so it is built from
 * a wrapper module that requires Prometheus and repeats its one replace directive (cloud.google.com/go). Cold on
 * 2 cores: ~8 min; cached under ~/.cache/samokoder-infra/promtool/<version>/bin afterwards.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cacheDir, run, since } from './engines';

/** Prometheus as the platform layer pins it (see lib/platform/platform-component.ts), and its Go module version. */
export const PROMETHEUS = Object.freeze({ version: '3.13.1', module: 'v0.313.1', go: '1.25.0' });

/** The path of a promtool of the pinned version; builds it first when missing. */
export function ensurePromtool(log: (m: string) => void): string {
  const bin = path.join(cacheDir('promtool', PROMETHEUS.version, 'bin'), 'promtool');
  if (fs.existsSync(bin) && run(bin, ['--version']).stdout.includes(`version ${PROMETHEUS.version}`)) return bin;
  const t0 = Date.now();
  log(`building promtool ${PROMETHEUS.version} from the Go module proxy (cold on 2 cores ~8 min)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-build-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'go.mod'),
      [
        'module samokoder.local/promtool',
        '',
        `go ${PROMETHEUS.go}`,
        '',
        `require github.com/prometheus/prometheus ${PROMETHEUS.module}`,
        '',
        '// Prometheus’s own replace directive, which `go install pkg@version` refuses to honour.',
        'replace cloud.google.com/go => cloud.google.com/go v0.123.0',
        '',
      ].join('\n'),
    );
    const env = { GOSUMDB: 'off', GOFLAGS: '-mod=mod' };
    const steps: string[][] = [
      ['get', `github.com/prometheus/prometheus/cmd/promtool@${PROMETHEUS.module}`],
      [
        'build',
        '-trimpath',
        `-ldflags=-X github.com/prometheus/common/version.Version=${PROMETHEUS.version}`,
        '-o',
        bin,
        'github.com/prometheus/prometheus/cmd/promtool',
      ],
    ];
    for (const args of steps) {
      const r = run('go', args, { cwd: dir, env });
      if (r.status !== 0) throw new Error(`go ${args[0]} for promtool failed (${r.status}):\n${(r.stdout + r.stderr).slice(-3000)}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`promtool built in ${since(t0)} s`);
  return bin;
}

if (require.main === module) {
  console.log(ensurePromtool((m) => console.error(m)));
}
