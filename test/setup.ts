/**
 * cdktf records a full stack trace for every token it creates (`captureStackTrace` in cdktf's tokens, used only to
 * say where an unresolvable token was made), and formatting those traces was a third of every stack synthesis in
 * the tests. Here traces captured by cdktf itself are left empty; every other stack trace (a failing test, an
 * error of ours) is formatted as before. Tests only: the library never changes a global of its user's process.
 */
const previous = Error.prepareStackTrace;
Error.prepareStackTrace = (error, frames) => {
  if (frames[0]?.getFileName()?.includes('/node_modules/cdktf/lib/')) return '';
  if (previous) return previous(error, frames);
  return `${String(error)}${frames.map((f) => `\n    at ${f.toString()}`).join('')}`;
};
