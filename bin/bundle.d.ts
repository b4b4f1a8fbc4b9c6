/** Types for bundle.js (plain JavaScript, so bin/ runs without a build). */
export declare const ROOT: string;
/** dist/server/freshprobe.mjs, relative to the package root. */
export declare const BUNDLE_PATH: string;
/** dist/server/freshprobe.json, relative to the package root. */
export declare const STAMP_PATH: string;
/** Hash of src/ and the package's version and dependencies under `root`: what the bundle runs. */
export declare function sourceHash(root?: string): string;
/** sourceHash plus web/build.ts and the build script: whether to rebuild. */
export declare function buildHash(root?: string): string;
/** The bundle's file URL when its stamp matches the sources under `root`, else undefined. */
export declare function freshBundle(root?: string): string | undefined;
