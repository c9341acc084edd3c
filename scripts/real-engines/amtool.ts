/**
 * amtool, Alertmanager's own command-line tool, whose `check-config` runs Alertmanager's config loader
 * (config.LoadFile: receivers, routes, matchers, time intervals, inhibit rules), at the version of the Alertmanager
 * the platform layer installs: kube-prometheus-stack 88.0.0 ships Alertmanager v0.33.1
 * (`alertmanager.alertmanagerSpec.image.tag` in its values.yaml), run by prometheus-operator v0.93.0.
 * Built from the Go module proxy once per machine (GOSUMDB=off); Alertmanager's go.mod has no replace directive,
 * so a plain `go install …/cmd/amtool@v0.33.1` works. Cold on 2 cores: ~4 min (230 s measured with empty Go module
 * and build caches, another job running beside it; 74 s when promtool's build had filled them). Cached under
 * ~/.cache/samokoder-infra/amtool/<version>/bin afterwards.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cacheDir, run, since } from './engines';

/** Alertmanager as kube-prometheus-stack 88.0.0 pins it. */
export const ALERTMANAGER = Object.freeze({ version: '0.33.1', module: 'v0.33.1' });

/** The path of an amtool of the pinned version; builds it first when missing. */
export function ensureAmtool(log: (m: string) => void): string {
  const binDir = cacheDir('amtool', ALERTMANAGER.version, 'bin');
  const bin = path.join(binDir, 'amtool');
  if (fs.existsSync(bin) && run(bin, ['--version']).stdout.includes(`version ${ALERTMANAGER.version}`)) return bin;
  const t0 = Date.now();
  log(`building amtool ${ALERTMANAGER.version} from the Go module proxy (cold on 2 cores ~4 min)`);
  const r = run(
    'go',
    [
      'install',
      '-trimpath',
      `-ldflags=-X github.com/prometheus/common/version.Version=${ALERTMANAGER.version}`,
      `github.com/prometheus/alertmanager/cmd/amtool@${ALERTMANAGER.module}`,
    ],
    { env: { GOSUMDB: 'off', GOBIN: binDir } },
  );
  if (r.status !== 0) throw new Error(`go install amtool failed (${r.status}):\n${(r.stdout + r.stderr).slice(-3000)}`);
  if (!run(bin, ['--version']).stdout.includes(`version ${ALERTMANAGER.version}`)) {
    throw new Error(`amtool built at ${bin} does not report version ${ALERTMANAGER.version}`);
  }
  log(`amtool built in ${since(t0)} s`);
  return bin;
}

if (require.main === module) {
  console.log(ensureAmtool((m) => console.error(m)));
}
