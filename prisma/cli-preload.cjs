// Preloaded into the Prisma CLI by infra/migrate.ts (NODE_OPTIONS=--require).
// Why: the wasm schema engine arms a 10 s timer (its advisory-lock timeout) and never clears it,
// so every `prisma migrate …` lingers 10 s after finishing. An unref'd timer still fires while the
// engine is busy (its database sockets keep the process alive) but no longer holds an idle CLI open.
const originalSetTimeout = global.setTimeout;
global.setTimeout = function patchedSetTimeout(callback, ms, ...args) {
  const timer = originalSetTimeout(callback, ms, ...args);
  if (typeof ms === 'number' && ms >= 5000 && timer && typeof timer.unref === 'function') timer.unref();
  return timer;
};
