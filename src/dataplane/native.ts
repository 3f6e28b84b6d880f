// The TypeScript face of the N-API shim (native/, built by `npm install` through node-gyp).
import { createRequire } from 'node:module';

export interface Native {
  /** The symbolic name of an errno value ("ENOENT"). */
  errnoName(errno: number): string;
}

let native: Native | undefined;

export function loadNative(): Native {
  native ??= createRequire(import.meta.url)('../../../build/Release/ipsecgw.node') as Native;
  return native;
}
