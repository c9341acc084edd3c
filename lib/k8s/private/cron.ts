/**
 * The cron schedule of a job every `seconds`: a whole number of minutes dividing an hour, or of hours dividing a day,
 * so the schedule repeats evenly (the files sync, the database dump). `fail` builds the refusal, naming the prop.
 * @internal
 */
export function _cronScheduleEvery(seconds: number, fail: (rule: string) => Error): string {
  const minutes = seconds / 60;
  if (Number.isInteger(minutes) && minutes < 60 && 60 % minutes === 0) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  const hours = minutes / 60;
  if (Number.isInteger(hours) && hours <= 24 && 24 % hours === 0)
    return hours === 24 ? '0 0 * * *' : hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  throw fail(
    'must be a number of minutes dividing an hour (1, 2, 5, 10, 15, 20, 30) or of hours dividing a day (1, 2, 3, 4, 6, 8, 12, 24): a cron schedule repeats evenly',
  );
}
