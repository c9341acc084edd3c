/**
 * The PromQL of a "CronJob late" alert: its last success is older than `lateSeconds`, or it has never succeeded and
 * was created more than `lateSeconds` ago (kube-state-metrics' `kube_cronjob_status_last_successful_time` and
 * `kube_cronjob_created`, both in kube-state-metrics 2.19.1, the app of the pinned chart 8.0.0). One expression for every scheduled part (files
 * sync, database dump, key rotation), so a fix reaches all of them.
 * @internal
 */
export function _cronJobLateExpr(namespace: string, cronJob: string, lateSeconds: number): string {
  const metric = `kube_cronjob_status_last_successful_time{namespace="${namespace}",cronjob="${cronJob}"}`;
  return (
    `time() - max(${metric}) > ${lateSeconds}` +
    ` or (absent(${metric}) and on() (time() - max(kube_cronjob_created{namespace="${namespace}",cronjob="${cronJob}"}) > ${lateSeconds}))`
  );
}
