// `node --import` this file to make Node resolve modules as a Workers-style runtime does: the
// "worker" export condition instead of "node" (so no package picks its Node build), and no
// node:crypto for any module loaded afterwards (Node's own internals keep theirs).
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'node:crypto' || specifier === 'crypto') {
    throw new Error('node:crypto is blocked in this run (imported by ' + context.parentURL + ')');
  }
  const conditions = [...context.conditions.filter((condition) => condition !== 'node'), 'worker'];
  return next(specifier, { ...context, conditions });
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
